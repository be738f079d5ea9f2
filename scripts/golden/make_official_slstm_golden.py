#!/usr/bin/env python3
"""Golden files from the official NX-AI `xlstm` sLSTM cell (vanilla backend).

What it makes
    Tests/xLSTMTests/Fixtures/official_slstm_<name>.safetensors, one file per
    configuration in CONFIGS, each holding

      weight_ih_l0  (4H, 4H) F32  our parameters, converted from the official
      weight_hh_l0  (K, 4d, d) F32  cell by scripts/convert/convert_official_slstm.py
      bias_l0       (4H,)    F32
      input         (T, B, 4H) F32  the official cell's input (gate
                                    pre-activations, official layout); our
                                    layer reads it as x (weight_ih_l0 maps it)
      output        (T, B, H)  F64  the official h at every step, unit k*d + j
      final_h, final_c, final_n, final_m  (B, H) F64  the official final state

    and __metadata__: "config" (our sLSTMConfiguration as JSON, inputSize 4H,
    forgetGate "sigmoid"), "source" (xlstm and torch versions), "backend"
    ("vanilla"), "official_dtype" ("float64") and "description".

    Parameters and input are random float32 values; the official cell runs on
    exactly those values in float64 (its vanilla backend computes in the dtype
    of its input and parameters), from the zero state, so the stored outputs
    are a float64 reference for a float32 or float64 run of our layer.

Self-checks run every time (the script fails on any of them)
    - the official cell run in float32 agrees with its float64 run (1e-5,
      relative to the largest magnitude), so float64 is no different model;
    - OUR math (the formulas of DESIGN section 1, sigmoid forget gate), written
      here in plain PyTorch float64 and fed the CONVERTED tensors and `input`,
      reproduces the official float64 outputs and final state (1e-12) and the
      official float32 outputs (1e-5);
    - the cuda backend's stored layout converts to the same tensors (built with
      skip_backend_init, no GPU needed), so the converter's cuda branch agrees;
    - both branches of the stabilizer (m = i~ and m = log f + m_prev) occur in
      every configuration after the first step.

How to run (from the repository root)
    python3 -m venv scripts/.venv
    scripts/.venv/bin/pip install torch==2.13.0 safetensors numpy xlstm
    scripts/.venv/bin/python scripts/golden/make_official_slstm_golden.py
"""

import copy
import importlib.metadata
import json
import os
import struct
import sys
import warnings

warnings.filterwarnings("ignore", message="Failed to initialize NumPy")

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from safetensors import safe_open  # noqa: E402
from safetensors.torch import load_file  # noqa: E402

from xlstm.blocks.slstm.cell import sLSTMCell, sLSTMCell_cuda, sLSTMCellConfig  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
OUT_DIR = os.path.join(REPO, "Tests", "xLSTMTests", "Fixtures")
sys.path.insert(0, os.path.join(REPO, "scripts", "convert"))

from convert_official_slstm import convert_cell_tensors, save_ours  # noqa: E402

torch.set_num_threads(1)

CONFIGS = [
    dict(name="1head", T=5, B=2, H=8, K=1, seed=2001),
    dict(name="3heads", T=7, B=3, H=12, K=3, seed=2002),
    dict(name="4heads", T=4, B=1, H=16, K=4, seed=2003),
]

# Spread of the random official parameters and inputs, chosen so that every
# gate varies and the stabilizer takes both branches: the recurrent weights are
# large enough for h_{t-1} to matter, the forget bias leans to "remember" but
# not to saturation, and the inputs (pre-activations) are of order 1.
RECURRENT_STD = 0.8          # times 1/sqrt(d)
BIAS_RANGES = {"i": (-1.0, 1.0), "f": (-1.0, 3.0), "z": (-1.0, 1.0), "o": (-1.0, 1.0)}
INPUT_STD = 1.5


def versions():
    return {
        "xlstm": importlib.metadata.version("xlstm"),
        "torch": torch.__version__,
    }


def official_cell(H, K, backend="vanilla"):
    """An official sLSTMCell with a config of its own (the cell edits its config)."""
    cfg = sLSTMCellConfig(hidden_size=H, num_heads=K, backend=backend)
    if backend == "cuda":
        return sLSTMCell_cuda(cfg, skip_backend_init=True)
    return sLSTMCell(cfg)


def random_official_parameters(gen, H, K):
    """Random parameters in the official EXTERNAL views, float32 values.

    recurrent kernel (K, d, 4, d) [k, e, g, j]; bias (K, 4, d) [k, g, j].
    """
    d = H // K
    R_ext = torch.randn((K, d, 4, d), generator=gen) * (RECURRENT_STD / d ** 0.5)
    b_ext = torch.empty((K, 4, d))
    for g, gate in enumerate("ifzo"):
        lo, hi = BIAS_RANGES[gate]
        b_ext[:, g, :] = lo + (hi - lo) * torch.rand((K, d), generator=gen)
    return R_ext.float(), b_ext.float()


def set_official_parameters(cell, R_ext, b_ext):
    """Set a cell's parameters through its own proxies (its ext -> int maps)."""
    cell.recurrent_kernel[:] = R_ext
    cell.bias[:] = b_ext


def run_official(cell, x_bsg, dtype):
    """Run the official cell over a batch-first input (B, T, 4H) from the zero state.

    Returns output (T, B, H) in unit order k*d + j and the final (h, c, n, m),
    each (B, H). The cell's default output_shape is "BNSH" = (B, K, T, d).
    """
    cell = copy.deepcopy(cell).to(dtype)
    with torch.no_grad():
        out, state = cell(x_bsg.to(dtype))
    Bn, K, T, d = out.shape
    out = out.permute(2, 0, 1, 3).reshape(T, Bn, K * d)
    h, c, n, m = state.unbind(0)   # the official state order: y (= h), c, n, m
    return out, (h, c, n, m)


# --------------------------------------------------------------------------
# OUR math, plain PyTorch float64, on the converted tensors
# --------------------------------------------------------------------------

def our_recurrent(R, h):
    """Gate-major (B, 4H): gate g of unit k*d + j gets sum_e R[k, g*d + j, e] h[k*d + e]."""
    K, four_d, d = R.shape
    Bn = h.shape[0]
    r = torch.einsum("kre,bke->bkr", R, h.reshape(Bn, K, d))     # (B, K, 4d)
    return r.reshape(Bn, K, 4, d).permute(0, 2, 1, 3).reshape(Bn, 4 * K * d)


def our_slstm(x, W, R, b, counts=None):
    """One layer, sigmoid forget gate, zero initial state. x: (T, B, D)."""
    T, Bn, _ = x.shape
    H = W.shape[0] // 4
    h = torch.zeros(Bn, H, dtype=x.dtype)
    c, n, m = torch.zeros_like(h), torch.zeros_like(h), torch.zeros_like(h)
    outs = []
    for t in range(T):
        pre = x[t] @ W.T + our_recurrent(R, h) + b
        i_pre, f_pre, z_pre, o_pre = pre.split(H, dim=1)
        log_f = F.logsigmoid(f_pre)
        first = n == 0                                   # per element
        a = log_f + m
        m_new = torch.where(first, i_pre, torch.maximum(i_pre, a))
        i_p = torch.where(first, torch.ones_like(i_pre), torch.exp(i_pre - m_new))
        f_p = torch.where(first, torch.zeros_like(a), torch.exp(a - m_new))
        c = f_p * c + i_p * torch.tanh(z_pre)
        n = f_p * n + i_p
        h = torch.sigmoid(o_pre) * c / n
        if counts is not None and t > 0:
            counts["m=i"] += int((~first & (i_pre > a)).sum())
            counts["m=logf+m"] += int((~first & (i_pre <= a)).sum())
        m = m_new
        outs.append(h)
    return torch.stack(outs), (h, c, n, m)


def canonicalize_header(path):
    """Rewrite a safetensors header with its __metadata__ keys sorted.

    safetensors writes the metadata map in hash order, which changes from run
    to run; sorting it makes the files byte-identical across runs (no diff when
    regenerated). The tensor entries and the data are left as they are. The
    header is padded with spaces to a multiple of 8 bytes, as the format allows.
    """
    with open(path, "rb") as fh:
        blob = fh.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    header["__metadata__"] = dict(sorted(header["__metadata__"].items()))
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as fh:
        fh.write(struct.pack("<Q", len(text)) + text + blob[8 + n:])


def rel_err(a, b):
    """max |a - b| relative to the largest |b|."""
    return float((a - b).abs().max() / max(float(b.abs().max()), 1e-300))


# --------------------------------------------------------------------------

def make(cfg, ver):
    name, T, Bn, H, K = cfg["name"], cfg["T"], cfg["B"], cfg["H"], cfg["K"]
    gen = torch.Generator().manual_seed(cfg["seed"])
    R_ext, b_ext = random_official_parameters(gen, H, K)
    x_bsg = (torch.randn((Bn, T, 4 * H), generator=gen) * INPUT_STD).float()   # official: batch first

    cell = official_cell(H, K, "vanilla")
    set_official_parameters(cell, R_ext, b_ext)
    sd = cell.state_dict()
    assert set(sd) == {"_recurrent_kernel_", "_bias_"}, sorted(sd)
    ours = convert_cell_tensors(sd["_recurrent_kernel_"], sd["_bias_"], H, K)

    # the cuda backend's stored layout must convert to the same tensors
    cuda_cell = official_cell(H, K, "cuda")
    set_official_parameters(cuda_cell, R_ext, b_ext)
    csd = cuda_cell.state_dict()
    ours_from_cuda = convert_cell_tensors(csd["_recurrent_kernel_"], csd["_bias_"], H, K, backend="cuda")
    for key in ours:
        assert torch.equal(ours[key], ours_from_cuda[key]), f"{name}: cuda conversion differs in {key}"

    out64, fin64 = run_official(cell, x_bsg, torch.float64)
    out32, fin32 = run_official(cell, x_bsg, torch.float32)
    x = x_bsg.transpose(0, 1).contiguous()               # (T, B, 4H), what our layer reads
    assert torch.equal(out64[-1], fin64[0])

    counts = {"m=i": 0, "m=logf+m": 0}
    mine, mine_fin = our_slstm(x.double(), *(ours[k].double() for k in ("weight_ih_l0", "weight_hh_l0", "bias_l0")),
                               counts=counts)

    errs = {
        "official f32 vs f64": max(rel_err(out32.double(), out64),
                                   *(rel_err(a.double(), b) for a, b in zip(fin32, fin64))),
        "ours f64 vs official f64": max(rel_err(mine, out64),
                                        *(rel_err(a, b) for a, b in zip(mine_fin, fin64))),
        "ours f64 vs official f32": max(rel_err(mine, out32.double()),
                                        *(rel_err(a, b.double()) for a, b in zip(mine_fin, fin32))),
    }
    assert errs["official f32 vs f64"] <= 1e-5, (name, errs)
    assert errs["ours f64 vs official f64"] <= 1e-12, (name, errs)
    assert errs["ours f64 vs official f32"] <= 1e-5, (name, errs)
    assert counts["m=i"] > 0 and counts["m=logf+m"] > 0, (name, counts)

    tensors = dict(ours)
    tensors["input"] = x
    tensors["output"] = out64
    for key, v in zip(("final_h", "final_c", "final_n", "final_m"), fin64):
        tensors[key] = v
    path = os.path.join(OUT_DIR, f"official_slstm_{name}.safetensors")
    save_ours(tensors, path, H, K, extra_metadata={
        "source": f"xlstm {ver['xlstm']} (PyPI), torch {ver['torch']}",
        "backend": "vanilla",
        "official_dtype": "float64",
        "description": (
            f"official xlstm sLSTMCell, T={T} B={Bn} H={H} K={K}, zero initial state, random "
            "parameters and input (float32 values), run in float64; input = the cell's input "
            "(T, B, 4H), output/final_* in unit order k*d+j; made by "
            "scripts/golden/make_official_slstm_golden.py"),
    })

    canonicalize_header(path)
    os.chmod(path, 0o644)

    # read back what was written
    with safe_open(path, "pt") as fh:
        assert json.loads(fh.metadata()["config"])["inputSize"] == 4 * H
    back = load_file(path)
    for key, v in tensors.items():
        assert torch.equal(back[key], v), f"{name}: {key} changed on the way to disk"
    size = os.path.getsize(path)
    assert size < 50_000, (path, size)
    return path, size, errs, counts


def main():
    ver = versions()
    print(f"xlstm {ver['xlstm']}, torch {ver['torch']}")
    os.makedirs(OUT_DIR, exist_ok=True)
    for cfg in CONFIGS:
        path, size, errs, counts = make(cfg, ver)
        print(f"{cfg['name']:7s} T={cfg['T']} B={cfg['B']} H={cfg['H']:2d} K={cfg['K']}  "
              + "  ".join(f"{k}: {v:.2e}" for k, v in errs.items())
              + f"  branches {counts}  -> {os.path.relpath(path, REPO)} ({size} B)")


if __name__ == "__main__":
    main()
