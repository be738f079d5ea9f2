#!/usr/bin/env python3
"""Collect benchmark JSON lines and print the comparison table (stdlib only).

  report.py collect --rows FILE --impl I --batch B ... --rc RC --stdout F --stderr F
      Append one row to FILE (JSON lines): the last JSON object line that the
      measured command printed, or, if it printed none, a row with null timings
      and "error" taken from its exit code and the tail of its stderr.
  report.py skip --rows FILE --impl I ... --reason TEXT
      Append a row that records a measurement that was deliberately not run.
  report.py table --rows FILE [--env FILE] [--out results.json]
      Print the tables (plain text, markdown-compatible) and write results.json.
"""
import argparse
import datetime
import json
import os
import platform
import sys

SCHEMA_KEYS = ("impl", "batch", "steps", "input_size", "hidden_size", "heads",
               "threads", "forward_ms", "forward_backward_ms", "train_step_ms",
               "peak_rss_mb", "rss_increase_mb", "error")
OURS = ("xlstm-fast", "xlstm-reference")
LAYER_IMPLS = ("xlstm-fast", "xlstm-reference", "nn.LSTM", "xlstm-official", "flashrnn")
TRAIN_IMPLS = ("xlstm-train", "torch-train")
SKIP_PREFIX = "skipped"


# ---------------------------------------------------------------- collect ---

def _base_row(a):
    row = {k: None for k in SCHEMA_KEYS}
    row.update(impl=a.impl, batch=a.batch, steps=a.steps, input_size=a.input_size,
               hidden_size=a.hidden_size, heads=a.heads, threads=a.threads)
    return row


def _read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def _last_json_object(text):
    for line in reversed(text.splitlines()):
        line = line.strip()
        if not (line.startswith("{") and line.endswith("}")):
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict) and "impl" in obj:
            return obj
    return None


def _tail(text, n=300):
    lines = [l for l in text.strip().splitlines() if l.strip()]
    return " | ".join(lines[-3:])[-n:] if lines else ""


def collect(a):
    row = _base_row(a)
    out = _read(a.stdout)
    obj = _last_json_object(out)
    if obj is not None:
        for k in SCHEMA_KEYS:
            if k in obj:
                row[k] = obj[k]
        extra = {k: v for k, v in obj.items() if k not in SCHEMA_KEYS}
        row.update(extra)
        # The runner's labels win for the lookup keys, but keep what the
        # program said if it disagrees (visible in results.json).
        for k in ("impl", "batch", "steps", "input_size", "hidden_size", "heads"):
            want = getattr(a, k)
            if obj.get(k) != want and want is not None:
                row.setdefault("reported_" + k, obj.get(k))
                row[k] = want
    if a.rc != 0 and not row.get("error"):
        if a.rc == 124:
            what = "timed out (--timeout)"
        elif a.rc == 137:
            what = "killed (SIGKILL: out of memory?)"
        elif a.rc > 128:
            what = f"killed by signal {a.rc - 128}"
        else:
            what = f"exit code {a.rc}"
        tail = _tail(_read(a.stderr)) or _tail(out)
        row["error"] = f"{what}: {tail}" if tail else what
    if obj is None and not row.get("error"):
        row["error"] = "printed no JSON line: " + (_tail(out) or _tail(_read(a.stderr)))
    if a.command:
        row["command"] = a.command
    with open(a.rows, "a") as f:
        f.write(json.dumps(row) + "\n")
    print(_progress(row))


def skip(a):
    row = _base_row(a)
    row["error"] = f"{SKIP_PREFIX}: {a.reason}"
    with open(a.rows, "a") as f:
        f.write(json.dumps(row) + "\n")
    print(_progress(row))


def _progress(r):
    if r.get("impl") in TRAIN_IMPLS:
        shape = f"B={r['batch']} T={r['steps']} H={r['hidden_size']}"
        nums = f"train step {_ms(r.get('train_step_ms'))} ms"
    else:
        shape = (f"B={r['batch']} T={r['steps']} D={r['input_size']} "
                 f"H={r['hidden_size']} K={r['heads']}")
        nums = (f"fwd {_ms(r.get('forward_ms'))} ms, fwd+bwd "
                f"{_ms(r.get('forward_backward_ms'))} ms")
    mem = f"rss +{_num(r.get('rss_increase_mb'))} MB (peak {_num(r.get('peak_rss_mb'))} MB)"
    err = f"  [{r['error']}]" if r.get("error") else ""
    return f"  {r['impl']:<16} {shape:<34} {nums}, {mem}{err}"


# ------------------------------------------------------------------ table ---

def _ms(v):
    if v is None:
        return "-"
    if v >= 100:
        return f"{v:.0f}"
    if v >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def _num(v):
    return "-" if v is None else f"{v:.0f}"


def _ratio(ours, base):
    if ours is None or base is None or base <= 0:
        return None
    return round(ours / base, 3)


def _fmt_ratio(r):
    return "-" if r is None else f"{r:.2f}"


def load_rows(path):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                try:
                    rows.append(json.loads(line))
                except ValueError:
                    pass
    return rows


def _status(r):
    err = r.get("error")
    if not err:
        return ""
    if err.startswith(SKIP_PREFIX):
        return err[:80]
    return "ERROR: " + err.replace("|", "/")[:80]


def md_table(header, rows, right):
    """Aligned markdown table. right: set of column indexes to right-align."""
    cells = [[str(c) for c in r] for r in rows]
    widths = [max([len(header[i])] + [len(r[i]) for r in cells]) for i in range(len(header))]

    def line(vals):
        out = []
        for i, v in enumerate(vals):
            out.append(v.rjust(widths[i]) if i in right else v.ljust(widths[i]))
        return "| " + " | ".join(out) + " |"
    sep = "|" + "|".join(("-" * (w + 1) + ":") if i in right else ("-" * (w + 2))
                         for i, w in enumerate(widths)) + "|"
    return "\n".join([line(header), sep] + [line(r) for r in cells])


def layer_section(rows):
    layer = [r for r in rows if r.get("impl") in LAYER_IMPLS]
    shapes = []
    for r in layer:
        key = (r["batch"], r["steps"], r["input_size"], r["hidden_size"], r["heads"])
        if key not in shapes:
            shapes.append(key)

    def find(impl, key):
        hits = [r for r in layer if r["impl"] == impl and
                (r["batch"], r["steps"], r["input_size"], r["hidden_size"], r["heads"]) == key]
        if not hits and impl == "nn.LSTM":  # no heads: one run serves every K
            hits = [r for r in layer if r["impl"] == impl and
                    (r["batch"], r["steps"], r["input_size"], r["hidden_size"]) == key[:4]]
        ok = [h for h in hits if not h.get("error")]
        return (ok or hits or [None])[-1]

    table, comparisons = [], []
    for key in shapes:
        B, T, D, H, K = key
        base = find("nn.LSTM", key)
        off = find("xlstm-official", key)
        comp = {"batch": B, "steps": T, "input_size": D, "hidden_size": H, "heads": K,
                "impls": {}}
        for impl in LAYER_IMPLS:
            r = find(impl, key)
            if r is None:
                continue
            fwd, fb = r.get("forward_ms"), r.get("forward_backward_ms")
            entry = {"forward_ms": fwd, "forward_backward_ms": fb,
                     "peak_rss_mb": r.get("peak_rss_mb"),
                     "rss_increase_mb": r.get("rss_increase_mb"),
                     "error": r.get("error")}
            ratios = ["", "", "", ""]
            if impl in OURS:
                b_f = base.get("forward_ms") if base else None
                b_fb = base.get("forward_backward_ms") if base else None
                o_f = off.get("forward_ms") if off else None
                o_fb = off.get("forward_backward_ms") if off else None
                entry.update(
                    fwd_vs_nn_lstm=_ratio(fwd, b_f), fwd_bwd_vs_nn_lstm=_ratio(fb, b_fb),
                    fwd_vs_xlstm_official=_ratio(fwd, o_f),
                    fwd_bwd_vs_xlstm_official=_ratio(fb, o_fb))
                ratios = [_fmt_ratio(entry["fwd_vs_nn_lstm"]), _fmt_ratio(entry["fwd_bwd_vs_nn_lstm"]),
                          _fmt_ratio(entry["fwd_vs_xlstm_official"]),
                          _fmt_ratio(entry["fwd_bwd_vs_xlstm_official"])]
            comp["impls"][impl] = entry
            shape = f"{B}x{T}x{D}->{H}"
            note = _status(r)
            if impl == "nn.LSTM" and r.get("heads") != K and not note:
                note = f"no heads: same run as K={r.get('heads')}"
                entry["measured_with_heads"] = r.get("heads")
            table.append([shape, K, impl, _ms(fwd), _ms(fb)] + ratios +
                         [_num(r.get("rss_increase_mb")), _num(r.get("peak_rss_mb")), note])
        comparisons.append(comp)
    header = ["B x T x D -> H", "K", "impl", "fwd ms", "fwd+bwd ms",
              "fwd / nn.LSTM", "f+b / nn.LSTM", "fwd / official", "f+b / official",
              "RSS +MB", "peak MB", "note"]
    right = {1, 3, 4, 5, 6, 7, 8, 9, 10}
    return (md_table(header, table, right) if table else "(no layer measurements)"), comparisons


def train_section(rows):
    train = [r for r in rows if r.get("impl") in TRAIN_IMPLS]
    if not train:
        return "(no training-step measurements)", []
    by = {}
    for r in train:
        by.setdefault((r["batch"], r["steps"], r["hidden_size"]), {})[r["impl"]] = r
    table, out = [], []
    for (B, T, H), d in by.items():
        base = d.get("torch-train")
        ours = d.get("xlstm-train")
        ratio = _ratio(ours.get("train_step_ms") if ours else None,
                       base.get("train_step_ms") if base else None)
        out.append({"batch": B, "steps": T, "hidden_size": H,
                    "xlstm_train_vs_torch_train": ratio,
                    "impls": {k: {kk: v.get(kk) for kk in ("train_step_ms", "peak_rss_mb",
                                                            "rss_increase_mb", "error")}
                              for k, v in d.items()}})
        for impl in TRAIN_IMPLS:
            r = d.get(impl)
            if r is None:
                continue
            table.append([f"{B}x{T}", H, impl, _ms(r.get("train_step_ms")),
                          _fmt_ratio(ratio) if impl == "xlstm-train" else "",
                          _num(r.get("rss_increase_mb")), _num(r.get("peak_rss_mb")), _status(r)])
    header = ["B x T", "H", "impl", "step ms", "ours / torch", "RSS +MB", "peak MB", "note"]
    return md_table(header, table, {1, 3, 4, 5, 6}), out


def table(a):
    rows = load_rows(a.rows)
    env = {}
    if a.env and os.path.exists(a.env):
        try:
            with open(a.env) as f:
                env = json.load(f)
        except ValueError:
            env = {}
    layer_txt, comparisons = layer_section(rows)
    train_txt, train = train_section(rows)
    meta = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": platform.machine(), "system": platform.system(),
        "cpu": _cpu_model(), "cores": os.cpu_count(),
    }
    meta.update(env)
    title = (f"xLSTM benchmark  {meta['date']}  {meta.get('cpu') or ''} "
             f"({meta.get('cores')} cores), threads {meta.get('threads', 2)}"
             f"{'  [QUICK: tiny shapes, 1 run, not a measurement]' if meta.get('quick') else ''}")
    pk = []
    for name in ("torch", "xlstm", "flashrnn"):
        v = meta.get(name)
        if isinstance(v, dict):
            v = v.get("version") if v.get("import") == "ok" else \
                "unavailable (" + str(v.get("import"))[:60] + ")"
        pk.append(f"{name} {v if v else 'unavailable'}")
    if meta.get("build"):
        pk.append(f"swift build: {meta['build']}")
    print(title)
    print("; ".join(pk))
    print()
    print("Layer: one sLSTM/LSTM layer, x (B,T,D) -> h (B,T,H), Float32, median ms. "
          "Ratios are ours / baseline (< 1 means ours is faster).")
    print()
    print(layer_txt)
    print()
    print("Training step: Embedding -> 2-layer recurrent -> Linear -> cross-entropy -> Adam step.")
    print()
    print(train_txt)
    print()
    result = {"meta": meta, "layer": comparisons, "train": train, "rows": rows}
    if a.out:
        with open(a.out, "w") as f:
            json.dump(result, f, indent=1)
            f.write("\n")
        print(f"wrote {a.out}")


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def lm_table(a):
    """The language-model rows: `xlstm bench-lm` against hf_xlstm_baseline.py
    (transformers' xLSTMForCausalLM), same configuration, same run."""
    ours = _last_json_object(_read(a.ours)) or {}
    hf = _last_json_object(_read(a.hf)) or {}
    tokens = ours.get("batch", 0) * ours.get("steps", 0)
    ours_prefill = tokens / ours["prefill_ms"] * 1e3 if ours.get("prefill_ms") else None
    ours_train = tokens / ours["train_ms"] * 1e3 if ours.get("train_ms") else None
    hf_prefill = (hf.get("prefill") or {}).get("tokens_per_s")
    hf_decode = (hf.get("decode") or {}).get("ms_per_token")
    ours_decode = ours.get("decode_ms_per_token")

    def fmt(v, digits=0):
        return "error" if v is None else f"{v:.{digits}f}"

    def ratio(x, y):
        return "" if x is None or y is None or y == 0 else f"{x / y:.2f}"

    print(f"\nLanguage model: D={ours.get('hidden_size')} heads={ours.get('heads')} blocks={ours.get('blocks')} "
          f"V={ours.get('vocab')} ({ours.get('parameters')} parameters), {ours.get('threads')} threads; "
          f"transformers: {hf.get('versions', {}).get('transformers', 'not run')}"
          + (f" (error: {hf['error']})" if hf.get("error") else ""))
    rows = [
        ["prefill tokens/s (B x T = %d)" % tokens, fmt(ours_prefill), fmt(hf_prefill), ratio(ours_prefill, hf_prefill), ">= 2"],
        ["training tokens/s (forward + backward)", fmt(ours_train), "not measured (transformers 5.24 training fails "
         "with its default use_cache=True: in-place error)", "", ""],
        ["ms per generated token (greedy, %s-token prompt)" % ours.get("prompt"), fmt(ours_decode, 1),
         fmt(hf_decode, 1), ratio(ours_decode, hf_decode), "<= 0.5"],
        ["peak RSS MB (ours)", fmt(ours.get("peak_rss_mb")), "", "", ""],
    ]
    print(md_table(["measure", "ours", "transformers", "ours / transformers", "target"], rows, right={1, 2, 3}))


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("collect", "skip"):
        s = sub.add_parser(name)
        s.add_argument("--rows", required=True)
        s.add_argument("--impl", required=True)
        for k in ("batch", "steps", "input-size", "hidden-size", "heads"):
            s.add_argument("--" + k, type=int, required=True)
        s.add_argument("--threads", type=int, default=2)
        if name == "collect":
            s.add_argument("--rc", type=int, required=True)
            s.add_argument("--stdout", required=True)
            s.add_argument("--stderr", required=True)
            s.add_argument("--command", default=None)
        else:
            s.add_argument("--reason", required=True)
    t = sub.add_parser("table")
    t.add_argument("--rows", required=True)
    t.add_argument("--env", default=None, help="JSON object merged into results.json meta")
    t.add_argument("--out", default=None, help="write results.json here")
    lm = sub.add_parser("lm")
    lm.add_argument("--ours", required=True, help="the JSON line of xlstm bench-lm")
    lm.add_argument("--hf", required=True, help="the JSON line of hf_xlstm_baseline.py")
    a = p.parse_args()
    {"collect": collect, "skip": skip, "table": table, "lm": lm_table}[a.cmd](a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
