#!/usr/bin/env bash
# Benchmark runner: our release build vs the PyTorch baselines, same shapes,
# same run. See Benchmarks/README.md.
#
#   bash Benchmarks/run.sh            full run (standard shapes; minutes)
#   bash Benchmarks/run.sh --quick    tiny shapes, 1 run: a smoke test (seconds)
#
# Options:
#   --quick         tiny shapes, warm-up 1, 1 run
#   --all           also run the (slow) reference kernel at the large shapes
#   --warmup N      warm-up runs per measurement (default 1; quick: 1)
#   --runs N        timed runs per measurement, median reported (default 5; quick: 1)
#   --no-build      do not run `swift build`, use whatever .build-release/release/xlstm is there
#   --no-install    do not pip-install anything (use the venv as it is)
#   --timeout S     per-measurement time limit in seconds (default 1800)
#   -h, --help
#
# Every measurement runs in its own process (so peak memory is per
# measurement); a failing or missing command gives a row with "error" and the
# run goes on. Output: the table on stdout, Benchmarks/results.json, and the raw
# JSON lines + per-measurement logs in Benchmarks/.last-run/.

set -u

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
VENV="$HERE/.venv"
OUTDIR="$HERE/.last-run"
ROWS="$OUTDIR/rows.jsonl"
THREADS=2
TORCH_VERSION=2.13.0

QUICK=0; ALL=0; BUILD=1; INSTALL=1; WARMUP=""; RUNS=""; TIMEOUT_S=1800
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --all) ALL=1 ;;
    --no-build) BUILD=0 ;;
    --no-install) INSTALL=0 ;;
    --warmup) WARMUP="$2"; shift ;;
    --runs) RUNS="$2"; shift ;;
    --timeout) TIMEOUT_S="$2"; shift ;;
    -h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if [ "$QUICK" = 1 ]; then
  WARMUP="${WARMUP:-1}"; RUNS="${RUNS:-1}"
else
  WARMUP="${WARMUP:-1}"; RUNS="${RUNS:-5}"
fi

export OMP_NUM_THREADS=$THREADS
export MKL_NUM_THREADS=$THREADS
export PYTHONDONTWRITEBYTECODE=1
export PIP_DISABLE_PIP_VERSION_CHECK=1

SYS_PY="$(command -v python3 || command -v python || true)"
if [ -z "$SYS_PY" ]; then echo "run.sh: python3 not found" >&2; exit 1; fi
REPORT="$SYS_PY $HERE/report.py"   # stdlib only: works even without the venv

rm -rf "$OUTDIR"; mkdir -p "$OUTDIR"
: > "$ROWS"
log() { echo "== $*"; }

# ---------------------------------------------------------------- (a) venv ---
PY="$VENV/bin/python"
INSTALL_NOTES="$OUTDIR/install.txt"; : > "$INSTALL_NOTES"
if [ ! -x "$PY" ]; then
  log "creating venv $VENV"
  "$SYS_PY" -m venv "$VENV" || echo "venv: creation failed" >> "$INSTALL_NOTES"
fi
# status: prints "TORCH XLSTM FLASHRNN", each 1 (importable; torch at the pinned
# version) or 0, with one Python start-up.
status() {
  [ -x "$PY" ] || { echo "0 0 0"; return; }
  "$PY" - "$TORCH_VERSION" 2>/dev/null <<'PYEOF' || echo "0 0 0"
import importlib, sys
def ok(name):
    try:
        importlib.import_module(name)
        return 1
    except Exception:
        return 0
try:
    import torch
    t = int(torch.__version__.split("+")[0] == sys.argv[1])
except Exception:
    t = 0
print(t, ok("xlstm") if t else 0, ok("flashrnn") if t else 0)
PYEOF
}
read -r TORCH_OK HAVE_XLSTM HAVE_FLASHRNN <<< "$(status)"
if [ "$INSTALL" = 1 ] && [ -x "$PY" ]; then
  CONSTRAINTS="$OUTDIR/constraints.txt"
  echo "torch==$TORCH_VERSION" > "$CONSTRAINTS"   # the peers must not move torch
  CHANGED=0
  if [ "$TORCH_OK" = 0 ]; then
    # The CPU wheel: pip's configured sources here provide torch-2.13.0+cpu.
    # Set TORCH_PIP_ARGS to point pip at another source of CPU wheels.
    log "pip install torch==$TORCH_VERSION ${TORCH_PIP_ARGS:-}"
    # shellcheck disable=SC2086
    "$PY" -m pip install -q ${TORCH_PIP_ARGS:-} "torch==$TORCH_VERSION" \
      > "$OUTDIR/pip-torch.log" 2>&1 \
      || echo "torch: pip install failed: $(tail -n 1 "$OUTDIR/pip-torch.log")" >> "$INSTALL_NOTES"
    # numpy only silences torch's "Failed to initialize NumPy" warning.
    "$PY" -m pip install -q -c "$CONSTRAINTS" numpy > "$OUTDIR/pip-numpy.log" 2>&1 || true
    CHANGED=1
  fi
  [ "$CHANGED" = 1 ] && read -r TORCH_OK HAVE_XLSTM HAVE_FLASHRNN <<< "$(status)"
  CHANGED=0
  for pkg in xlstm flashrnn; do
    if [ "$pkg" = xlstm ]; then have=$HAVE_XLSTM; else have=$HAVE_FLASHRNN; fi
    # Without our torch, pip would pull a (CUDA) torch in for the peers: don't.
    if [ "$have" = 0 ] && [ "$TORCH_OK" = 1 ]; then
      log "pip install $pkg"
      "$PY" -m pip install -q -c "$CONSTRAINTS" "$pkg" > "$OUTDIR/pip-$pkg.log" 2>&1 \
        || echo "$pkg: pip install failed: $(tail -n 1 "$OUTDIR/pip-$pkg.log")" >> "$INSTALL_NOTES"
      CHANGED=1
    fi
  done
  [ "$CHANGED" = 1 ] && read -r TORCH_OK HAVE_XLSTM HAVE_FLASHRNN <<< "$(status)"
  # transformers' xLSTMForCausalLM is the language-model baseline.
  if [ "$TORCH_OK" = 1 ] && ! "$PY" -c "import transformers" 2>/dev/null; then
    log "pip install transformers==5.24.0"
    "$PY" -m pip install -q -c "$CONSTRAINTS" "transformers==5.24.0" > "$OUTDIR/pip-transformers.log" 2>&1 \
      || echo "transformers: pip install failed: $(tail -n 1 "$OUTDIR/pip-transformers.log")" >> "$INSTALL_NOTES"
  fi
fi
[ "$TORCH_OK" = 1 ] || echo "torch $TORCH_VERSION not importable: PyTorch baselines will be error rows" >> "$INSTALL_NOTES"
[ "$TORCH_OK" = 1 ] && [ "$HAVE_XLSTM" = 0 ] && echo "xlstm not importable: no xlstm-official rows" >> "$INSTALL_NOTES"
[ "$TORCH_OK" = 1 ] && [ "$HAVE_FLASHRNN" = 0 ] && echo "flashrnn not importable: no flashrnn rows" >> "$INSTALL_NOTES"
[ -s "$INSTALL_NOTES" ] && sed 's/^/   note: /' "$INSTALL_NOTES"

# --------------------------------------------------------------- (b) build ---
BIN="${XLSTM_BIN:-$ROOT/.build-release/release/xlstm}"   # XLSTM_BIN: test a stand-in
BUILD_STATUS="not run (--no-build)"
if [ "$BUILD" = 1 ]; then
  if ! command -v swift >/dev/null 2>&1; then
    BUILD_STATUS="failed: swift not found"
  else
    # The release build with the recommended flags, as the README's commands make it.
    BUILD_CMD=(bash scripts/build-release.sh xlstm)
    log "${BUILD_CMD[*]}"
    if (cd "$ROOT" && "${BUILD_CMD[@]}") > "$OUTDIR/build.log" 2>&1; then
      BUILD_STATUS="ok: ${BUILD_CMD[*]}"
    else
      BUILD_STATUS="failed: ${BUILD_CMD[*]} (see Benchmarks/.last-run/build.log)"
      tail -n 5 "$OUTDIR/build.log" | sed 's/^/   /'
    fi
  fi
  log "build: $BUILD_STATUS"
fi

# ----------------------------------------------------------- measurements ---
if command -v timeout >/dev/null 2>&1; then TIMEOUT=(timeout "$TIMEOUT_S"); else TIMEOUT=(); fi
N=0
# measure IMPL B T D H K -- command...   (one process, one row)
measure() {
  local impl=$1 b=$2 t=$3 d=$4 h=$5 k=$6; shift 7
  N=$((N + 1))
  local base="$OUTDIR/$(printf '%03d' $N)-$impl" rc
  if [ ! -x "$1" ]; then   # e.g. our binary when the build failed or was skipped
    : > "$base.out"; echo "not found: $1" > "$base.err"; rc=127
  else
    ${TIMEOUT[@]+"${TIMEOUT[@]}"} "$@" > "$base.out" 2> "$base.err" < /dev/null
    rc=$?
  fi
  $REPORT collect --rows "$ROWS" --impl "$impl" --batch "$b" --steps "$t" --input-size "$d" \
    --hidden-size "$h" --heads "$k" --threads "$THREADS" --rc "$rc" \
    --stdout "$base.out" --stderr "$base.err" --command "$*"
}
skip() {
  local impl=$1 b=$2 t=$3 d=$4 h=$5 k=$6 reason=$7
  $REPORT skip --rows "$ROWS" --impl "$impl" --batch "$b" --steps "$t" --input-size "$d" \
    --hidden-size "$h" --heads "$k" --threads "$THREADS" --reason "$reason"
}

# (B T D H K) lines
if [ "$QUICK" = 1 ]; then
  SHAPES=("2 16 32 32 1" "2 16 32 32 4")
  REF_LIMIT=$((8 * 256 * 256))
  TRAIN=(2 16 256 32 64 2)              # B T vocab embed hidden layers
else
  SHAPES=("8 256 256 256 1" "8 256 256 256 4"
          "32 512 512 512 1" "32 512 512 512 4"
          "1 1024 128 128 1" "1 1024 128 128 4"
          "8 1024 256 256 4")           # T-scaling line
  REF_LIMIT=$((8 * 256 * 256))
  TRAIN=(16 128 256 128 256 2)
fi
COMMON=(--threads "$THREADS" --warmup "$WARMUP" --runs "$RUNS")

LSTM_DONE=" "   # (B.T.D.H) keys already measured; plain string for bash 3 (macOS)
for s in "${SHAPES[@]}"; do
  read -r B T D H K <<< "$s"
  log "shape B=$B T=$T D=$D H=$H heads=$K"
  SH=(--batch "$B" --steps "$T" --input-size "$D" --hidden-size "$H" --heads "$K")
  measure xlstm-fast "$B" "$T" "$D" "$H" "$K" -- "$BIN" bench --kernel fast "${SH[@]}" "${COMMON[@]}"
  if [ "$ALL" = 1 ] || [ $((B * T * H)) -le $REF_LIMIT ]; then
    measure xlstm-reference "$B" "$T" "$D" "$H" "$K" -- "$BIN" bench --kernel reference "${SH[@]}" "${COMMON[@]}"
  else
    skip xlstm-reference "$B" "$T" "$D" "$H" "$K" "B*T*H > 8*256*256 (slow); use --all"
  fi
  # nn.LSTM has no heads: measure once per (B,T,D,H); report.py reuses it.
  if [ "${LSTM_DONE#* $B.$T.$D.$H }" = "$LSTM_DONE" ]; then
    LSTM_DONE="$LSTM_DONE$B.$T.$D.$H "
    measure nn.LSTM "$B" "$T" "$D" "$H" "$K" -- "$PY" "$HERE/baselines.py" --impl nn.LSTM "${SH[@]}" "${COMMON[@]}"
  fi
  if [ "$HAVE_XLSTM" = 1 ]; then
    measure xlstm-official "$B" "$T" "$D" "$H" "$K" -- "$PY" "$HERE/baselines.py" --impl xlstm-official "${SH[@]}" "${COMMON[@]}"
  else
    skip xlstm-official "$B" "$T" "$D" "$H" "$K" "package xlstm not importable"
  fi
  if [ "$HAVE_FLASHRNN" = 1 ]; then
    measure flashrnn "$B" "$T" "$D" "$H" "$K" -- "$PY" "$HERE/baselines.py" --impl flashrnn "${SH[@]}" "${COMMON[@]}"
  else
    skip flashrnn "$B" "$T" "$D" "$H" "$K" "package flashrnn not importable"
  fi
done

read -r TB TT TV TE TH TL <<< "${TRAIN[*]}"
log "training step B=$TB T=$TT vocab=$TV embed=$TE hidden=$TH layers=$TL"
TR=(--batch "$TB" --steps "$TT" --vocab "$TV" --embed "$TE" --hidden-size "$TH" --layers "$TL")
measure xlstm-train "$TB" "$TT" "$TE" "$TH" 1 -- "$BIN" bench-train "${TR[@]}" "${COMMON[@]}"
measure torch-train "$TB" "$TT" "$TE" "$TH" 1 -- "$PY" "$HERE/baselines.py" --impl torch-train "${TR[@]}" "${COMMON[@]}"

# The language model: xLSTM-Large of random weights against transformers' xLSTMForCausalLM.
if [ "$QUICK" = 1 ]; then LMC=(128 2 2 64 2 32 8 4); else LMC=(512 4 6 256 4 512 64 32); fi
read -r LD LK LB LV LBATCH LT LP LN <<< "${LMC[*]}"
log "language model D=$LD heads=$LK blocks=$LB vocab=$LV, prefill ${LBATCH}x$LT, decode after $LP tokens"
if [ -x "$BIN" ]; then
  "$BIN" bench-lm --hidden-size "$LD" --heads "$LK" --blocks "$LB" --vocab "$LV" --batch "$LBATCH" --steps "$LT" \
    --prompt "$LP" --new-tokens "$LN" "${COMMON[@]}" > "$OUTDIR/lm-ours.json" 2> "$OUTDIR/lm-ours.err"
fi
if [ -x "$PY" ]; then
  ${TIMEOUT[@]+"${TIMEOUT[@]}"} "$PY" "$HERE/hf_xlstm_baseline.py" --hidden "$LD" --heads "$LK" --blocks "$LB" --vocab "$LV" \
    --batch "$LBATCH" --seq "$LT" --prompt-tokens "$LP" --new-tokens "$LN" --threads "$THREADS" --warmup "$WARMUP" \
    --runs "$RUNS" > "$OUTDIR/lm-hf.json" 2> "$OUTDIR/lm-hf.err"
fi

# ------------------------------------------------------------------ report ---
ENV_JSON="$OUTDIR/env.json"
INFO="{}"
[ -x "$PY" ] && INFO="$("$PY" "$HERE/baselines.py" --info 2>/dev/null || echo '{}')"
"$SYS_PY" - "$ENV_JSON" "$INFO" "$INSTALL_NOTES" "$BUILD_STATUS" "$BIN" <<PYEOF
import json, sys
path, info, notes, build, binary = sys.argv[1:6]
try:
    env = json.loads(info)
except ValueError:
    env = {}
env.update(quick=bool($QUICK), all=bool($ALL), threads=$THREADS, warmup=$WARMUP, runs=$RUNS,
           build=build, binary=binary,
           train_config=dict(zip(["batch", "steps", "vocab", "embed", "hidden_size", "layers"],
                                 [int(v) for v in "${TRAIN[*]}".split()])),
           install_notes=[l.strip() for l in open(notes) if l.strip()])
json.dump(env, open(path, "w"))
PYEOF
echo
$REPORT table --rows "$ROWS" --env "$ENV_JSON" --out "$HERE/results.json"
$REPORT lm --ours "$OUTDIR/lm-ours.json" --hf "$OUTDIR/lm-hf.json"
