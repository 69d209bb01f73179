#!/usr/bin/env python3
# Independent float64 numpy reference for checking our TypeScript backends: the HF Llama/Mistral/Qwen2 forward pass
# and APB prefill + query (shared/design/APB.md sections 2-4), from a checkpoint folder. numpy only.
"""Float64 reference forward passes.

Usage (see README.md):
  python3 forward.py CKPT --ids 1,5,9,12 [--tail 3]
  python3 forward.py CKPT --context 1,5,9,... --query 7,8 --hosts 3 --anchor 4 --passing 2 --qsp 1
"""
import argparse
import json
import math
import os
import struct

import numpy as np

SUPPORTED = {"LlamaForCausalLM": "llama", "MistralForCausalLM": "mistral", "Qwen2ForCausalLM": "qwen2"}


# ----------------------------------------------------------------------------------------------- files

def read_safetensors(path):
    """All tensors of one .safetensors file as float64 arrays (F32, F16, BF16)."""
    out = {}
    with open(path, "rb") as f:
        (header_len,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(header_len).decode("utf-8"))
        base = 8 + header_len
        for name, entry in header.items():
            if name == "__metadata__":
                continue
            begin, end = entry["data_offsets"]
            f.seek(base + begin)
            raw = f.read(end - begin)
            dtype = entry["dtype"]
            if dtype == "F32":
                arr = np.frombuffer(raw, dtype="<f4")
            elif dtype == "F16":
                arr = np.frombuffer(raw, dtype="<f2")
            elif dtype == "BF16":  # a bfloat16 is the top 16 bits of a float32
                arr = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
            else:
                raise ValueError(f"{path}: tensor {name} has unsupported dtype {dtype}")
            out[name] = arr.astype(np.float64).reshape(entry["shape"])
    return out


def read_checkpoint_tensors(ckpt_dir):
    single = os.path.join(ckpt_dir, "model.safetensors")
    if os.path.exists(single):
        return read_safetensors(single)
    with open(os.path.join(ckpt_dir, "model.safetensors.index.json")) as f:
        weight_map = json.load(f)["weight_map"]
    tensors = {}
    for shard in sorted(set(weight_map.values())):
        tensors.update(read_safetensors(os.path.join(ckpt_dir, shard)))
    return {name: tensors[name] for name in weight_map}


def rope_inv_freq(cfg):
    """HF rope init: default, linear (`_compute_linear_scaling_rope_parameters`), llama3 (`_compute_llama3_parameters`)."""
    hd, rope = cfg["head_dim"], cfg["rope"]
    inv = 1.0 / (cfg["rope_theta"] ** (np.arange(0, hd, 2, dtype=np.float64) / hd))
    kind = rope.get("rope_type", rope.get("type", "default"))
    if kind == "default":
        return inv
    if kind == "linear":
        return inv / rope["factor"]
    if kind != "llama3":
        raise ValueError(f"rope_type {kind} is not implemented")
    factor, low, high = rope["factor"], rope["low_freq_factor"], rope["high_freq_factor"]
    old_ctx = rope["original_max_position_embeddings"]
    low_wavelen, high_wavelen = old_ctx / low, old_ctx / high
    wavelen = 2 * math.pi / inv
    inv_llama = np.where(wavelen > low_wavelen, inv / factor, inv)
    smooth = (old_ctx / wavelen - low) / (high - low)
    smoothed = (1 - smooth) * inv_llama / factor + smooth * inv_llama
    is_medium = ~(wavelen < high_wavelen) & ~(wavelen > low_wavelen)
    return np.where(is_medium, smoothed, inv_llama)


def load_config(ckpt_dir):
    with open(os.path.join(ckpt_dir, "config.json")) as f:
        c = json.load(f)
    arch = SUPPORTED[c["architectures"][0]]
    nh = c["num_attention_heads"]
    v5 = c.get("rope_parameters")
    cfg = {
        "arch": arch, "vocab": c["vocab_size"], "d": c["hidden_size"], "layers": c["num_hidden_layers"], "nh": nh,
        "nkv": c.get("num_key_value_heads") or nh, "head_dim": c.get("head_dim") or c["hidden_size"] // nh,
        "eps": c.get("rms_norm_eps", 1e-6), "tie": c.get("tie_word_embeddings", False),
        "qkv_bias": arch == "qwen2" or (arch == "llama" and c.get("attention_bias", False)),
        "rope_theta": (v5 or {}).get("rope_theta", c.get("rope_theta", 10000.0)), "rope": v5 or c.get("rope_scaling") or {},
    }
    assert c.get("hidden_act", "silu") == "silu"
    return cfg


# ----------------------------------------------------------------------------------------------- model

def rms_norm(x, w, eps):
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * w


def silu(x):
    return x / (1.0 + np.exp(-x))


def attention(q, k, v, mask):
    """q [Tq, nh, hd], k/v [Tk, nkv, hd], mask [Tq, Tk] bool → out [Tq, nh*hd], lse [Tq, nh] (natural log).
    GQA: query head i uses KV head i // (nh/nkv). A row that sees no key gives out 0 and lse -inf."""
    tq, nh, hd = q.shape
    g = nh // k.shape[1]
    kk, vv = np.repeat(k, g, axis=1), np.repeat(v, g, axis=1)
    s = np.einsum("qhd,khd->hqk", q, kk) / math.sqrt(hd)
    s = np.where(mask[None], s, -np.inf)
    m = np.max(s, axis=-1, keepdims=True)
    m_safe = np.where(np.isfinite(m), m, 0.0)
    p = np.exp(s - m_safe)
    z = np.sum(p, axis=-1, keepdims=True)
    out = np.einsum("hqk,khd->qhd", p / np.where(z > 0, z, 1.0), vv)
    with np.errstate(divide="ignore"):
        lse = (np.log(z) + m_safe)[..., 0].T
    return out.reshape(tq, nh * hd), lse


class Model:
    """A HF decoder-only checkpoint in float64, with optional APB retaining heads."""

    def __init__(self, ckpt_dir, heads_file=None):
        self.cfg = load_config(ckpt_dir)
        self.w = read_checkpoint_tensors(ckpt_dir)
        self.inv_freq = rope_inv_freq(self.cfg)
        self.heads = read_safetensors(heads_file) if heads_file else None

    def embed(self, ids):
        return self.w["model.embed_tokens.weight"][np.asarray(ids, dtype=np.int64)]

    def rope(self, x, positions):  # x [T, heads, hd]; HF rotate_half convention
        ang = np.asarray(positions, dtype=np.float64)[:, None] * self.inv_freq[None, :]
        cos = np.cos(np.concatenate([ang, ang], -1))[:, None, :]
        sin = np.sin(np.concatenate([ang, ang], -1))[:, None, :]
        half = x.shape[-1] // 2
        rotated = np.concatenate([-x[..., half:], x[..., :half]], -1)
        return x * cos + rotated * sin

    def qkv(self, layer, hidden, positions):
        """→ post-RoPE q [T, nh, hd], post-RoPE k [T, nkv, hd], v [T, nkv, hd], pre-RoPE [q|k|v] [T, (nh+2nkv)hd]."""
        c, p = self.cfg, f"model.layers.{layer}."
        x = rms_norm(hidden, self.w[p + "input_layernorm.weight"], c["eps"])
        proj = []
        for name in ("q", "k", "v"):
            y = x @ self.w[p + f"self_attn.{name}_proj.weight"].T
            if c["qkv_bias"]:
                y = y + self.w[p + f"self_attn.{name}_proj.bias"]
            proj.append(y)
        t = hidden.shape[0]
        q = self.rope(proj[0].reshape(t, c["nh"], c["head_dim"]), positions)
        k = self.rope(proj[1].reshape(t, c["nkv"], c["head_dim"]), positions)
        return q, k, proj[2].reshape(t, c["nkv"], c["head_dim"]), np.concatenate(proj, -1)

    def finish(self, layer, hidden, attn_out):
        """o_proj + residual, then post-norm SwiGLU MLP + residual."""
        p = f"model.layers.{layer}."
        h = hidden + attn_out @ self.w[p + "self_attn.o_proj.weight"].T
        x = rms_norm(h, self.w[p + "post_attention_layernorm.weight"], self.cfg["eps"])
        gate = silu(x @ self.w[p + "mlp.gate_proj.weight"].T)
        up = x @ self.w[p + "mlp.up_proj.weight"].T
        return h + (gate * up) @ self.w[p + "mlp.down_proj.weight"].T

    def logits(self, hidden):
        x = rms_norm(hidden, self.w["model.norm.weight"], self.cfg["eps"])
        head = self.w["model.embed_tokens.weight"] if self.cfg["tie"] else self.w["lm_head.weight"]
        return x @ head.T

    def head_scores(self, layer, pre):
        """Retaining-head scores fc2(silu(fc1(pre))) → [T, nkv]; numOut < nkv is repeated so KV head j uses output j // (nkv/numOut)."""
        if self.heads is None:
            return np.zeros((pre.shape[0], self.cfg["nkv"]))
        p = f"model.layers.{layer}.self_attn."
        s = silu(pre @ self.heads[p + "fc1.weight"].T) @ self.heads[p + "fc2.weight"].T
        return np.repeat(s, self.cfg["nkv"] // s.shape[1], axis=1)

    def forward(self, ids, positions=None):
        """Plain causal forward → logits [T, vocab]."""
        positions = np.arange(len(ids)) if positions is None else np.asarray(positions)
        h = self.embed(ids)
        causal = np.tril(np.ones((len(ids), len(ids)), dtype=bool))
        for layer in range(self.cfg["layers"]):
            q, k, v, _ = self.qkv(layer, h, positions)
            h = self.finish(layer, h, attention(q, k, v, causal)[0])
        return self.logits(h)


# ----------------------------------------------------------------------------------------------- APB

def max_pool5(s):
    """1-D max-pool along the sequence, kernel 5, stride 1, padding 2 (padding never wins): [T, c] → [T, c]."""
    t = s.shape[0]
    return np.stack([s[max(0, i - 2): min(t, i + 3)].max(axis=0) for i in range(t)])


def top_rows(pooled, count):
    """Per KV head, the `count` rows with the largest pooled score; ties go to the lower row index."""
    return np.stack([np.argsort(-pooled[:, j], kind="stable")[:count] for j in range(pooled.shape[1])], axis=1)


def host_inputs(ctx, query, hosts, anchor_len, qsp):
    """APB.md §2: pad with id 0 (position 0) to hosts*ceil(n/hosts); host h ≥ 1 gets [anchor | local] where
    anchor = ctx[:qsp] + query + ctx[qsp : anchor_len - len(query)] at positions 0..anchor_len-1."""
    n, lq = len(ctx), len(query)
    lb = -(-n // hosts)
    pad = hosts * lb - n
    assert lb > pad, "the last host must keep at least one real token"
    assert anchor_len == 0 or (qsp + lq <= anchor_len <= n), "need qsp + len(query) <= anchor_len <= n"
    ids = list(ctx) + [0] * pad
    pos = list(range(n)) + [0] * pad
    anchor = list(ctx[:qsp]) + list(query) + list(ctx[qsp: anchor_len - lq])
    out = []
    for h in range(hosts):
        a = anchor_len if h > 0 else 0
        out.append({"a": a, "ids": (anchor if a else []) + ids[h * lb:(h + 1) * lb],
                    "pos": (list(range(anchor_len)) if a else []) + pos[h * lb:(h + 1) * lb]})
    return out, lb, pad


def apb_mask(a, p, t_local):
    """APB.md §3.8 over keys [anchor a | passing p | local]: anchor rows causal over the anchor only;
    local rows see all anchor and passing keys and their own block causally."""
    m = np.zeros((a + t_local, a + p + t_local), dtype=bool)
    m[:a, :a] = np.tril(np.ones((a, a), dtype=bool))
    m[a:, :a + p] = True
    m[a:, a + p:] = np.tril(np.ones((t_local, t_local), dtype=bool))
    return m


def apb_prefill(model, ctx, query, hosts, anchor_len, passing_len, qsp):
    """APB prefill of the context on `hosts` simulated hosts → (caches[h][layer] = (k, v) local only, selections, raw scores).
    selections[layer][h] = [nkv][passing_len] selected rows as offsets into host h's local block (hosts 0..H-2);
    raw scores[layer][h] = [T_h, nkv] retaining-head scores before the max-pool."""
    inputs, lb, pad = host_inputs(ctx, query, hosts, anchor_len, qsp)
    assert hosts == 1 or passing_len <= lb - anchor_len, "host 0 needs passing_len unmasked rows (lb - anchor_len)"
    hidden = [model.embed(x["ids"]) for x in inputs]
    caches = [[] for _ in range(hosts)]
    selections, raw_all = [], []
    for layer in range(model.cfg["layers"]):
        per_host = [model.qkv(layer, hidden[h], inputs[h]["pos"]) for h in range(hosts)]
        sel, sel_rows, raw_layer = [], [], []
        for h, (q, k, v, pre) in enumerate(per_host):
            raw = model.head_scores(layer, pre)
            raw_layer.append(raw)
            pooled = max_pool5(raw)
            masked = pooled.copy()
            masked[:anchor_len] = -np.inf  # on every host, host 0 included (APB.md §3.4)
            idx = top_rows(masked, passing_len)  # [passing_len, nkv]
            sel.append((np.take_along_axis(k, idx[..., None], 0), np.take_along_axis(v, idx[..., None], 0)))
            sel_rows.append([sorted(int(r) - inputs[h]["a"] for r in idx[:, j]) for j in range(idx.shape[1])])
        for h, (q, k, v, _) in enumerate(per_host):
            a = inputs[h]["a"]
            pk = np.concatenate([sel[j][0] for j in range(h)], 0) if h > 0 else k[:0]
            pv = np.concatenate([sel[j][1] for j in range(h)], 0) if h > 0 else v[:0]
            keys = np.concatenate([k[:a], pk, k[a:]])
            values = np.concatenate([v[:a], pv, v[a:]])
            out, _ = attention(q, keys, values, apb_mask(a, pk.shape[0], k.shape[0] - a))
            hidden[h] = model.finish(layer, hidden[h], out)
            keep = k.shape[0] - a - (pad if h == hosts - 1 else 0)
            caches[h].append((k[a:a + keep], v[a:a + keep]))
        selections.append(sel_rows[:hosts - 1])  # the last host's selection is never used
        raw_all.append(raw_layer)
    return caches, selections, raw_all


def apb_query(model, caches, query, n):
    """APB.md §4: every host runs the query at positions n.. over its own cache; only the last host appends the query
    KV (causal within the query); non-owner hosts use no mask; partials merge by log-sum-exp. → logits [lq, vocab]."""
    hosts, lq = len(caches), len(query)
    positions = np.arange(n, n + lq)
    h = model.embed(query)
    for layer in range(model.cfg["layers"]):
        q, k, v, _ = model.qkv(layer, h, positions)
        outs, lses = [], []
        for r in range(hosts):
            ck, cv = caches[r][layer]
            if r == hosts - 1:
                ck, cv = np.concatenate([ck, k]), np.concatenate([cv, v])
                caches[r][layer] = (ck, cv)
                mask = np.tril(np.ones((lq, ck.shape[0]), dtype=bool), ck.shape[0] - lq)
            else:
                mask = np.ones((lq, ck.shape[0]), dtype=bool)
            o, lse = attention(q, ck, cv, mask)
            outs.append(o)
            lses.append(lse)
        lse_all = np.logaddexp.reduce(np.stack(lses), axis=0)  # [lq, nh]
        hd = model.cfg["head_dim"]  # out columns are head-major: head i owns [i*hd, (i+1)*hd)
        merged = sum(np.repeat(np.exp(s - lse_all), hd, axis=1) * o for o, s in zip(outs, lses))
        h = model.finish(layer, h, merged)
    return model.logits(h)


def apb_query_logits(model, ctx, query, hosts, anchor_len, passing_len, qsp):
    """Prefill + query pass → (query logits [lq, vocab], selections, raw head scores)."""
    caches, selections, raw = apb_prefill(model, ctx, query, hosts, anchor_len, passing_len, qsp)
    return apb_query(model, caches, query, len(ctx)), selections, raw


# ----------------------------------------------------------------------------------------------- CLI

def parse_ids(text):
    return [int(x) for x in text.split(",") if x.strip()]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoint")
    ap.add_argument("--ids", type=parse_ids, help="full forward of these token ids")
    ap.add_argument("--tail", type=int, default=1, help="print logits of the last N positions")
    ap.add_argument("--context", type=parse_ids, help="APB: context ids")
    ap.add_argument("--query", type=parse_ids, help="APB: query ids")
    ap.add_argument("--hosts", type=int, default=2)
    ap.add_argument("--anchor", type=int, default=0)
    ap.add_argument("--passing", type=int, default=0)
    ap.add_argument("--qsp", type=int, default=0)
    ap.add_argument("--heads", default="retaining_heads.safetensors", help="heads file inside the checkpoint (if present)")
    ap.add_argument("--json", help="write the logits here as JSON")
    args = ap.parse_args()
    heads = os.path.join(args.checkpoint, args.heads)
    model = Model(args.checkpoint, heads if os.path.exists(heads) else None)
    result = {}
    if args.ids:
        result["logits"] = model.forward(args.ids)[-args.tail:].tolist()
    if args.context:
        logits, selections, _ = apb_query_logits(model, args.context, args.query or [], args.hosts, args.anchor, args.passing, args.qsp)
        result["apbQueryLogits"] = logits.tolist()
        result["selections"] = selections
    for key, rows in result.items():
        if key.endswith("ogits"):
            for i, row in enumerate(rows):
                top = np.argsort(-np.asarray(row))[:5]
                print(f"{key}[{i}] top5 ids {top.tolist()} values {np.round(np.asarray(row)[top], 6).tolist()}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f)


if __name__ == "__main__":
    main()
