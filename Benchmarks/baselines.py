#!/usr/bin/env python3
"""PyTorch baselines for the xLSTM benchmark (see Benchmarks/README.md).

One process = one measurement. Prints exactly ONE JSON line on stdout, with the
same schema as `xlstm bench layer` / `xlstm bench train`:

  {"impl", "batch", "steps", "input_size", "hidden_size", "heads", "threads",
   "forward_ms", "forward_backward_ms", "forward_best_ms",
   "forward_backward_best_ms", "train_step_ms", "peak_rss_mb", "rss_increase_mb",
   "error"}

Implementations (--impl):
  nn.LSTM         torch.nn.LSTM(D, H, batch_first=True), one layer (oneDNN on CPU).
                  It has no heads: the number is the same for every --heads.
  xlstm-official  the official `xlstm` package's sLSTM cell, vanilla (pure
                  PyTorch) backend, float32, with a dense nn.Linear(D, 4H) input
                  projection in front (see make_xlstm_official).
  flashrnn        the `flashrnn` package's sLSTM, "vanilla" (pure PyTorch)
                  backend, float32, same dense input projection (see make_flashrnn).
  torch-train     end-to-end training step: Embedding(V, E) -> nn.LSTM(E, H,
                  num_layers=L) -> Linear(H, V) -> cross-entropy -> Adam step.
  --info          print one JSON object with versions / import status and exit.

Timing: warm-up runs first (not timed), then --runs timed runs; the median is
reported (milliseconds, wall clock, time.perf_counter); for the layers also
the fastest run (forward_best_ms, forward_backward_best_ms), which the runner's
FLOP-floor shares use.
  forward_ms           model(x) under torch.no_grad().
  forward_backward_ms  zero grads + model(x) with autograd + loss =
                       (out * fixed random upstream).sum() + loss.backward().
                       x requires grad too (full backward, as for a stacked layer).
  train_step_ms        zero grads + forward + cross-entropy + backward + Adam step.

Memory (Linux): rss_before = VmRSS right before the first forward (after imports,
model and input creation); then the kernel's peak-RSS counter is reset
(/proc/self/clear_refs <- 5) so that the peak seen afterwards belongs to the
measurement.  rss_increase_mb = peak after reset - rss_before (the fair number);
peak_rss_mb = peak RSS over the whole process life (ru_maxrss, incl. imports).
Elsewhere (macOS) rss_before falls back to ru_maxrss at that point.
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time
import traceback

SCHEMA_KEYS = ("impl", "batch", "steps", "input_size", "hidden_size", "heads",
               "threads", "forward_ms", "forward_backward_ms", "forward_best_ms",
               "forward_backward_best_ms", "train_step_ms",
               "peak_rss_mb", "rss_increase_mb", "error")


# ----------------------------------------------------------------- memory ---

def _maxrss_mb():
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes.
    return r / (1024.0 * 1024.0) if sys.platform == "darwin" else r / 1024.0


def _proc_status_mb(field):
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024.0  # kB
    except OSError:
        pass
    return None


class Memory:
    """rss before the measurement, peak during it, lifetime peak."""

    def start(self):
        self.lifetime_peak_before = _maxrss_mb()
        cur = _proc_status_mb("VmRSS")
        self.reset_ok = False
        if cur is not None:
            try:
                with open("/proc/self/clear_refs", "w") as f:
                    f.write("5")  # reset VmHWM (peak RSS) to the current RSS
                self.reset_ok = True
            except OSError:
                pass
        self.rss_before = cur if cur is not None else self.lifetime_peak_before

    def finish(self):
        if self.reset_ok:
            peak_window = _proc_status_mb("VmHWM")
            if peak_window is None:
                peak_window = _maxrss_mb()
        else:
            peak_window = _maxrss_mb()
        peak_life = max(self.lifetime_peak_before, _maxrss_mb(), peak_window)
        return round(peak_life, 1), round(max(0.0, peak_window - self.rss_before), 1)


# ----------------------------------------------------------------- timing ---

# Warm-up lasts at least this long as well as --warmup runs (none with
# --warmup 0), the same rule as ours (Sources/xLSTMCLI/Measurement.swift):
# start-up work of the libraries' thread pools stays out of the timed runs.
MIN_WARMUP_S = 0.3


def run_times_ms(fn, warmup, runs):
    """The median and the fastest of the timed runs, in milliseconds."""
    start = time.perf_counter()
    for _ in range(warmup):
        fn()
    while warmup > 0 and time.perf_counter() - start < MIN_WARMUP_S:
        fn()
    times = []
    for _ in range(max(1, runs)):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000.0)
    return round(statistics.median(times), 3), round(min(times), 3)


# ----------------------------------------------------------------- models ---

def make_nn_lstm(torch, a):
    lstm = torch.nn.LSTM(a.input_size, a.hidden_size, num_layers=1, batch_first=True)

    def run(x):
        return lstm(x)[0]  # (B, T, H)
    return lstm, run


def make_xlstm_official(torch, a):
    # Official package `xlstm` (NX-AI), sLSTM cell with the vanilla backend:
    #   sLSTMCellConfig(hidden_size=H, num_heads=K, backend="vanilla",
    #                   dtype="float32", input_shape="BSGNH", output_shape="BSH",
    #                   recurrent_weight_init="standard")
    # The cell consumes gate pre-activations (B, T, 4H) laid out [gate, head, d]
    # and adds R h_{t-1} (block-diagonal per head, all 4 gates: memory mixing)
    # and its bias. We put a dense nn.Linear(D, 4H, bias=False) in front, so the
    # module maps x (B, T, D) -> h (B, T, H) exactly like our sLSTM layer and
    # nn.LSTM (dense W, per-head R, bias). We use the cell rather than
    # sLSTMLayer/sLSTMBlock because those add a causal conv, head-wise (block-
    # diagonal) input projections, group norm and (block) an FFN, which our
    # sLSTM layer does not have. --official-module layer selects sLSTMLayer
    # instead (embedding_dim = H = D required, conv1d_kernel_size=0).
    # recurrent_weight_init="standard" (not the package default "zeros") so
    # the recurrent matmul works on real numbers; speed does not depend on it.
    # Its forget gate is the sigmoid one (logsigmoid(f~)); the vanilla forward is
    # a Python loop over T with autograd through every step.
    if a.official_module == "layer":
        from xlstm.blocks.slstm.layer import sLSTMLayer, sLSTMLayerConfig
        if a.input_size != a.hidden_size:
            raise ValueError("sLSTMLayer needs input_size == hidden_size")
        cfg = sLSTMLayerConfig(embedding_dim=a.hidden_size, num_heads=a.heads,
                               backend="vanilla", dtype="float32",
                               conv1d_kernel_size=0, dropout=0.0,
                               recurrent_weight_init="standard")
        layer = sLSTMLayer(cfg)
        layer.reset_parameters()
        return layer, lambda x: layer(x)

    from xlstm.blocks.slstm.cell import sLSTMCell, sLSTMCellConfig
    cfg = sLSTMCellConfig(hidden_size=a.hidden_size, num_heads=a.heads,
                          backend="vanilla", dtype="float32",
                          input_shape="BSGNH", output_shape="BSH",
                          recurrent_weight_init="standard")
    cell = sLSTMCell(cfg)
    proj = torch.nn.Linear(a.input_size, 4 * a.hidden_size, bias=False)
    model = torch.nn.ModuleDict({"proj": proj, "cell": cell})

    def run(x):
        out, _state = cell(proj(x))
        return out  # (B, T, H)
    return model, run


def make_flashrnn(torch, a):
    # Package `flashrnn` (NX-AI), function "slstm", backend "vanilla" (pure
    # PyTorch loop over T, autograd through it; the other backends need CUDA or
    # Triton on a GPU), dtype "float32". Shapes: Wx (B, T, 4, K, d) ["BTGHD"],
    # R (4, K, d, d) ["GHDP"], b (4, K, d) ["GHD"]; output (states, B, T, K, d),
    # we take state 0 (h). Dense nn.Linear(D, 4H, bias=False) input projection in
    # front, as for xlstm-official.
    from flashrnn import flashrnn as flashrnn_fn
    from flashrnn import FlashRNNConfig
    K, H = a.heads, a.hidden_size
    d = H // K
    if d * K != H:
        raise ValueError("hidden_size must be divisible by heads")
    proj = torch.nn.Linear(a.input_size, 4 * H, bias=False)
    R = torch.nn.Parameter(torch.empty(4, K, d, d).uniform_(-1.0 / d ** 0.5, 1.0 / d ** 0.5))
    b = torch.nn.Parameter(torch.zeros(4, K, d))
    model = torch.nn.Module()
    model.proj, model.R, model.b = proj, R, b
    cfg = FlashRNNConfig(function="slstm", backend="vanilla", num_heads=K,
                         head_dim=d, batch_size=a.batch, dtype="float32",
                         dtype_w="float32", dtype_r="float32", dtype_b="float32")

    def run(x):
        B, T, _ = x.shape
        wx = proj(x).view(B, T, 4, K, d)
        h, _last = flashrnn_fn(wx, R, b, function="slstm", config=cfg)
        return h[0].reshape(B, T, H)
    return model, run


MAKERS = {"nn.LSTM": make_nn_lstm, "xlstm-official": make_xlstm_official,
          "flashrnn": make_flashrnn}


# -------------------------------------------------------------- measuring ---

def measure_layer(torch, a, row, mem):
    model, run = MAKERS[a.impl](torch, a)
    model.train()
    gen = torch.Generator().manual_seed(a.seed)
    x = torch.randn(a.batch, a.steps, a.input_size, generator=gen)
    upstream = torch.randn(a.batch, a.steps, a.hidden_size, generator=gen)
    x.requires_grad_(True)

    def fwd():  # the shape check costs nothing next to the forward
        with torch.no_grad():
            out = run(x)
        if tuple(out.shape) != (a.batch, a.steps, a.hidden_size):
            raise RuntimeError(f"unexpected output shape {tuple(out.shape)}")
        return out

    def fwd_bwd():
        model.zero_grad(set_to_none=True)
        x.grad = None
        out = run(x)
        loss = (out * upstream).sum()
        loss.backward()

    mem.start()
    if not a.skip_forward:
        row["forward_ms"], row["forward_best_ms"] = run_times_ms(fwd, a.warmup, a.runs)
    if not a.skip_backward:
        row["forward_backward_ms"], row["forward_backward_best_ms"] = run_times_ms(fwd_bwd, a.warmup, a.runs)


def measure_train(torch, a, row, mem):
    V, E, H, L = a.vocab, a.embed, a.hidden_size, a.layers

    class LM(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = torch.nn.Embedding(V, E)
            self.lstm = torch.nn.LSTM(E, H, num_layers=L, batch_first=True)
            self.head = torch.nn.Linear(H, V)

        def forward(self, tokens):
            return self.head(self.lstm(self.emb(tokens))[0])

    model = LM()
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    gen = torch.Generator().manual_seed(a.seed)
    tokens = torch.randint(0, V, (a.batch, a.steps + 1), generator=gen)
    inputs, targets = tokens[:, :-1].contiguous(), tokens[:, 1:].contiguous()
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad(set_to_none=True)
        logits = model(inputs)
        loss = loss_fn(logits.reshape(-1, V), targets.reshape(-1))
        loss.backward()
        opt.step()

    mem.start()
    row["train_step_ms"], _ = run_times_ms(step, a.warmup, a.runs)


def info():
    out = {"python": sys.version.split()[0]}
    try:
        import torch
        out["torch"] = torch.__version__
        out["torch_threads_default"] = torch.get_num_threads()
        out["mkldnn"] = bool(torch.backends.mkldnn.is_available())
    except Exception as e:  # noqa: BLE001
        out["torch"] = None
        out["torch_error"] = f"{type(e).__name__}: {e}"
    for name in ("xlstm", "flashrnn"):
        try:
            from importlib.metadata import version
            ver = version(name)
        except Exception:  # noqa: BLE001
            ver = None
        try:
            __import__(name)
            out[name] = {"version": ver, "import": "ok"}
        except Exception as e:  # noqa: BLE001
            out[name] = {"version": ver, "import": f"{type(e).__name__}: {e}"[:300]}
    print(json.dumps(out))


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--info", action="store_true")
    p.add_argument("--impl", choices=["nn.LSTM", "xlstm-official", "flashrnn", "torch-train"])
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--steps", type=int, default=256)
    p.add_argument("--input-size", type=int, default=None, help="D (default H; torch-train: = --embed)")
    p.add_argument("--hidden-size", type=int, default=256)
    p.add_argument("--heads", type=int, default=1)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--vocab", type=int, default=256)
    p.add_argument("--embed", type=int, default=128)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--official-module", choices=["cell", "layer"], default="cell",
                   help="xlstm-official: cell = Linear(D,4H) + sLSTMCell (default); layer = sLSTMLayer")
    p.add_argument("--skip-forward", action="store_true")
    p.add_argument("--skip-backward", action="store_true")
    a = p.parse_args()

    if a.info:
        info()
        return 0
    if a.impl is None:
        p.error("--impl is required")
    if a.input_size is None:
        a.input_size = a.embed if a.impl == "torch-train" else a.hidden_size
    if a.impl == "torch-train":
        a.input_size = a.embed

    row = {k: None for k in SCHEMA_KEYS}
    row.update(impl=a.impl, batch=a.batch, steps=a.steps, input_size=a.input_size,
               hidden_size=a.hidden_size, heads=a.heads, threads=a.threads)
    mem = Memory()
    rc = 0
    try:
        import torch
        torch.set_num_threads(a.threads)
        torch.manual_seed(a.seed)
        if a.impl == "torch-train":
            measure_train(torch, a, row, mem)
        else:
            measure_layer(torch, a, row, mem)
    except BaseException as e:  # noqa: BLE001  (incl. KeyboardInterrupt, MemoryError)
        traceback.print_exc(file=sys.stderr)
        row["error"] = f"{type(e).__name__}: {e}".strip()[:500]
        rc = 1
    if not hasattr(mem, "rss_before"):
        mem.start()
    row["peak_rss_mb"], row["rss_increase_mb"] = mem.finish()
    sys.stdout.write(json.dumps(row) + "\n")
    sys.stdout.flush()
    return rc


if __name__ == "__main__":
    sys.exit(main())
