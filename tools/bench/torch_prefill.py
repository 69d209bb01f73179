#!/usr/bin/env python3
# The PyTorch side of the GPU prefill comparison (issue 6, GPU.md): random bf16 weights of the Llama-3.1-8B shape written
# as an HF checkpoint, the HF transformers + SDPA reference (logits + greedy tokens), and the prefill timing baseline.
"""Random-weight Llama-3.1-8B: checkpoint writer, HF reference and PyTorch SDPA prefill bench.

Modes (any combination, run in this order in one process so torch/transformers import and the model load happen once):
  --write-weights DIR   seeded random bf16 weights on the GPU → DIR/config.json + sharded safetensors (≤ 5 GB each)
  --reference DIR       transformers (bf16, attn "sdpa", cuda): a seeded 512-token prompt, its last-position logits
                        (float32) and 32 greedy tokens → JSON (+ a raw float32 file of every step's logits beside it)
  --reference-f32-out J the same reference with the model upcast to float32 (exact weights, TF32 off) → J: the exact
                        math that both bf16 paths (transformers' and ours) approximate; the model goes back to bf16
  --bench DIR           one forward over L tokens returning the last token's logits, per --lengths; CUDA events,
                        1 warm-up + median of --reps (--reps-long at ≥ --long-from), peak memory → JSON (rewritten per
                        length), plus the prompt ids (<out>.ids.i32) and each length's float32 last-token logits
                        (<out>.logits.f32) beside it, so our side runs the same ids and compares its logits

  python3 tools/bench/torch_prefill.py --write-weights /tmp/llama8b
  python3 tools/bench/torch_prefill.py --reference /tmp/llama8b --reference-out ref.json \\
      --bench /tmp/llama8b --bench-out bench.json --lengths 8192,32768,65536,131072 --deadline 1767225600
  --out JSON stands for --reference-out or --bench-out when only one of the two modes is given.

--tiny writes tiny shapes (local tests); --impl numpy writes weights and the reference without torch (the reference
then comes from tools/reference/forward.py in float64, greedy by full recomputation; tiny shapes only; no bench).
No network is needed: nothing is downloaded, config.json is written here.
"""
import argparse
import base64
import json
import math
import os
import statistics
import struct
import sys
import time
import traceback

import numpy as np

FORMAT_REFERENCE = "apb-torch-reference/1"
FORMAT_BENCH = "apb-torch-bench/1"
SHARD_BYTES = 5_000_000_000  # HF's "5GB" shard limit
PROMPT_SEED = 2024
WEIGHT_SEED = 1234

LLAMA_31_8B = dict(vocab=128256, hidden=4096, inter=14336, layers=32, heads=32, kv_heads=8, head_dim=128)
TINY = dict(vocab=512, hidden=64, inter=128, layers=2, heads=4, kv_heads=2, head_dim=16)


def config_json(s):
    """Llama-3.1-8B's config.json (Meta's values; transformers 4.x spelling, which transformers 5 and our loader read)."""
    return {
        "architectures": ["LlamaForCausalLM"], "model_type": "llama", "attention_bias": False, "attention_dropout": 0.0,
        "mlp_bias": False, "bos_token_id": 128000, "eos_token_id": 128001, "head_dim": s["head_dim"], "hidden_act": "silu",
        "hidden_size": s["hidden"], "initializer_range": 0.02, "intermediate_size": s["inter"],
        "max_position_embeddings": 131072, "num_attention_heads": s["heads"], "num_hidden_layers": s["layers"],
        "num_key_value_heads": s["kv_heads"], "pretraining_tp": 1, "rms_norm_eps": 1e-05,
        "rope_scaling": {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                         "original_max_position_embeddings": 8192, "rope_type": "llama3"},
        "rope_theta": 500000.0, "tie_word_embeddings": False, "torch_dtype": "bfloat16", "use_cache": True,
        "vocab_size": s["vocab"],
    }


def tensor_plan(s):
    """(name, shape, std) in HF order; std 0 means a norm weight of ones.

    Why these scales: embeddings std 1 give every first RMSNorm an O(1) input; each projection std 1/sqrt(fan_in) keeps
    its output per-element variance equal to its (unit-RMS, normalised) input, so q and k are ~N(0, 1) and the scaled
    scores q·k/sqrt(dh) are O(1): softmax is neither uniform nor one-hot, gate/up sit in SiLU's non-linear range, and
    o_proj/down_proj add O(1) to a residual stream that grows only like sqrt(layers), so no layer dominates and bf16
    keeps its relative precision everywhere. The LM head (std 1/sqrt(hidden)) gives logits ~N(0, 1): well-conditioned,
    but with i.i.d.-like logits over 128K tokens the top-2 gap is only ~0.2 of their spread (extreme-value statistics),
    so every greedy step's margin is recorded and a divergence at a near-tie can be told from a real mismatch.
    """
    d, i, v = s["hidden"], s["inter"], s["vocab"]
    q, kv = s["heads"] * s["head_dim"], s["kv_heads"] * s["head_dim"]
    out = [("model.embed_tokens.weight", [v, d], 1.0)]
    for layer in range(s["layers"]):
        p = f"model.layers.{layer}."
        out += [
            (p + "input_layernorm.weight", [d], 0.0),
            (p + "self_attn.q_proj.weight", [q, d], d ** -0.5),
            (p + "self_attn.k_proj.weight", [kv, d], d ** -0.5),
            (p + "self_attn.v_proj.weight", [kv, d], d ** -0.5),
            (p + "self_attn.o_proj.weight", [d, q], q ** -0.5),
            (p + "post_attention_layernorm.weight", [d], 0.0),
            (p + "mlp.gate_proj.weight", [i, d], d ** -0.5),
            (p + "mlp.up_proj.weight", [i, d], d ** -0.5),
            (p + "mlp.down_proj.weight", [d, i], i ** -0.5),
        ]
    out += [("model.norm.weight", [d], 0.0), ("lm_head.weight", [v, d], d ** -0.5)]
    return out


def shards_of(plan):
    """Consecutive tensors packed into shards of at most SHARD_BYTES (bf16)."""
    shards, cur, size = [], [], 0
    for item in plan:
        n = math.prod(item[1]) * 2
        if cur and size + n > SHARD_BYTES:
            shards.append(cur)
            cur, size = [], 0
        cur.append(item)
        size += n
    return shards + ([cur] if cur else [])


def bf16_bits_numpy(x):
    """float32 → bfloat16 bits, round to nearest even (as torch's .to(torch.bfloat16))."""
    u = x.astype(np.float32).view(np.uint32).astype(np.uint64)
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)


def make_generator(impl, seed):
    """A function (index, shape, std) → little-endian bf16 bytes; each tensor has its own seed, independent of sharding."""
    if impl == "numpy":
        def gen(index, shape, std):
            if std == 0.0:
                return np.full(shape, 0x3F80, dtype=np.uint16)  # bf16 1.0
            rng = np.random.default_rng(seed * 1_000_003 + index)
            return bf16_bits_numpy(rng.standard_normal(shape, dtype=np.float32) * np.float32(std))
        return gen
    import torch
    g = torch.Generator(device="cuda")

    def gen_torch(index, shape, std):
        if std == 0.0:
            t = torch.ones(shape, dtype=torch.bfloat16, device="cuda")
        else:
            g.manual_seed(seed * 1_000_003 + index)
            t = torch.randn(shape, generator=g, device="cuda", dtype=torch.float32).mul_(std).to(torch.bfloat16)
        return t.view(torch.int16).cpu().numpy()
    return gen_torch


def write_weights(out_dir, shape, impl, seed):
    """Writes config.json, the shards and model.safetensors.index.json; returns the bytes written."""
    t0 = time.time()
    os.makedirs(out_dir, exist_ok=True)
    plan = tensor_plan(shape)
    index_of = {name: k for k, (name, _, _) in enumerate(plan)}
    shards = shards_of(plan)
    gen = make_generator(impl, seed)
    weight_map, total = {}, 0
    for si, shard in enumerate(shards):
        fname = f"model-{si + 1:05d}-of-{len(shards):05d}.safetensors"
        header, off = {}, 0
        for name, shp, _ in shard:
            n = math.prod(shp) * 2
            header[name] = {"dtype": "BF16", "shape": shp, "data_offsets": [off, off + n]}
            off += n
            weight_map[name] = fname
        header["__metadata__"] = {"format": "pt"}
        hb = json.dumps(header, separators=(",", ":")).encode()
        hb += b" " * ((8 - len(hb) % 8) % 8)  # the format pads the header to 8 bytes
        with open(os.path.join(out_dir, fname), "wb") as f:
            f.write(struct.pack("<Q", len(hb)))
            f.write(hb)
            for name, shp, std in shard:
                f.write(memoryview(np.ascontiguousarray(gen(index_of[name], shp, std))).cast("B"))
        total += off
        print(f"write-weights: {fname} {off / 1e9:.2f} GB ({time.time() - t0:.1f} s)", flush=True)
    with open(os.path.join(out_dir, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f)
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(config_json(shape), f, indent=1)
    print(f"write-weights: {total / 1e9:.2f} GB in {len(shards)} shards, {time.time() - t0:.1f} s ({impl})", flush=True)
    return total


def prompt_ids(vocab, length, seed):
    return np.random.default_rng(seed).integers(0, vocab, size=length).tolist()


def step_stats(logits):
    """Margin facts of one row of float32 logits: the token, top-2 gap, spread, and the 5 best."""
    top = np.argsort(-logits, kind="stable")[:5]
    return {"token": int(top[0]), "top1": float(logits[top[0]]), "top2": float(logits[top[1]]),
            "margin": float(logits[top[0]] - logits[top[1]]), "runnerUp": int(top[1]), "std": float(logits.std()),
            "top5": [int(t) for t in top]}


def attn_name(model):
    return getattr(model.config, "_attn_implementation", None) or "?"


def load_torch_model(model_dir):
    import torch
    import transformers
    from transformers import AutoModelForCausalLM
    print(f"load: torch {torch.__version__}, transformers {transformers.__version__}, {torch.cuda.get_device_name(0)}", flush=True)
    t0 = time.time()
    kw = dict(dtype=torch.bfloat16, attn_implementation="sdpa")
    try:
        model = AutoModelForCausalLM.from_pretrained(model_dir, device_map="cuda", **kw)
    except (ImportError, ValueError, TypeError, RuntimeError) as e:  # no accelerate / older API: load on CPU, then move
        print(f"load: device_map failed ({type(e).__name__}: {e}); loading on CPU", flush=True)
        model = AutoModelForCausalLM.from_pretrained(model_dir, **kw).to("cuda")
    if next(model.parameters()).dtype != torch.bfloat16:  # an older transformers spells the dtype argument torch_dtype
        model = model.to(torch.bfloat16)
    model.eval()
    torch.cuda.synchronize()
    print(f"load: {model_dir} in {time.time() - t0:.1f} s, attention {attn_name(model)}", flush=True)
    return model, time.time() - t0


def torch_reference(model, ids, new_tokens):
    """Greedy decoding by hand (argmax of raw logits: no logits processors, no EOS stop, no generation-config defaults).
    The body is stock transformers (bf16, SDPA, its KV cache); the LM head is applied in float32 to the bf16 final hidden
    state, as our engine does (a bf16 logits tensor would quantise the top-2 gaps to 2^-8 of the logit)."""
    import torch
    head = model.lm_head.weight.float()
    rows, tokens = [], []
    with torch.inference_mode():
        x = torch.tensor([ids], device="cuda")
        out = model.model(input_ids=x, use_cache=True)
        for step in range(new_tokens):
            logits = torch.nn.functional.linear(out.last_hidden_state[0, -1].float(), head)
            rows.append(logits.cpu().numpy().astype(np.float32))
            nxt = int(torch.argmax(logits))
            tokens.append(nxt)
            if step + 1 < new_tokens:
                out = model.model(input_ids=torch.tensor([[nxt]], device="cuda"), past_key_values=out.past_key_values, use_cache=True)
    return tokens, rows


def numpy_reference(model_dir, ids, new_tokens):
    """float64 numpy forward (tools/reference/forward.py); greedy by full recomputation, then one pass for every step's logits."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
    import forward  # noqa: E402  (the independent numpy reference)
    m = forward.Model(model_dir)
    tokens = []
    for _ in range(new_tokens):
        tokens.append(int(np.argmax(m.forward(ids + tokens)[-1])))
    all_logits = m.forward(ids + tokens[:-1])
    return tokens, [all_logits[len(ids) - 1 + k].astype(np.float32) for k in range(new_tokens)]


def run_reference(args, model, out, dtype="bfloat16"):
    """The reference on `model` as it is: transformers bf16 (stock), or dtype "float32" once the model was upcast."""
    t0 = time.time()
    cfg = json.load(open(os.path.join(args.reference, "config.json")))
    ids = prompt_ids(cfg["vocab_size"], args.prompt_len, args.prompt_seed)
    if args.impl == "numpy":
        tokens, rows = numpy_reference(args.reference, ids, args.new_tokens)
        meta = dict(impl="numpy float64 (tools/reference/forward.py)", dtype="float64", attention="dense", device="cpu")
    else:
        import torch
        import transformers
        tokens, rows = torch_reference(model, ids, args.new_tokens)
        meta = dict(impl="transformers", transformers=transformers.__version__, torch=torch.__version__, dtype=dtype,
                    attention=attn_name(model), lmHead="float32 (bf16 inputs)" if dtype == "bfloat16" else "float32",
                    device=torch.cuda.get_device_name(0))
        if dtype == "float32":
            meta["weights"] = "the bf16 checkpoint upcast to float32 (exact); TF32 off"
    logits_file = out + ".logits.f32"
    np.stack(rows).astype("<f4").tofile(logits_file)
    doc = dict(format=FORMAT_REFERENCE, model=os.path.abspath(args.reference), meta=meta, promptSeed=args.prompt_seed,
               promptIds=ids, greedy=tokens, vocabSize=cfg["vocab_size"], steps=[step_stats(r) for r in rows],
               lastLogitsB64=base64.b64encode(rows[0].astype("<f4").tobytes()).decode(),
               stepLogitsFile=os.path.basename(logits_file), seconds=round(time.time() - t0, 3))
    with open(out, "w") as f:
        json.dump(doc, f)
    margins = [s["margin"] / s["std"] for s in doc["steps"]]
    print(f"reference ({dtype}): prompt {len(ids)} tokens, greedy {tokens}", flush=True)
    print(f"reference ({dtype}): top-2 margin / logit std: min {min(margins):.3f}, median {statistics.median(margins):.3f} "
          f"({time.time() - t0:.1f} s) → {out}", flush=True)


def run_reference_f32(args, model):
    """The same weights in float32 (each bf16 value is exact in float32, TF32 off): the exact math the bf16 paths
    approximate, so both ours and transformers' bf16 can be measured against it. The model is cast back to bf16 after
    (exact again) and its float32 buffers (RoPE's inv_freq) restored, so the bench that follows times and compares the
    stock bf16 model (a plain .to(bf16) would round inv_freq too)."""
    import torch
    keep = {n: b.detach().clone() for n, b in model.named_buffers() if b.dtype == torch.float32}
    prev = (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    try:
        model.to(torch.float32)
        torch.cuda.empty_cache()
        run_reference(args, model, args.reference_f32_out, dtype="float32")
    finally:
        model.to(torch.bfloat16)
        for n, b in model.named_buffers():
            if n in keep:
                b.data = keep[n]
        torch.cuda.empty_cache()
        torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = prev
    odd = [n for n, b in model.named_buffers() if n in keep and b.dtype != torch.float32]
    if odd:
        raise RuntimeError(f"buffers not restored to float32: {odd}")


def time_forward(model, ids):
    """One prefill forward (no KV cache kept, as the GPU.md baseline), logits of the last token only; CUDA-event ms and
    the last token's final hidden state (for the float32 logits our side is compared with, computed after timing)."""
    import torch
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    with torch.inference_mode():
        start.record()
        h = model.model(input_ids=ids, use_cache=False).last_hidden_state[:, -1:, :]
        logits = model.lm_head(h)
        end.record()
        last = h[0, -1].clone()  # h is a view of the whole [1, L, d] output: keep 1 row, not L
    torch.cuda.synchronize()
    del logits, h
    return start.elapsed_time(end), last


def plan_reps(predicted_ms, reps, left_s):
    """Timed runs that fit (after one warm-up) in left_s; 0 when not even warm-up + 1 does."""
    while reps > 0 and (1 + reps) * predicted_ms / 1000 > left_s:
        reps -= 1
    return reps


def run_bench(args, model):
    import torch
    cfg = model.config
    doc = dict(format=FORMAT_BENCH, model=os.path.abspath(args.bench), device=torch.cuda.get_device_name(0),
               torch=torch.__version__, transformers=__import__("transformers").__version__,
               attention=attn_name(model), rows=[], skipped=[])
    ids_all = prompt_ids(cfg.vocab_size, max(args.lengths), args.prompt_seed + 1)
    # The prompt and each length's last-token logits (float32 head, as the reference) beside the JSON, so our side runs
    # the same ids and compares its logits at every length, 128K included.
    doc["idsFile"] = os.path.basename(args.bench_out + ".ids.i32")
    doc["logitsFile"] = os.path.basename(args.bench_out + ".logits.f32")
    np.asarray(ids_all, dtype="<i4").tofile(args.bench_out + ".ids.i32")
    open(args.bench_out + ".logits.f32", "wb").close()
    prev = None
    for length in args.lengths:
        base = prev or (8192, args.first_guess_ms)  # prefill time grows ~L^1.7 over 8K-128K (as the Node side plans)
        predicted = base[1] * (length / base[0]) ** 1.7
        reps = args.reps_long if length >= args.long_from else args.reps
        left = (args.deadline - time.time() - args.reserve) if args.deadline else 1e9
        reps = plan_reps(predicted, reps, left)
        if reps == 0:
            doc["skipped"].append(dict(length=length, reason=f"deadline: predicted {predicted / 1000:.1f} s per run, {left:.0f} s left"))
            print(f"bench: skip {length} (predicted {predicted / 1000:.1f} s/run, {left:.0f} s left)", flush=True)
            continue
        ids = torch.tensor([ids_all[:length]], device="cuda")
        torch.cuda.reset_peak_memory_stats()
        warm, _ = time_forward(model, ids)
        timed = [time_forward(model, ids) for _ in range(reps)]
        runs = [t for t, _ in timed]
        row = dict(length=length, warmupMs=round(warm, 3), runsMs=[round(r, 3) for r in runs],
                   medianMs=round(statistics.median(runs), 3), minMs=round(min(runs), 3),
                   peakAllocatedBytes=torch.cuda.max_memory_allocated(), peakReservedBytes=torch.cuda.max_memory_reserved(),
                   logitsRow=len(doc["rows"]))
        with torch.inference_mode():  # after the peaks were read: the float32 head copy (2 GB) is not counted
            last = torch.nn.functional.linear(timed[-1][1].float(), model.lm_head.weight.float()).cpu().numpy().astype("<f4")
        with open(args.bench_out + ".logits.f32", "ab") as f:
            f.write(last.tobytes())
        del timed
        doc["rows"].append(row)
        prev = (length, row["medianMs"])
        with open(args.bench_out, "w") as f:  # rewritten per length: a cut run leaves what it measured
            json.dump(doc, f, indent=1)
        print(f"bench: {length:>7} tokens  median {row['medianMs'] / 1000:8.3f} s  (warm-up {warm / 1000:.3f} s, "
              f"{reps} runs)  peak alloc {row['peakAllocatedBytes'] / 2**30:6.1f} GiB", flush=True)
        del ids
        torch.cuda.empty_cache()
    with open(args.bench_out, "w") as f:
        json.dump(doc, f, indent=1)
    print("\n  tokens   median s   min s   peak GiB\n" + "\n".join(
        f"{r['length']:>8} {r['medianMs'] / 1000:10.3f} {r['minMs'] / 1000:7.3f} {r['peakAllocatedBytes'] / 2**30:10.1f}"
        for r in doc["rows"]), flush=True)


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--write-weights", metavar="DIR")
    ap.add_argument("--reference", metavar="DIR")
    ap.add_argument("--bench", metavar="DIR")
    ap.add_argument("--out", help="output JSON when only one of --reference / --bench is given")
    ap.add_argument("--reference-out")
    ap.add_argument("--bench-out")
    ap.add_argument("--reference-f32-out", help="also the reference with the model upcast to float32 (torch only)")
    ap.add_argument("--tiny", action="store_true", help="tiny shapes (local tests) instead of Llama-3.1-8B's")
    ap.add_argument("--impl", choices=["torch", "numpy"], default="torch")
    ap.add_argument("--seed", type=int, default=WEIGHT_SEED, help="weight seed")
    ap.add_argument("--prompt-seed", type=int, default=PROMPT_SEED)
    ap.add_argument("--prompt-len", type=int, default=512)
    ap.add_argument("--new-tokens", type=int, default=32)
    ap.add_argument("--lengths", default="8192,32768,65536,131072")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--reps-long", type=int, default=2)
    ap.add_argument("--long-from", type=int, default=131072)
    ap.add_argument("--first-guess-ms", type=float, default=400.0, help="predicted time of an 8K run before any is measured")
    ap.add_argument("--deadline", type=float, default=0, help="unix time; lengths that would not finish are skipped")
    ap.add_argument("--reserve", type=float, default=5.0, help="seconds kept free before the deadline")
    a = ap.parse_args(argv)
    a.lengths = sorted(int(x) for x in a.lengths.split(",") if x)
    if a.reference and a.bench and a.out:
        ap.error("with both --reference and --bench, give --reference-out and --bench-out")
    a.reference_out = a.reference_out or (a.out if a.reference else None)
    a.bench_out = a.bench_out or (a.out if a.bench else None)
    if (a.reference and not a.reference_out) or (a.bench and not a.bench_out):
        ap.error("--reference / --bench need an output JSON (--out, --reference-out, --bench-out)")
    if a.bench and a.impl == "numpy":
        ap.error("--bench needs torch")
    if a.reference_f32_out and (a.impl == "numpy" or not a.reference):
        ap.error("--reference-f32-out needs --reference and torch")
    if not (a.write_weights or a.reference or a.bench):
        ap.error("nothing to do: give --write-weights, --reference and/or --bench")
    return a


def main(argv):
    a = parse_args(argv)
    shape = TINY if a.tiny else LLAMA_31_8B
    if a.write_weights:
        write_weights(a.write_weights, shape, a.impl, a.seed)
        if a.impl == "torch":
            import torch
            torch.cuda.empty_cache()
    model = None
    if a.impl == "torch" and (a.reference or a.bench):
        if a.reference and a.bench and os.path.abspath(a.reference) != os.path.abspath(a.bench):
            raise SystemExit("--reference and --bench must name the same checkpoint (it is loaded once)")
        model, _ = load_torch_model(a.reference or a.bench)
    failed = False
    if a.reference:
        try:
            run_reference(a, model, a.reference_out)
        except Exception:  # noqa: BLE001  the bench still runs on the loaded model; the exit code says it failed
            traceback.print_exc()
            failed = True
        if a.reference_f32_out:
            try:
                run_reference_f32(a, model)
            except Exception:  # noqa: BLE001  as above
                traceback.print_exc()
                failed = True
    if a.bench:
        run_bench(a, model)
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main(sys.argv[1:])
