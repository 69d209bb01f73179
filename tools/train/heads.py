"""Train Locret-style retaining heads on a frozen backbone (APB.md section 7).

  python tools/train/heads.py --model DIR --out DIR --minutes 1.5

Per layer i: fc1 = Linear((n_q + 2 n_kv) * d_h -> R, no bias), SiLU, fc2 = Linear(R -> n_kv, no bias),
applied to the layer's pre-RoPE [Q | K | V] projection outputs of each token. Output: one score per
token per KV head ("causal importance score").

Labels (Locret data_gen): for each layer, KV head j and prompt token k,
  S[k, j] = max over answer queries p and over the query heads g of j's GQA group of (q_p . k_k) / sqrt(d_h)
with q, k post-RoPE. Prompt = <s> + context + query segment; the answer queries p are the positions that
predict the answer tokens and </s>, i.e. the last query-segment token ("Answer:"'s colon) and the answer
tokens except the final </s> (the colon is the position that retrieves the first answer token).
Loss: SmoothL1(ŝ, S) averaged over tokens, then over (layer, head), + 0.0025 * Σ_layers MSE(ŝ[:-1], ŝ[1:]).
Backbone frozen; AdamW lr 5e-4, betas (0.9, 0.95), gradient value clip 0.5, linear warmup/decay.

Writes retaining_heads.safetensors (bf16) with keys model.layers.{i}.self_attn.fc1.weight [R, (n_q+2n_kv)d_h]
and model.layers.{i}.self_attn.fc2.weight [n_kv, R] (the APB-Locret layout), and heads_state.json.
"""
import argparse
import json
import math
import multiprocessing as mp
import os
import sys
import time

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import numpy as np  # noqa: E402
import datagen as D  # noqa: E402
import train as T  # noqa: E402

T0 = time.time()


def log(*a):
    print(f"[heads {time.time() - T0:6.1f}s]", *a, flush=True)


LENS = {1024: 0.2, 2048: 0.25, 4096: 0.3, 8192: 0.25}


def rope(x, pos, theta):
    """x [B, H, L, d] -> rotated (HF Llama default RoPE, rotate_half convention)."""
    import torch
    d = x.shape[-1]
    inv = 1.0 / (theta ** (torch.arange(0, d, 2, device=x.device, dtype=torch.float32) / d))
    f = pos.float()[:, None] * inv[None, :]
    emb = torch.cat([f, f], -1)
    cos, sin = emb.cos()[None, None], emb.sin()[None, None]
    x1, x2 = x[..., : d // 2], x[..., d // 2:]
    return x.float() * cos + torch.cat([-x2, x1], -1).float() * sin


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--minutes", type=float, default=1.5)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--tokens-per-step", type=int, default=32768)
    ap.add_argument("--workers", type=int, default=10)
    ap.add_argument("--pool-sentences", type=int, default=100000)
    ap.add_argument("--seed", type=int, default=11)
    a = ap.parse_args()
    tokdir = a.model
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(os.path.join(tokdir, "tokenizer.json"))
    T.G["ws_ids"] = {i for i in range(tok.get_vocab_size()) if tok.decode([i]).strip() == "" and i > 3}
    with mp.get_context("fork").Pool(min(14, os.cpu_count() or 4)) as pool:
        jobs = [("sent", s, 10000, tokdir) for s in range(0, a.pool_sentences, 10000)]
        jobs += [("kv", s, 10000, tokdir) for s in range(0, a.pool_sentences // 2, 10000)]
        pr = pool.map(T._pool_chunk, jobs)
    sent, kk, kvi = [], [], []
    for j, (k, ids) in zip(jobs, pr):
        if j[0] == "sent":
            sent += ids
        else:
            kk += k
            kvi += ids
    T.G.update(sent_ids=sent, kv_keys=kk, kv_ids=kvi, eval_hashes=set())
    workers = mp.get_context("fork").Pool(a.workers, initializer=T._worker_init, initargs=(tokdir,))

    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    from safetensors.torch import load_file, save_file
    from transformers import LlamaConfig, LlamaForCausalLM
    dev = "cuda"
    cfg = LlamaConfig.from_pretrained(a.model)
    T._set_sdpa(cfg)
    model = LlamaForCausalLM(cfg)
    sd = load_file(os.path.join(a.model, "model.safetensors"))
    model.load_state_dict(sd, strict=False)
    model = model.to(dev, torch.bfloat16).eval()
    for p in model.parameters():
        p.requires_grad_(False)
    nL, nq, nkv = cfg.num_hidden_layers, cfg.num_attention_heads, cfg.num_key_value_heads
    hd = getattr(cfg, "head_dim", None) or cfg.hidden_size // nq
    grp = nq // nkv
    rp = getattr(cfg, "rope_parameters", None) or {}
    theta = float(rp.get("rope_theta", getattr(cfg, "rope_theta", 10000.0)))
    din = (nq + 2 * nkv) * hd
    log(f"backbone {a.model}: layers {nL}, heads {nq}/{nkv}, head_dim {hd}, theta {theta}; head input {din} -> {a.hidden}")

    cap = {}

    def hook(name):
        def f(mod, inp, out):
            cap[name] = out
        return f

    for i, layer in enumerate(model.model.layers):
        at = layer.self_attn
        at.q_proj.register_forward_hook(hook((i, "q")))
        at.k_proj.register_forward_hook(hook((i, "k")))
        at.v_proj.register_forward_hook(hook((i, "v")))

    torch.manual_seed(a.seed)
    heads = nn.ModuleList([nn.Sequential(nn.Linear(din, a.hidden, bias=False), nn.SiLU(),
                                         nn.Linear(a.hidden, nkv, bias=False)) for _ in range(nL)]).to(dev)
    opt = torch.optim.AdamW(heads.parameters(), lr=a.lr, betas=(0.9, 0.95), weight_decay=0.0)
    budget = a.minutes * 60
    rng = D.Rng(D.fnv1a32(f"heads/{a.seed}"))

    def pick():
        Ls, ws = zip(*LENS.items())
        u = rng.next_u32() / 4294967296.0 * sum(ws)
        c = 0
        for L, w in zip(Ls, ws):
            c += w
            if u < c:
                return L
        return Ls[-1]

    def submit(k):
        L = pick()
        return L, workers.apply_async(T.make_batch, ((D.fnv1a32(f"heads/{a.seed}/{k}"), L, max(1, a.tokens_per_step // L), 0, "heads"),))

    q = [submit(k) for k in range(2 * a.workers)]
    nsub = len(q)

    def labels_and_inputs(x, ans):
        """Returns per-sample lists: inputs [nL, P, din], labels [nL, nkv, P] for prompt length P."""
        with torch.no_grad(), torch.autocast("cuda", dtype=torch.bfloat16):
            model.model(input_ids=x)
        out = []
        for b in range(x.shape[0]):
            a_idx = torch.nonzero(ans[b]).flatten()
            a0, a1 = int(a_idx[0]), int(a_idx[-1]) + 1  # answer tokens + </s>
            P = a0  # prompt = everything before the answer
            qpos = torch.arange(a0 - 1, a1 - 1, device=dev)
            pos = torch.arange(P, device=dev)
            inp, lab = [], []
            for i in range(nL):
                qq, kk_, vv = cap[(i, "q")][b], cap[(i, "k")][b], cap[(i, "v")][b]
                inp.append(torch.cat([qq[:P], kk_[:P], vv[:P]], -1))
                qh = qq[qpos].view(-1, nq, hd).transpose(0, 1)  # [nq, A, hd]
                kh = kk_[:P].view(P, nkv, hd).transpose(0, 1)  # [nkv, P, hd]
                qr = rope(qh[None], qpos, theta)[0]
                kr = rope(kh[None], pos, theta)[0]
                kr = kr.repeat_interleave(grp, 0)  # [nq, P, hd]
                s = torch.einsum("had,hpd->hap", qr, kr) / math.sqrt(hd)  # [nq, A, P]
                causal = pos[None, None, :] <= qpos[None, :, None]
                s = s.masked_fill(~causal, float("-inf"))
                s = s.amax(1).view(nkv, grp, P).amax(1)  # [nkv, P]
                lab.append(s)
            out.append((torch.stack(inp), torch.stack(lab)))
        return out

    def forward_heads(inp):
        # inp [nL, P, din] -> [nL, nkv, P]
        return torch.stack([heads[i](inp[i].float()).transpose(0, 1) for i in range(nL)])

    def loss_fn(pred, lab):
        sl1 = F.smooth_l1_loss(pred, lab, reduction="none").mean(-1).mean()
        smooth = sum(F.mse_loss(pred[i, :, :-1], pred[i, :, 1:]) for i in range(nL))
        return sl1 + 0.0025 * smooth, sl1

    def overlap(pred, lab, frac=0.1):
        P = lab.shape[-1]
        k = max(1, int(P * frac))
        tp = pred.topk(k, -1).indices
        tl = lab.topk(k, -1).indices
        hit = torch.zeros_like(lab, dtype=torch.bool).scatter_(-1, tl, True).gather(-1, tp)
        return hit.float().mean().item()

    t0 = time.time()
    step, hist = 0, []
    warm = 50
    est_steps = None
    while time.time() - t0 < budget:
        L, r = q.pop(0)
        x, ans, first, tid, _ = r.get()
        q.append(submit(nsub))
        nsub += 1
        xt = torch.from_numpy(x).to(dev).long()
        at = torch.from_numpy((ans == 2).astype(np.uint8)).to(dev)
        items = labels_and_inputs(xt, at)
        frac = (time.time() - t0) / budget
        lr = a.lr * min(1.0, (step + 1) / warm) * max(0.05, 1 - frac)
        for g in opt.param_groups:
            g["lr"] = lr
        opt.zero_grad(set_to_none=True)
        tot, tsl, tov = 0.0, 0.0, 0.0
        for inp, lab in items:
            pred = forward_heads(inp)
            loss, sl1 = loss_fn(pred, lab.float())
            (loss / len(items)).backward()
            tot += loss.item() / len(items)
            tsl += sl1.item() / len(items)
            if step % 20 == 0:
                tov += overlap(pred.detach(), lab) / len(items)
        torch.nn.utils.clip_grad_value_(heads.parameters(), 0.5)
        opt.step()
        if step % 20 == 0:
            hist.append(dict(step=step, L=L, loss=tot, smoothl1=tsl, top10_overlap=tov))
            log(f"step {step} L={L} loss={tot:.4f} smoothl1={tsl:.4f} top10%-overlap={tov:.3f} lr={lr:.2e}")
        step += 1
    workers.terminate()
    # held-out check on eval-split samples (exact generator), one per task at 4K
    enc = lambda s: tok.encode(s, add_special_tokens=False).ids  # noqa: E731
    ov = {}
    with torch.no_grad():
        for task in D.TASKS:
            s = D.eval_sample(task, 4096, 999, enc)
            x = torch.tensor([s["ids"]], device=dev)
            am = torch.zeros_like(x, dtype=torch.uint8)
            q0, a0, a1, _ = s["qa_spans"][0]
            am[0, a0:a1] = 1
            inp, lab = labels_and_inputs(x, am)[0]
            ov[task] = round(overlap(forward_heads(inp), lab), 3)
    log("held-out top-10% overlap at 4K:", ov)
    sd = {}
    for i in range(nL):
        sd[f"model.layers.{i}.self_attn.fc1.weight"] = heads[i][0].weight.detach().to(torch.bfloat16).cpu().contiguous()
        sd[f"model.layers.{i}.self_attn.fc2.weight"] = heads[i][2].weight.detach().to(torch.bfloat16).cpu().contiguous()
    os.makedirs(a.out, exist_ok=True)
    save_file(sd, os.path.join(a.out, "retaining_heads.safetensors"),
              metadata={"format": "pt", "hidden": str(a.hidden), "activation": "silu",
                        "input": "pre-RoPE concat(q_proj, k_proj, v_proj) outputs", "outputs": str(nkv)})
    with open(os.path.join(a.out, "heads_state.json"), "w") as f:
        json.dump(dict(steps=step, minutes=round((time.time() - t0) / 60, 2), hidden=a.hidden, lr=a.lr,
                       heldout_top10_overlap_4k=ov, curve=hist,
                       date=time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
                       device=torch.cuda.get_device_name(0)), f, indent=1)
    log(f"saved {a.out}/retaining_heads.safetensors after {step} steps")


if __name__ == "__main__":
    main()
