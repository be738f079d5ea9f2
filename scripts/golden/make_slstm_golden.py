"""Golden files for the sLSTM (forward values and gradients), float64.

What it makes
    Tests/xLSTMTests/Fixtures/slstm_<name>.json, one file per configuration:
      exp_1head                 exponential forget gate, 1 head, 1 layer, zero state
      sigmoid_2heads            sigmoid forget gate, 2 heads, 1 layer, zero state
      exp_3heads_2layers_state  exponential, 3 heads, 2 layers, carried initial
                                state (n0 == 0 in a few elements, c0 != 0 there)
      exp_scaled                exponential, 2 heads, 1 layer, parameters scaled
                                so that pre-activations reach about +-50
    Each file holds the config, the parameters, the input, the (optional)
    initial state, the outputs and final state, random upstream gradients and
    the gradients of
        loss = sum(output*grad_output) + sum(hT*grad_hT) + sum(cT*grad_cT)
             + sum(nT*grad_nT)
    with respect to the input, every parameter and (when given) h0, c0, n0, m0.

    The sLSTM here is a plain PyTorch transcription of /work/shared/DESIGN.md
    section 1 (gate order i, f, z, o; block-diagonal recurrent weights of shape
    (K, 4d, d); stabilized exponential gating with the per-element first-step
    rule where n_{t-1} == 0). Gradients come from autograd with every m_t
    (t >= 1) detached; the user's m0 is not detached.

How to run (from the repository root; needs torch in .venv)
    .venv/bin/python scripts/golden/make_slstm_golden.py

Self-checks run every time (the script fails on any of them):
    - 1-layer zero-state configs agree with a naive, unstabilized float64
      sLSTM (exp of raw pre-activations, dense block-diagonal R built by loops)
      to 1e-10 relative;
    - DESIGN invariants: max(i', f') == 1, |c| <= n, |h| <= 1, n >= 1 after a
      unit has seen a step;
    - autograd gradients equal DESIGN section 1's hand-written BPTT (1e-12);
    - central finite differences of a few entries of every parameter (and of
      the initial state) against autograd, 1e-6 relative, (a) for the full loss
      with the m trajectory frozen, (b) for the m-independent part of the loss
      (output and hT) with nothing frozen.
"""

import json
import math
import os
import sys
import warnings

warnings.filterwarnings("ignore", message="Failed to initialize NumPy")

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(1)
torch.set_default_dtype(torch.float64)

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT_DIR = os.path.join(REPO, "Tests", "xLSTMTests", "Fixtures")

T, B, D, H = 5, 3, 4, 6


# --------------------------------------------------------------------------
# The stabilized sLSTM (DESIGN section 1)
# --------------------------------------------------------------------------

def log_forget(f_pre, forget_gate):
    if forget_gate == "exponential":
        return f_pre
    if forget_gate == "sigmoid":
        return F.logsigmoid(f_pre)
    raise ValueError(forget_gate)


def recurrent(R, h):
    """Block-diagonal recurrent term, gate-major (B, 4H).

    Gate g, global unit k*d+j gets sum_e R[k, g*d+j, e] * h[k*d+e].
    """
    K, four_d, d = R.shape
    Bn = h.shape[0]
    hk = h.reshape(Bn, K, d)
    r = torch.einsum("kre,bke->bkr", R, hk)          # (B, K, 4d), r = g*d + j
    r = r.reshape(Bn, K, 4, d).permute(0, 2, 1, 3)    # (B, 4, K, d)
    return r.reshape(Bn, 4 * K * d)


def slstm_layer(x, W, R, b, h0, c0, n0, m0, forget_gate, m_frozen=None, trace=None,
                first_rule=True):
    """One layer over a sequence. x: (T, B, D_in). Returns (out, h, c, n, m, ms).

    m_frozen: optional list of m_t (t = 1..T) to use instead of computing them
    (for finite differences with the m trajectory held fixed).
    trace: optional dict collecting pre-activations and i', f' for checks.
    """
    Hn = W.shape[0] // 4
    h, c, n, m = h0, c0, n0, m0
    outs, ms = [], []
    for t in range(x.shape[0]):
        pre = x[t] @ W.T + recurrent(R, h) + b
        i_pre, f_pre, z_pre, o_pre = pre.split(Hn, dim=1)
        logf = log_forget(f_pre, forget_gate)
        first = n == 0                                   # per element
        if not first_rule:  # only to show the rule is exercised
            first = torch.zeros_like(first)
        a = logf + m                                     # log f_t + m_{t-1}
        if m_frozen is None:
            m_new = torch.where(first, i_pre, torch.maximum(i_pre, a)).detach()
        else:
            m_new = m_frozen[t]
        i_p = torch.exp(i_pre - m_new)                   # == 1 exactly where first
        zero = torch.zeros_like(a)
        f_p = torch.where(first, zero, torch.exp(torch.where(first, zero, a - m_new)))
        z = torch.tanh(z_pre)
        o = torch.sigmoid(o_pre)
        c_new = f_p * c + i_p * z
        n_new = f_p * n + i_p
        h_new = o * c_new / n_new
        if trace is not None:
            trace.setdefault("pre", []).append(pre.detach())
            trace.setdefault("ip", []).append(i_p.detach())
            trace.setdefault("fp", []).append(f_p.detach())
            trace.setdefault("c", []).append(c_new.detach())
            trace.setdefault("n", []).append(n_new.detach())
            trace.setdefault("h", []).append(h_new.detach())
        h, c, n, m = h_new, c_new, n_new, m_new
        outs.append(h)
        ms.append(m_new.detach())
    return torch.stack(outs), h, c, n, m, ms


def slstm(x, params, state, forget_gate, m_frozen=None, trace=None, first_rule=True):
    """params: list of (W, R, b) per layer; state: (h0, c0, n0, m0) each (L, B, H)."""
    h0, c0, n0, m0 = state
    inp = x
    hs, cs, ns, mss, all_ms = [], [], [], [], []
    for l, (W, R, b) in enumerate(params):
        out, h, c, n, m, ms = slstm_layer(
            inp, W, R, b, h0[l], c0[l], n0[l], m0[l], forget_gate,
            m_frozen=None if m_frozen is None else m_frozen[l],
            trace=None if trace is None else trace.setdefault(l, {}), first_rule=first_rule)
        hs.append(h); cs.append(c); ns.append(n); mss.append(m); all_ms.append(ms)
        inp = out
    return inp, torch.stack(hs), torch.stack(cs), torch.stack(ns), torch.stack(mss), all_ms


def loss_fn(out, hT, cT, nT, G, m_invariant_only=False):
    loss = (out * G["grad_output"]).sum() + (hT * G["grad_hT"]).sum()
    if not m_invariant_only:
        loss = loss + (cT * G["grad_cT"]).sum() + (nT * G["grad_nT"]).sum()
    return loss


# --------------------------------------------------------------------------
# Naive, unstabilized reference (independent formulation, for the self-check)
# --------------------------------------------------------------------------

def dense_block_diag(R):
    K, four_d, d = R.shape
    Hn = K * d
    M = torch.zeros(4 * Hn, Hn)
    for k in range(K):
        for r in range(four_d):
            g, j = divmod(r, d)
            for e in range(d):
                M[g * Hn + k * d + j, k * d + e] = R[k, r, e]
    return M


def design_bptt_layer(x, W, R, b, h0, c0, n0, tr, forget_gate, d_out, dhT, dcT, dnT):
    """The hand-written backward of DESIGN section 1 for one layer (no autograd).

    tr: the forward trace of this layer. Returns dx, dW, dR, db, dh0, dc0, dn0, dm0.
    """
    Hn = W.shape[0] // 4
    K, four_d, d = R.shape
    M = dense_block_diag(R)
    Tn = x.shape[0]
    dW = torch.zeros_like(W); dM = torch.zeros_like(M); db = torch.zeros_like(b)
    dx = torch.zeros_like(x)
    dh_carry, dc_carry, dn_carry = dhT.clone(), dcT.clone(), dnT.clone()
    dm0 = None
    for t in reversed(range(Tn)):
        h_prev = tr["h"][t - 1] if t > 0 else h0
        c_prev = tr["c"][t - 1] if t > 0 else c0
        n_prev = tr["n"][t - 1] if t > 0 else n0
        i_pre, f_pre, z_pre, o_pre = tr["pre"][t].split(Hn, dim=1)
        ip, fp, c, n = tr["ip"][t], tr["fp"][t], tr["c"][t], tr["n"][t]
        z, o = torch.tanh(z_pre), torch.sigmoid(o_pre)
        dh = d_out[t] + dh_carry
        hh = c / n
        do_pre = dh * hh * o * (1 - o)
        dc = dc_carry + dh * o / n
        dn = dn_carry - dh * o * hh / n
        dz_pre = dc * ip * (1 - z * z)
        di_pre = (dc * z + dn) * ip
        dlogf = torch.where(n_prev == 0, torch.zeros_like(dc), (dc * c_prev + dn * n_prev) * fp)
        df_pre = dlogf if forget_gate == "exponential" else dlogf * torch.sigmoid(-f_pre)
        dc_carry, dn_carry = dc * fp, dn * fp
        dg = torch.cat([di_pre, df_pre, dz_pre, do_pre], dim=1)
        dh_carry = dg @ M
        dM += dg.T @ h_prev
        dW += dg.T @ x[t]
        db += dg.sum(0)
        dx[t] = dg @ W
        if t == 0:
            dm0 = dlogf
    dR = torch.zeros_like(R)
    for k in range(K):
        for r in range(four_d):
            g, j = divmod(r, d)
            for e in range(d):
                dR[k, r, e] = dM[g * Hn + k * d + j, k * d + e]
    return dx, dW, dR, db, dh_carry, dc_carry, dn_carry, dm0


def design_bptt(x, params, state, trace, forget_gate, G):
    """Chain design_bptt_layer through the layers (top layer first)."""
    L = len(params)
    d_out = G["grad_output"]
    res = {}
    dstate = [[None] * L for _ in range(4)]
    for l in reversed(range(L)):
        W, R, b = params[l]
        x_l = x if l == 0 else torch.stack(trace[l - 1]["h"])
        dx, dW, dR, db, dh0, dc0, dn0, dm0 = design_bptt_layer(
            x_l, W, R, b, state[0][l], state[1][l], state[2][l], trace[l], forget_gate,
            d_out, G["grad_hT"][l], G["grad_cT"][l], G["grad_nT"][l])
        res[("param", l, 0)], res[("param", l, 1)], res[("param", l, 2)] = dW, dR, db
        for si, v in enumerate((dh0, dc0, dn0, dm0)):
            dstate[si][l] = v
        d_out = dx
    res["input"] = d_out
    for si in range(4):
        res[("state", si)] = torch.stack(dstate[si])
    return res


def naive_layer(x, W, R, b, forget_gate):
    Hn = W.shape[0] // 4
    M = dense_block_diag(R)
    Bn = x.shape[1]
    h = torch.zeros(Bn, Hn); c = torch.zeros(Bn, Hn); n = torch.zeros(Bn, Hn)
    outs = []
    for t in range(x.shape[0]):
        pre = x[t] @ W.T + h @ M.T + b
        i_pre, f_pre, z_pre, o_pre = pre.split(Hn, dim=1)
        if forget_gate == "exponential":
            f = torch.exp(f_pre)
        else:
            f = torch.sigmoid(f_pre)
        i = torch.exp(i_pre)
        c = f * c + i * torch.tanh(z_pre)
        n = f * n + i
        h = torch.sigmoid(o_pre) * c / n
        outs.append(h)
    return torch.stack(outs), h, c, n


# --------------------------------------------------------------------------
# Configurations
# --------------------------------------------------------------------------

CONFIGS = [
    dict(name="exp_1head", forget_gate="exponential", K=1, L=1, state=False, scale=None, seed=1001),
    dict(name="sigmoid_2heads", forget_gate="sigmoid", K=2, L=1, state=False, scale=None, seed=1002),
    dict(name="exp_3heads_2layers_state", forget_gate="exponential", K=3, L=2, state=True, scale=None, seed=1003),
    dict(name="exp_scaled", forget_gate="exponential", K=2, L=1, state=False, scale=50.0, seed=1004),
]


def uniform(gen, shape, bound):
    return (torch.rand(shape, generator=gen) * 2 - 1) * bound


def make_case(cfg):
    gen = torch.Generator().manual_seed(cfg["seed"])
    K, L = cfg["K"], cfg["L"]
    d = H // K
    bound = 1.0 / math.sqrt(H)
    params = []
    for l in range(L):
        d_in = D if l == 0 else H
        W = uniform(gen, (4 * H, d_in), bound)
        R = uniform(gen, (K, 4 * d, d), bound)
        b = uniform(gen, (4 * H,), bound)
        params.append([W, R, b])
    x = torch.randn((T, B, D), generator=gen)
    if cfg["state"]:
        h0 = uniform(gen, (L, B, H), 0.9)
        n0 = torch.rand((L, B, H), generator=gen) * 2.0 + 1.0     # in [1, 3), as a carried state has
        zero_mask = torch.zeros((L, B, H), dtype=torch.bool)
        # a few zero normalizers, scattered so that rows mix zero and nonzero
        for (l, bb, j) in [(0, 0, 1), (0, 1, 4), (0, 2, 0), (0, 2, 5), (1, 0, 3), (1, 2, 2)]:
            zero_mask[l, bb, j] = True
        n0 = torch.where(zero_mask, torch.zeros_like(n0), n0)
        c0 = n0 * uniform(gen, (L, B, H), 0.95)
        # c0 != 0 where n0 == 0: the first-step rule (f' = 0) must drop it
        c0 = torch.where(zero_mask, uniform(gen, (L, B, H), 0.8), c0)
        m0 = uniform(gen, (L, B, H), 3.0)
        state = [h0, c0, n0, m0]
    else:
        zero_mask = None
        state = [torch.zeros(L, B, H) for _ in range(4)]
    G = {
        "grad_output": torch.randn((T, B, H), generator=gen),
        "grad_hT": torch.randn((L, B, H), generator=gen),
        "grad_cT": torch.randn((L, B, H), generator=gen),
        "grad_nT": torch.randn((L, B, H), generator=gen),
    }
    if cfg["scale"] is not None:
        # scale all parameters so the largest |pre-activation| is about cfg["scale"]
        s = 1.0
        for _ in range(4):
            trace = {}
            scaled = [[p * s for p in lp] for lp in params]
            slstm(x, scaled, state, cfg["forget_gate"], trace=trace)
            mx = max(float(torch.stack(tr["pre"]).abs().max()) for tr in trace.values())
            s *= cfg["scale"] / mx
        s = float(f"{s:.6g}")
        params = [[p * s for p in lp] for lp in params]
    return params, x, state, G, zero_mask


# --------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------

def rel_err(a, b):
    return float((a - b).abs().max() / max(float(b.abs().max()), 1e-300))


def check_invariants(trace, name):
    for l, tr in trace.items():
        for t in range(len(tr["ip"])):
            ip, fp, c, n, h = tr["ip"][t], tr["fp"][t], tr["c"][t], tr["n"][t], tr["h"][t]
            assert torch.all(torch.maximum(ip, fp) == 1.0), f"{name}: max(i',f') != 1 (l={l}, t={t})"
            assert torch.all(c.abs() <= n * (1 + 1e-12)), f"{name}: |c| > n"
            assert torch.all(n >= 1.0 - 1e-12) or t == 0, f"{name}: n < 1 after a step"
            assert torch.all(h.abs() <= 1.0), f"{name}: |h| > 1"
            assert torch.isfinite(h).all() and torch.isfinite(c).all() and torch.isfinite(n).all()


def finite_difference_checks(cfg, params, x, state, G, grads, ms_base, zero_mask):
    fg = cfg["forget_gate"]
    eps = 1e-6
    tol = 1e-6

    def full_loss(params_, state_, frozen):
        out, hT, cT, nT, _, _ = slstm(x, params_, state_, fg, m_frozen=frozen)
        return float(loss_fn(out, hT, cT, nT, G))

    def inv_loss(params_, state_):
        out, hT, cT, nT, _, _ = slstm(x, params_, state_, fg)
        return float(loss_fn(out, hT, cT, nT, G, m_invariant_only=True))

    # autograd gradient of the m-invariant loss (nothing frozen besides m_t, t>=1)
    p_req = [[p.clone().requires_grad_(True) for p in lp] for lp in params]
    out, hT, cT, nT, _, _ = slstm(x, p_req, state, fg)
    inv_grads = torch.autograd.grad(loss_fn(out, hT, cT, nT, G, m_invariant_only=True),
                                    [p for lp in p_req for p in lp])

    gen = torch.Generator().manual_seed(cfg["seed"] + 7)

    def pick(g, n, exclude=None):
        # entries whose gradient is at least 5% of the largest one (the central
        # difference's round-off, ~1e-9 absolute here, stays far below 1e-6
        # relative there), n at random plus the largest
        flat = g.reshape(-1).abs()
        ok = flat >= 0.05 * flat.max()
        if exclude is not None:
            ok &= ~exclude.reshape(-1)
        cand = torch.nonzero(ok).reshape(-1)
        chosen = cand[torch.randperm(len(cand), generator=gen)[:n]].tolist()
        return sorted(set(chosen + [int(torch.where(ok, flat, -1.0).argmax())]))

    def compare(what, fd, ag):
        assert abs(fd - ag) <= tol * max(abs(ag), abs(fd)), (
            f"{cfg['name']}: FD mismatch {what}: fd={fd!r} autograd={ag!r}")

    checked = 0
    for l, lp in enumerate(params):
        for pi in range(len(lp)):
            for which, g, frozen_full in (("full loss, m frozen", grads[("param", l, pi)], True),
                                          ("output+hT loss", inv_grads[l * 3 + pi], False)):
                for idx in pick(g, 3):
                    def perturbed(delta):
                        pp = [[q.clone() for q in lq] for lq in params]
                        pp[l][pi].view(-1)[idx] += delta
                        return full_loss(pp, state, ms_base) if frozen_full else inv_loss(pp, state)
                    fd = (perturbed(eps) - perturbed(-eps)) / (2 * eps)
                    compare(f"({which}) layer {l} param {pi} idx {idx}", fd, float(g.reshape(-1)[idx]))
                    checked += 1
    if cfg["state"]:
        for si, sname in enumerate(["h0", "c0", "n0", "m0"]):
            g = grads[("state", si)]
            # n0 == 0 is a kink of the first-step rule: not differentiated there
            for flat in pick(g, 3, exclude=zero_mask):
                def perturbed(delta):
                    st = [s.clone() for s in state]
                    st[si].view(-1)[flat] += delta
                    return full_loss(params, st, ms_base)
                fd = (perturbed(eps) - perturbed(-eps)) / (2 * eps)
                compare(f"{sname} idx {flat}", fd, float(g.reshape(-1)[flat]))
                checked += 1
    return checked


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------

def tensor_entry(t):
    t = t.detach().to(torch.float64).contiguous()
    data = [float(v) for v in t.reshape(-1).tolist()]
    assert all(math.isfinite(v) for v in data)
    return {"shape": list(t.shape), "data": data}


def run(cfg):
    name, fg = cfg["name"], cfg["forget_gate"]
    params, x, state, G, zero_mask = make_case(cfg)
    L, K = cfg["L"], cfg["K"]

    # forward + autograd
    p_req = [[p.clone().requires_grad_(True) for p in lp] for lp in params]
    x_req = x.clone().requires_grad_(True)
    s_req = [s.clone().requires_grad_(cfg["state"]) for s in state]
    trace = {}
    out, hT, cT, nT, mT, ms = slstm(x_req, p_req, s_req, fg, trace=trace)
    loss = loss_fn(out, hT, cT, nT, G)
    leaves = [x_req] + [p for lp in p_req for p in lp] + (s_req if cfg["state"] else [])
    gl = torch.autograd.grad(loss, leaves)
    grads = {"input": gl[0]}
    for l in range(L):
        for pi in range(3):
            grads[("param", l, pi)] = gl[1 + 3 * l + pi]
    if cfg["state"]:
        for si in range(4):
            grads[("state", si)] = gl[1 + 3 * L + si]

    check_invariants(trace, name)
    pre_all = torch.stack([torch.stack(tr["pre"]) for tr in trace.values()])
    pre_min, pre_max = float(pre_all.min()), float(pre_all.max())

    # naive unstabilized reference for 1-layer zero-state configs
    if L == 1 and not cfg["state"]:
        W, R, b = params[0]
        n_out, n_h, n_c, n_n = naive_layer(x, W, R, b, fg)
        e_out = rel_err(out.detach(), n_out)
        e_h = rel_err(hT[0].detach(), n_h)
        assert e_out <= 1e-10 and e_h <= 1e-10, f"{name}: naive mismatch {e_out} {e_h}"
        # the stabilized state is the naive one scaled by exp(-m)
        scale = torch.exp(-mT[0])
        assert rel_err(cT[0].detach(), n_c * scale) <= 1e-10, f"{name}: naive c mismatch"
        assert rel_err(nT[0].detach(), n_n * scale) <= 1e-10, f"{name}: naive n mismatch"
        naive_note = f"naive rel err {e_out:.1e}"
    else:
        naive_note = "naive n/a"

    if cfg["state"]:
        # the per-element first-step rule must matter here: with the general formula
        # at the n0 == 0 elements (c0 != 0 there) the results would differ
        out_nr, _, cT_nr, _, mT_nr, _ = slstm(x, params, state, fg, first_rule=False)
        assert rel_err(out_nr, out.detach()) > 1e-3, f"{name}: first-step rule not exercised"
        for si in (1, 2, 3):  # c0, n0, m0 get no gradient where n0 == 0
            assert bool((grads[("state", si)][zero_mask] == 0).all()), f"{name}: grad state {si}"
            assert bool((grads[("state", si)][~zero_mask] != 0).all()), f"{name}: grad state {si}"
        assert bool((state[1][zero_mask] != 0).all())

    # the fixtures' gradients are those of DESIGN's hand-written BPTT
    manual = design_bptt(x, params, state, trace, fg, G)
    worst = 0.0
    for key, g in grads.items():
        e = rel_err(manual[key], g)
        worst = max(worst, e)
        assert e <= 1e-12, f"{name}: DESIGN BPTT differs from autograd for {key}: {e}"

    checked = finite_difference_checks(cfg, params, x, state, G, grads, ms, zero_mask)

    tensors = {}
    for l, (W, R, b) in enumerate(params):
        tensors[f"weight_ih_l{l}"] = tensor_entry(W)
        tensors[f"weight_hh_l{l}"] = tensor_entry(R)
        tensors[f"bias_l{l}"] = tensor_entry(b)
    tensors["input"] = tensor_entry(x)
    if cfg["state"]:
        for sname, s in zip(["h0", "c0", "n0", "m0"], state):
            tensors[sname] = tensor_entry(s)
    tensors["output"] = tensor_entry(out)
    tensors["hT"] = tensor_entry(hT)
    tensors["cT"] = tensor_entry(cT)
    tensors["nT"] = tensor_entry(nT)
    tensors["mT"] = tensor_entry(mT)
    for gname in ["grad_output", "grad_hT", "grad_cT", "grad_nT"]:
        tensors[gname] = tensor_entry(G[gname])
    tensors["grad.input"] = tensor_entry(grads["input"])
    for l in range(L):
        tensors[f"grad.weight_ih_l{l}"] = tensor_entry(grads[("param", l, 0)])
        tensors[f"grad.weight_hh_l{l}"] = tensor_entry(grads[("param", l, 1)])
        tensors[f"grad.bias_l{l}"] = tensor_entry(grads[("param", l, 2)])
    if cfg["state"]:
        for si, sname in enumerate(["h0", "c0", "n0", "m0"]):
            tensors[f"grad.{sname}"] = tensor_entry(grads[("state", si)])

    config = {
        "inputSize": D, "hiddenSize": H, "numLayers": L, "numHeads": K,
        "forgetGate": fg, "seqLength": T, "batchSize": B,
        "hasInitialState": cfg["state"],
    }
    # one tensor per line: valid JSON, readable diffs; floats are repr (round-trip exact)
    lines = ['{"config": ' + json.dumps(config) + ',', ' "tensors": {']
    items = list(tensors.items())
    for k, (tname, entry) in enumerate(items):
        sep = "," if k + 1 < len(items) else ""
        lines.append("  " + json.dumps(tname) + ": " + json.dumps(entry, allow_nan=False) + sep)
    lines.append(" }}")
    text = "\n".join(lines) + "\n"
    parsed = json.loads(text)
    assert parsed["config"] == config and list(parsed["tensors"]) == list(tensors)

    os.makedirs(OUT_DIR, exist_ok=True)
    path = os.path.join(OUT_DIR, f"slstm_{name}.json")
    with open(path, "w") as fh:
        fh.write(text)
    size = os.path.getsize(path)
    assert size < 200_000, f"{path} too large ({size} bytes)"
    print(f"{os.path.relpath(path, REPO)}: {size} bytes; pre-activations in "
          f"[{pre_min:.2f}, {pre_max:.2f}]; {naive_note}; DESIGN BPTT rel err {worst:.1e}; "
          f"{checked} FD checks ok")


def main():
    for cfg in CONFIGS:
        run(cfg)
    print(f"torch {torch.__version__}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
