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
#   --no-peers      skip the official xlstm and flashrnn rows (slow at the large shapes)
#   --warmup N      warm-up runs per measurement (default 1; quick: 1)
#   --runs N        timed runs per measurement, median reported (and the fastest, for the floor shares) (default 5; quick: 1)
#   --rounds N      measure our layer rows, nn.LSTM's, the plain build's and the training step N times in turns;
#                   a row reports the median over the rounds and the fastest run of all (default 1)
#   --no-build      do not run `swift build`, use whatever .build-release/release/xlstm is there
#   --no-install    do not pip-install anything (use the venv as it is)
#   --timeout S     per-measurement time limit in seconds (default 1800)
#   -h, --help
#
# This script installs the Python side (Benchmarks/.venv) and builds; then
# `xlstm bench run` measures: every measurement in its own process (so peak
# memory is per measurement); a failing or missing one gives a row with its
# error and the run goes on. Output: the tables on stdout and
# Benchmarks/results.json; install and build logs in Benchmarks/.last-run/.

set -u

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
VENV="$HERE/.venv"
OUTDIR="$HERE/.last-run"
THREADS=2
TORCH_VERSION=2.13.0

QUICK=0; ALL=0; PEERS=1; BUILD=1; INSTALL=1; WARMUP=""; RUNS=""; ROUNDS=1; TIMEOUT_S=1800
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --all) ALL=1 ;;
    --no-peers) PEERS=0 ;;
    --no-build) BUILD=0 ;;
    --no-install) INSTALL=0 ;;
    --warmup) WARMUP="$2"; shift ;;
    --runs) RUNS="$2"; shift ;;
    --rounds) ROUNDS="$2"; shift ;;
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

rm -rf "$OUTDIR"; mkdir -p "$OUTDIR"
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
# BLIS and oneDNN for the matrix-product comparison (Debian's packages; the
# library itself uses OpenBLAS). Without them their columns are missing.
if [ "$INSTALL" = 1 ] && [ "$(uname -s)" = Linux ] \
   && ! { ldconfig -p | grep -q 'libblis\.so\.4' && ldconfig -p | grep -q 'libdnnl\.so\.2'; }; then
  log "apt-get install libblis-dev libdnnl-dev"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libblis-dev libdnnl-dev; } \
    > "$OUTDIR/apt.log" 2>&1 || echo "blis/onednn: apt-get install failed: $(tail -n 1 "$OUTDIR/apt.log")" >> "$INSTALL_NOTES"
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
  # What a package that depends on xLSTM gets without flags, for the plain-build table.
  PLAIN_CMD=(swift build -c release --scratch-path .build-plain --product xlstm)
  log "${PLAIN_CMD[*]}"
  (cd "$ROOT" && "${PLAIN_CMD[@]}") > "$OUTDIR/build-plain.log" 2>&1 \
    || log "plain build failed (see Benchmarks/.last-run/build-plain.log): no plain-build table"
fi
PLAIN_BIN="$ROOT/.build-plain/release/xlstm"

# --------------------------------------------- measurements and the report ---
# `xlstm bench run` measures every row (each in a process of its own) and
# prints the machine, the tables and the ratios.
if [ ! -x "$BIN" ]; then echo "run.sh: $BIN not found (build: $BUILD_STATUS)" >&2; exit 1; fi
OPTS=(--threads "$THREADS" --warmup "$WARMUP" --runs "$RUNS" --rounds "$ROUNDS" --timeout "$TIMEOUT_S" --baselines "$HERE"
      --output "$HERE/results.json")
[ "$QUICK" = 1 ] && OPTS+=(--quick)
[ "$ALL" = 1 ] && OPTS+=(--all)
[ "$PEERS" = 0 ] && OPTS+=(--no-peers)
[ "$TORCH_OK" = 1 ] && OPTS+=(--python "$PY")
[ -z "${XLSTM_BIN:-}" ] && [ -x "$PLAIN_BIN" ] && OPTS+=(--plain-build "$PLAIN_BIN")
echo
"$BIN" bench run "${OPTS[@]}"
