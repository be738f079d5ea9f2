#!/usr/bin/env python3
"""CPU throughput of Hugging Face transformers' xLSTMForCausalLM (xLSTM-Large
architecture), as a baseline for our mLSTM language model.

Prints exactly ONE JSON line on stdout:
  {"impl", "routing", "versions", "cpu", "threads", "dtype", "config",
   "num_parameters", "prefill": {...}, "decode": {...}, "error"}

Model: random weights (HF's own init), float32, eval mode, torch.no_grad();
default shape hidden 512, 4 heads, 6 blocks, vocab 256 (qk_dim_factor 0.5,
v_dim_factor 1.0, ffn_proj_factor 2.667 rounded up to a multiple of 64 ->
1408, chunk_size 64): ~20M parameters. Config mode "inference" with the
native PyTorch kernels (chunkwise--native_autograd / native_sequence__native /
native step), autocast_kernel_dtype and inference_state_dtype float32.

  prefill  model(input_ids) on B x T tokens (default 4 x 512); median wall time
           over --runs after --warmup; tokens_per_s = B*T / median.
  decode   B=1 (default), a --prompt-token prompt (default 64) is prefilled
           with use_cache=True, then --new-tokens greedy steps each feed one
           token with the returned xLSTMCache (HF's recurrent step kernel):
           ms_per_token = median over runs of (loop time / new tokens).
           ms_per_token_generate: the same through model.generate(do_sample=False,
           max_new_tokens=N), (generate time - prefill time) / N, which adds
           HF's generation overhead.

--routing native (default) hides the optional `xlstm` package from
transformers so its in-library PyTorch implementation runs; --routing default
lets transformers use xlstm.xlstm_large / mlstm_kernels when installed.

Run: scripts/.venv/bin/python Benchmarks/hf_xlstm_baseline.py [--threads 1]
(needs torch and transformers>=5 in that environment; CPU only). Run it on an
otherwise idle machine.
"""
import argparse
import json
import os
import platform
import statistics
import sys
import time
import traceback
import warnings

warnings.filterwarnings("ignore")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hidden", type=int, default=512)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--blocks", type=int, default=6)
    ap.add_argument("--vocab", type=int, default=256)
    ap.add_argument("--chunk-size", type=int, default=64)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--seq", type=int, default=512)
    ap.add_argument("--decode-batch", type=int, default=1)
    ap.add_argument("--prompt-tokens", type=int, default=64)
    ap.add_argument("--new-tokens", type=int, default=64)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--routing", choices=["native", "default"], default="native")
    args = ap.parse_args()

    out = {"impl": "hf-transformers-xlstm", "routing": args.routing, "cpu": cpu_model(),
           "threads": args.threads, "dtype": "float32", "error": None}
    try:
        os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
        import torch
        torch.set_num_threads(args.threads)
        import transformers.utils as tu
        import transformers.utils.import_utils as iu
        if args.routing == "native":
            tu.is_xlstm_available = lambda: False
            iu.is_xlstm_available = lambda: False
        import transformers
        transformers.utils.logging.disable_progress_bar()
        from transformers import xLSTMConfig, xLSTMForCausalLM
        import transformers.models.xlstm.modeling_xlstm as M
        out["versions"] = {"transformers": transformers.__version__, "torch": torch.__version__,
                           "python": sys.version.split()[0], "xlstm_package_used": bool(M.external_xlstm)}

        cfg = xLSTMConfig(
            vocab_size=args.vocab, hidden_size=args.hidden, num_hidden_layers=args.blocks,
            num_heads=args.heads, chunk_size=args.chunk_size, mode="inference",
            chunkwise_kernel="chunkwise--native_autograd", sequence_kernel="native_sequence__native",
            step_kernel="native", return_last_states=True, autocast_kernel_dtype="float32",
            inference_state_dtype="float32", tie_word_embeddings=False)
        torch.manual_seed(0)
        model = xLSTMForCausalLM(cfg).eval()
        out["config"] = {k: getattr(cfg, k) for k in (
            "vocab_size", "hidden_size", "num_hidden_layers", "num_heads", "qk_dim_factor", "v_dim_factor",
            "ffn_proj_factor", "ffn_round_up_to_multiple_of", "chunk_size", "mode")}
        out["config"]["ffn_hidden"] = model.backbone.blocks[0].ffn.up_proj_dim
        out["num_parameters"] = sum(p.numel() for p in model.parameters())
        g = torch.Generator().manual_seed(1)

        # prefill
        ids = torch.randint(3, args.vocab, (args.batch, args.seq), generator=g)
        times = []
        with torch.no_grad():
            for i in range(args.warmup + args.runs):
                t0 = time.perf_counter()
                model(ids)
                dt = time.perf_counter() - t0
                if i >= args.warmup:
                    times.append(dt)
        med = statistics.median(times)
        out["prefill"] = {"batch": args.batch, "seq": args.seq, "ms_median": med * 1e3,
                          "ms_all": [t * 1e3 for t in times], "tokens_per_s": args.batch * args.seq / med}

        # decode
        prompt = torch.randint(3, args.vocab, (args.decode_batch, args.prompt_tokens), generator=g)
        per_tok, per_tok_gen, pre = [], [], []
        with torch.no_grad():
            for i in range(args.warmup + args.runs):
                t0 = time.perf_counter()
                o = model(prompt, use_cache=True)
                t1 = time.perf_counter()
                cache = o.cache
                nxt = o.logits[:, -1].argmax(-1, keepdim=True)
                for _ in range(args.new_tokens):
                    o = model(nxt, cache=cache, use_cache=True)
                    cache = o.cache
                    nxt = o.logits[:, -1].argmax(-1, keepdim=True)
                t2 = time.perf_counter()
                model.generate(prompt, max_new_tokens=args.new_tokens, min_new_tokens=args.new_tokens,
                               do_sample=False)
                t3 = time.perf_counter()
                if i >= args.warmup:
                    pre.append(t1 - t0)
                    per_tok.append((t2 - t1) / args.new_tokens)
                    per_tok_gen.append(((t3 - t2) - (t1 - t0)) / args.new_tokens)
        out["decode"] = {"batch": args.decode_batch, "prompt_tokens": args.prompt_tokens,
                         "new_tokens": args.new_tokens,
                         "prompt_prefill_ms_median": statistics.median(pre) * 1e3,
                         "ms_per_token": statistics.median(per_tok) * 1e3,
                         "ms_per_token_generate": statistics.median(per_tok_gen) * 1e3,
                         "tokens_per_s": 1.0 / statistics.median(per_tok) * args.decode_batch}
    except Exception as ex:  # noqa: BLE001
        out["error"] = f"{type(ex).__name__}: {ex}"
        traceback.print_exc(file=sys.stderr)
    print(json.dumps(out))
    return 0 if out["error"] is None else 1


if __name__ == "__main__":
    sys.exit(main())
