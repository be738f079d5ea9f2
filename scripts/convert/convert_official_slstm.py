#!/usr/bin/env python3
"""Convert the parameters of an official NX-AI `xlstm` sLSTM cell to our layout.

Usage
    convert_official_slstm.py OFFICIAL_STATE.pt OUT.safetensors \
        --hidden-size H --num-heads K [--prefix PREFIX] [--backend auto|vanilla|cuda]

OFFICIAL_STATE.pt is a file written with `torch.save(module.state_dict(), ...)`
(a plain dict of tensors, or a dict holding one under "state_dict"). It may be
the state dict of an `sLSTMCell` itself, or of any module containing one (an
`sLSTMLayer`, `sLSTMBlock`, `xLSTMBlockStack`, ...): the cell's two tensors are
found by their names `<prefix>_recurrent_kernel_` and `<prefix>_bias_`. With
more than one cell in the file, choose one with --prefix (e.g.
"blocks.0.xlstm.slstm_cell."). Everything else in the file is ignored and
listed on stderr.

OUT.safetensors gets our three tensors for ONE sLSTM layer, float32,

    weight_ih_l0  (4H, 4H)    see "Input" below
    weight_hh_l0  (K, 4d, d)  d = H / K
    bias_l0       (4H,)

and `__metadata__["config"]`, our sLSTMConfiguration as JSON, with
inputSize = 4H and forgetGate = "sigmoid".

The layouts (xlstm 2.0.6, read from xlstm/blocks/slstm/cell.py and
src/vanilla/__init__.py, slstm.py)
--------------------------------------------------------------------
Notation: gates g = 0..3 in the order i, f, z, o (the official pointwise
function unbinds its pre-activations as iraw, fraw, zraw, oraw, the same order
as ours); head k = 0..K-1; unit j = 0..d-1 inside a head; global unit
u = k*d + j (heads are contiguous blocks of d units in the hidden vector,
as in ours).

The official cell keeps each parameter in a backend-independent "external"
view (reached through a ParameterProxy) and stores an "internal" tensor whose
layout depends on the backend. The state dict holds the INTERNAL tensors:

    recurrent kernel, external view   (K, d, 4, d)   [k, e, g, j]
        weight from h[k*d + e] (input unit e of head k) to gate g of unit
        k*d + j.
    vanilla internal `_recurrent_kernel_`  (K, 4d, d)   [k, g*d + j, e]
    cuda    internal `_recurrent_kernel_`  (K, d, 4d)   [k, e, g*d + j]

    bias, external view               (K, 4, d)      [k, g, j]
    vanilla internal `_bias_`  (4H,)  index g*H + k*d + j  (gate-major)
    cuda    internal `_bias_`  (4H,)  index k*4d + g*d + j (head-major)

The vanilla recurrence computes, for every gate g and unit u = k*d + j,
    Ry[g*H + u] = sum_e R_int[k, g*d + j, e] * h[k*d + e],
and adds Wx + Ry + b in the gate-major order g*H + u. That is exactly our
weight_hh_l0 and bias_l0, so the vanilla tensors are copied unchanged; the
cuda ones are brought to the same index order (see the functions below).
The two backends' kernels are told apart by shape ((K, 4d, d) vs
(K, d, 4d), never equal); their biases have the same shape, so the bias is
read in the layout of the backend its kernel shows.

Input
    The official cell does not read x: it reads already projected gate
    pre-activations Wx of width 4H (in sLSTMLayer they come from the head-wise
    projections, see README.md). Its external input layout ("...GNH", the
    default input_shape "BSGNH" or "SBGNH") puts element (g, k, j) at
    g*H + k*d + j, whatever the backend does internally. Our layer computes
    W x_t with W = weight_ih_l0, so with x_t = the official cell's input,
    W must be the permutation matrix taking the official position of
    (g, k, j) to our row g*H + k*d + j. The two orders agree, so W is the
    identity; it is still built from the two index functions, so that a
    change in either shows up here.

The math (what the converted layer reproduces)
    The official "slstm" pointwise function is our sigmoid-forget-gate
    variant: log f = logsigmoid(f~), z = tanh(z~), o = sigmoid(o~),
    stabilized exponential input gate, h = o * c / n. Differences, none of
    which shows from the zero initial state (see README.md): the official
    first-step rule is taken for the whole tensor (torch.all(n == 0)) rather
    than per element, on that step it leaves f' = exp(log f - i~) (which
    multiplies c = n = 0) where ours sets f' = 0, and it clamps i' and f' to
    at most 1 (which the stabilizer already guarantees up to rounding).
"""

import argparse
import json
import sys

import torch

# Gate order shared by the official cell and ours.
GATES = ("i", "f", "z", "o")
NUM_GATES = len(GATES)

RECURRENT_SUFFIX = "_recurrent_kernel_"
BIAS_SUFFIX = "_bias_"


# --------------------------------------------------------------------------
# Index functions: where gate g of unit (k, j) sits in each layout
# --------------------------------------------------------------------------

def official_input_index(g, k, j, hidden_size, num_heads):
    """Position of gate g, head k, unit j in the official cell's input.

    The official cell views its last input dimension as (gates, heads,
    head_dim) = "GNH", so the position is gate-major, then head, then unit.
    """
    d = hidden_size // num_heads
    return g * hidden_size + k * d + j


def our_gate_index(g, k, j, hidden_size, num_heads):
    """Our row for gate g of global unit u = k*d + j: gate-major, g*H + u."""
    d = hidden_size // num_heads
    return g * hidden_size + (k * d + j)


# --------------------------------------------------------------------------
# The mapping
# --------------------------------------------------------------------------

def input_permutation(hidden_size, num_heads, dtype=torch.float32):
    """Our weight_ih_l0 for a layer that reads the official cell's input.

    P has a single 1 per row: P[our_gate_index(g,k,j), official_input_index(g,k,j)]
    = 1, so (P @ x)[our row] = x[official position] for every gate and unit.
    For xlstm 2.0.6 both index functions are the same and P is the identity.
    """
    d = hidden_size // num_heads
    n = NUM_GATES * hidden_size
    P = torch.zeros(n, n, dtype=dtype)
    for g in range(NUM_GATES):
        for k in range(num_heads):
            for j in range(d):
                P[our_gate_index(g, k, j, hidden_size, num_heads),
                  official_input_index(g, k, j, hidden_size, num_heads)] = 1
    return P


def recurrent_backend(kernel, hidden_size, num_heads):
    """Which backend's internal layout a stored `_recurrent_kernel_` has."""
    d = hidden_size // num_heads
    shape = tuple(kernel.shape)
    if shape == (num_heads, NUM_GATES * d, d):
        return "vanilla"
    if shape == (num_heads, d, NUM_GATES * d):
        return "cuda"
    raise ValueError(
        f"_recurrent_kernel_ has shape {shape}; expected (K, 4d, d) = "
        f"{(num_heads, NUM_GATES * d, d)} (vanilla) or (K, d, 4d) = "
        f"{(num_heads, d, NUM_GATES * d)} (cuda) for H={hidden_size}, K={num_heads}")


def recurrent_to_ours(kernel, hidden_size, num_heads, backend):
    """The stored official recurrent kernel as our weight_hh_l0 (K, 4d, d).

    Ours: [k, g*d + j, e] is the weight from h[k*d + e] to gate g of unit
    k*d + j.
    - vanilla stores [k, g*d + j, e]: the same tensor.
    - cuda stores [k, e, g*d + j]: the same numbers with the last two axes
      swapped, so a transpose of those axes gives ours.
    """
    d = hidden_size // num_heads
    if backend == "vanilla":
        ours = kernel
    elif backend == "cuda":
        ours = kernel.transpose(1, 2)
    else:
        raise ValueError(f"unknown backend {backend!r}")
    assert tuple(ours.shape) == (num_heads, NUM_GATES * d, d)
    return ours.contiguous()


def bias_to_ours(bias, hidden_size, num_heads, backend):
    """The stored official bias as our bias_l0 (4H,), index g*H + k*d + j.

    - vanilla stores it gate-major, g*H + k*d + j: the same vector.
    - cuda stores it head-major, k*4d + g*d + j: viewed as (K, 4, d), swapping
      the head and gate axes gives (4, K, d), which flattens to ours.
    """
    d = hidden_size // num_heads
    if tuple(bias.shape) != (NUM_GATES * hidden_size,):
        raise ValueError(f"_bias_ has shape {tuple(bias.shape)}; expected ({NUM_GATES * hidden_size},)")
    if backend == "vanilla":
        ours = bias
    elif backend == "cuda":
        ours = bias.reshape(num_heads, NUM_GATES, d).transpose(0, 1).reshape(-1)
    else:
        raise ValueError(f"unknown backend {backend!r}")
    return ours.contiguous()


def our_config(hidden_size, num_heads):
    """Our sLSTMConfiguration for the converted layer (as a dict)."""
    return {
        "inputSize": NUM_GATES * hidden_size,
        "hiddenSize": hidden_size,
        "numLayers": 1,
        "dropout": 0,
        "numHeads": num_heads,
        "bias": True,
        "batchFirst": False,
        "bidirectional": False,
        "forgetGate": "sigmoid",
    }


def convert_cell_tensors(recurrent_kernel, bias, hidden_size, num_heads, backend="auto"):
    """Map an official cell's stored (_recurrent_kernel_, _bias_) to ours.

    Returns a dict {weight_ih_l0, weight_hh_l0, bias_l0} of float32 tensors.
    backend: "auto" (read from the kernel's shape), "vanilla" or "cuda" (the
    backend of the module that saved the state dict; checked against the shape).
    """
    if hidden_size <= 0 or num_heads <= 0 or hidden_size % num_heads != 0:
        raise ValueError(f"hidden size {hidden_size} must be a positive multiple of num_heads {num_heads}")
    found = recurrent_backend(recurrent_kernel, hidden_size, num_heads)
    if backend == "auto":
        backend = found
    elif backend != found:
        raise ValueError(f"--backend {backend} given, but the kernel has the {found} layout")
    with torch.no_grad():
        R = recurrent_to_ours(recurrent_kernel.detach().cpu(), hidden_size, num_heads, backend)
        b = bias_to_ours(bias.detach().cpu(), hidden_size, num_heads, backend)
        W = input_permutation(hidden_size, num_heads)
    return {
        "weight_ih_l0": W.to(torch.float32).contiguous(),
        "weight_hh_l0": R.to(torch.float32).contiguous(),
        "bias_l0": b.to(torch.float32).contiguous(),
    }


def find_cell(state_dict, prefix=None):
    """(prefix, kernel, bias) of the one sLSTM cell in a state dict."""
    if prefix is not None:
        names = (prefix + RECURRENT_SUFFIX, prefix + BIAS_SUFFIX)
        missing = [n for n in names if n not in state_dict]
        if missing:
            raise KeyError(f"no {missing} in the state dict")
        return prefix, state_dict[names[0]], state_dict[names[1]]
    prefixes = sorted(k[: -len(RECURRENT_SUFFIX)] for k in state_dict if k.endswith(RECURRENT_SUFFIX))
    prefixes = [p for p in prefixes if p + BIAS_SUFFIX in state_dict]
    if len(prefixes) != 1:
        raise KeyError(
            f"found {len(prefixes)} sLSTM cells ({prefixes}); choose one with --prefix"
            if prefixes else "no '*_recurrent_kernel_' with a matching '*_bias_' in the state dict")
    p = prefixes[0]
    return p, state_dict[p + RECURRENT_SUFFIX], state_dict[p + BIAS_SUFFIX]


def save_ours(tensors, path, hidden_size, num_heads, extra_metadata=None):
    """Write our tensors with __metadata__["config"] (and extra string fields)."""
    from safetensors.torch import save_file

    metadata = {"config": json.dumps(our_config(hidden_size, num_heads))}
    for key, value in (extra_metadata or {}).items():
        metadata[key] = value if isinstance(value, str) else json.dumps(value)
    save_file({k: v.detach().cpu().contiguous().clone() for k, v in tensors.items()}, path, metadata=metadata)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Convert an official xlstm sLSTMCell state dict to our sLSTM safetensors layout.")
    parser.add_argument("official_state", help="state dict saved with torch.save (.pt)")
    parser.add_argument("output", help="safetensors file to write")
    parser.add_argument("--hidden-size", type=int, required=True, help="H of the official cell")
    parser.add_argument("--num-heads", type=int, required=True, help="K of the official cell")
    parser.add_argument("--prefix", default=None,
                        help="key prefix of the cell, e.g. 'slstm_cell.' (found automatically when unique)")
    parser.add_argument("--backend", choices=("auto", "vanilla", "cuda"), default="auto",
                        help="backend of the module that saved the state dict (default: from the kernel's shape)")
    args = parser.parse_args(argv)

    state = torch.load(args.official_state, map_location="cpu", weights_only=True)
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    if not isinstance(state, dict):
        raise SystemExit(f"{args.official_state}: expected a state dict, got {type(state).__name__}")

    prefix, kernel, bias = find_cell(state, args.prefix)
    backend = recurrent_backend(kernel, args.hidden_size, args.num_heads) if args.backend == "auto" else args.backend
    tensors = convert_cell_tensors(kernel, bias, args.hidden_size, args.num_heads, backend)
    ignored = [k for k in state if k not in (prefix + RECURRENT_SUFFIX, prefix + BIAS_SUFFIX)]
    if ignored:
        print(f"ignored (outside the cell, not converted): {', '.join(ignored)}", file=sys.stderr)
    save_ours(tensors, args.output, args.hidden_size, args.num_heads,
              extra_metadata={"source": "official xlstm sLSTMCell", "backend": backend, "prefix": prefix})
    print(f"wrote {args.output}: cell '{prefix}' ({backend} layout), H={args.hidden_size}, "
          f"K={args.num_heads}, inputSize={NUM_GATES * args.hidden_size}")


if __name__ == "__main__":
    main()
