"""Train the embedded model: a small HF LlamaForCausalLM on the synthetic long-context tasks.

One command per stage (GPU machine), resuming from a checkpoint folder:

  python tools/train/train.py --stage base --out $OUT --minutes 7
  python tools/train/train.py --stage long --resume .train-ckpt --out $OUT --minutes 6.5

What it does: builds a pre-tokenised filler pool (train seeds), the eval set (eval seeds, exact
generator from datagen.py) and its hashes, starts data workers, trains with a length curriculum
(loss on answer tokens, plus a small LM loss), logs answer-token and first-answer-token accuracy, then
evaluates greedy exact match per task and length (teacher-forced argmax over the answer and </s>, which
is exactly what greedy decoding would produce) and saves an HF checkpoint (config.json,
model.safetensors in bf16, tokenizer files, train_state.json) into --out.
"""
import argparse
import json
import math
import multiprocessing as mp
import os
import shutil
import sys
import time

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import numpy as np  # noqa: E402
import datagen as D  # noqa: E402

T0 = time.time()


def log(*a):
    print(f"[{time.time() - T0:6.1f}s]", *a, flush=True)


# ------------------------------------------------------------------------------------------------
# Curricula: per stage, a list of (fraction of this run's training time, {length: weight}) phases.
# ------------------------------------------------------------------------------------------------
STAGES = {
    "smoke": [(1.0, {256: 1, 512: 1})],
    "base": [
        (0.30, {256: 0.6, 512: 0.4}),
        (0.50, {256: 0.2, 512: 0.3, 1024: 0.3, 2048: 0.2}),
        (0.70, {512: 0.1, 1024: 0.25, 2048: 0.3, 4096: 0.35}),
        (1.00, {512: 0.05, 1024: 0.1, 2048: 0.2, 4096: 0.3, 8192: 0.35}),
    ],
    "long": [
        (0.20, {256: 0.3, 512: 0.3, 1024: 0.2, 2048: 0.2}),
        (1.00, {512: 0.05, 1024: 0.1, 2048: 0.15, 4096: 0.25, 8192: 0.33, 16384: 0.12}),
    ],
    # format v3 (key right before the value): relearn the lookups short, then the long mix up to 32K
    "v3": [
        (0.30, {256: 0.35, 512: 0.35, 1024: 0.3}),
        (0.45, {512: 0.2, 1024: 0.3, 2048: 0.3, 4096: 0.2}),
        (1.00, {512: 0.05, 1024: 0.1, 2048: 0.15, 4096: 0.25, 8192: 0.3, 16384: 0.1, 32768: 0.05}),
    ],
    # v4: the question also embedded after <s> (as APB's anchor puts it) in half the samples; from run 3
    "v4": [
        (0.15, {256: 0.3, 512: 0.3, 1024: 0.4}),
        (1.00, {512: 0.05, 1024: 0.1, 2048: 0.15, 4096: 0.25, 8192: 0.3, 16384: 0.1, 32768: 0.05}),
    ],
}
TASK_W = {"niah_single": 0.08, "niah_multikey": 0.16, "niah_multivalue": 0.08, "niah_multiquery": 0.12,
          "kv": 0.18, "vt": 0.18, "facts": 0.2}
# per-stage task mix (default TASK_W): v3 leans on the lookups that stayed unsolved in v2
STAGE_TASK_W = {"v3": {"niah_single": 0.05, "niah_multikey": 0.18, "niah_multivalue": 0.06, "niah_multiquery": 0.17,
                       "kv": 0.22, "vt": 0.13, "facts": 0.19},
                "v4": {"niah_single": 0.05, "niah_multikey": 0.14, "niah_multivalue": 0.14, "niah_multiquery": 0.14,
                       "kv": 0.18, "vt": 0.13, "facts": 0.22}}
# Per-stage probability that a training sample also carries its first question right after <s> (APB.md 2.4: the
# anchor is ctx[:qsp] + question + ctx[qsp:], qsp = 1 for this model). A model that never saw a question before its
# document reads the anchor's copy as part of the text: in APB every later host's block is prefilled behind it, and
# run 3 answered multi-value needles with the first value twice. The heads stage sees the same mix.
STAGE_EMBED = {"v4": 0.5, "heads": 0.5}
EMBED_RESERVE = 64  # tokens kept free for the embedded question when a sample is built for it
TASK_IDX = {t: i for i, t in enumerate(D.TASKS)}


# ------------------------------------------------------------------------------------------------
# Data: a pre-tokenised pool of filler sentences and kv pairs with the same interface as
# datagen.TextSource, so training samples follow the eval distribution exactly, only faster.
# ------------------------------------------------------------------------------------------------
G = {}


def _pool_chunk(args):
    kind, start, n, tokdir = args
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(os.path.join(tokdir, "tokenizer.json"))
    rng = D.Rng(D.fnv1a32(f"pool/{kind}/{start}"))
    if kind == "sent":
        txt = [D.filler_sentence(rng) for _ in range(n)]
        enc = tok.encode_batch([" " + t for t in txt], add_special_tokens=False)
        return [None] * n, [e.ids for e in enc]
    keys, txt = [], []
    for _ in range(n):
        k = D.kv_key(rng)
        keys.append(k)
        txt.append(D.kv_pair(k, D.number5(rng)))
    enc = tok.encode_batch([" " + t for t in txt], add_special_tokens=False)
    return keys, [e.ids for e in enc]


class PoolSource:
    def __init__(self, sent_ids, kv_keys, kv_ids):
        self.sent_ids, self.kv_keys, self.kv_ids = sent_ids, kv_keys, kv_ids

    def sentence(self, rng):
        return None, self.sent_ids[rng.below(len(self.sent_ids))]

    def kv_pair(self, rng):
        i = rng.below(len(self.kv_ids))
        return self.kv_keys[i], None, self.kv_ids[i]


def _worker_init(tokdir):
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(os.path.join(tokdir, "tokenizer.json"))
    G["enc"] = lambda s: tok.encode(s, add_special_tokens=False).ids
    G["src"] = PoolSource(G["sent_ids"], G["kv_keys"], G["kv_ids"])


def _train_cfg(rng, task):
    c = {}
    if task in ("niah_multikey", "niah_multiquery"):
        c["n_needles"] = 2 + rng.below(7)  # 2..8 (eval uses 4)
    elif task == "niah_multivalue":
        c["n_needles"] = 2 + rng.below(4)  # 2..5 (eval uses 4)
    elif task == "kv":
        c["kv_extra"] = rng.below(4)
    return c


def make_batch(spec):
    """spec = (seed, L, B, n_extra, stage). Returns token ids, answer-target mask, first-token mask, task ids."""
    seed, L, B, n_extra, stage = spec
    rng = D.Rng(seed)
    tasks, wts = zip(*STAGE_TASK_W.get(stage, TASK_W).items())
    cum = np.cumsum(wts) / sum(wts)
    x = np.zeros((B, L), np.int32)
    ans = np.zeros((B, L), np.uint8)  # 1 = this token is an answer target (incl. </s>); 2 = first QA
    first = np.zeros((B, L), np.uint8)
    tid = np.zeros((B,), np.int32)
    hits = 0
    ws = G["ws_ids"]
    p_embed = STAGE_EMBED.get(stage, 0.0)
    for b in range(B):
        u = rng.next_u32() / 4294967296.0
        task = tasks[int(np.searchsorted(cum, u, side="right"))] if u < cum[-1] else tasks[-1]
        embed = p_embed > 0 and rng.next_u32() / 4294967296.0 < p_embed and L > 4 * EMBED_RESERVE
        target = L - EMBED_RESERVE if embed else L
        while True:  # a sample whose needles and first QA alone exceed L is redrawn
            s = D.build(task, target, rng, G["enc"], G["src"], n_extra=n_extra, train_cfg=_train_cfg(rng, task))
            ids = s["ids"]
            if len(ids) <= target:
                break
        ctx_ids = ids[:s["ctx_len"]]
        spans = s["qa_spans"]
        if embed:
            ids, spans = embed_question(ids, spans)
        x[b, :len(ids)] = ids
        for qi, (q0, a0, a1, lk) in enumerate(spans):
            ans[b, a0:a1] = 2 if qi == 0 else 1
            for t in range(lk, a1):  # first token that must be looked up (after the restated cue)
                if ids[t] not in ws:
                    first[b, t] = 2 if qi == 0 else 1
                    break
        tid[b] = TASK_IDX[task]
        if G["eval_hashes"] and D.ids_hash(ctx_ids) in G["eval_hashes"]:
            hits += 1
    return x, ans, first, tid, hits


def embed_question(ids, spans, qsp=1):
    """ids with the first QA's query segment also inserted at qsp (after <s>), spans shifted to match."""
    q0, a0 = spans[0][0], spans[0][1]
    qseg = list(ids[q0:a0])
    n = len(qseg)
    out = list(ids[:qsp]) + qseg + list(ids[qsp:])
    return out, [(q + n, a + n, e + n, k + n) for q, a, e, k in spans]


def _eval_chunk(args):
    task, L, idxs, tokdir = args
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(os.path.join(tokdir, "tokenizer.json"))
    enc = lambda s: tok.encode(s, add_special_tokens=False).ids  # noqa: E731
    out = []
    for i in idxs:
        s = D.eval_sample(task, L, i, enc)
        q0, a0, a1, lk = s["qa_spans"][0]
        out.append(dict(ids=s["ids"], a0=a0, a1=a1, lk=lk, q0=q0, ctx_len=s["ctx_len"], hash=D.ids_hash(s["ids"][:s["ctx_len"]])))
    return task, L, out


# ------------------------------------------------------------------------------------------------
def _set_sdpa(cfg):
    try:
        cfg._attn_implementation = "sdpa"
    except Exception as e:  # noqa: BLE001
        log("could not set sdpa on config:", e)


def build_model(tok_vocab, resume):
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM
    if resume:
        cfg = LlamaConfig.from_pretrained(resume)
        _set_sdpa(cfg)
        model = LlamaForCausalLM(cfg)
        from safetensors.torch import load_file
        sd = load_file(os.path.join(resume, "model.safetensors"))
        missing, unexpected = model.load_state_dict({k: v.float() for k, v in sd.items()}, strict=False)
        missing = [m for m in missing if "rotary" not in m]
        assert not missing and not unexpected, (missing, unexpected)
        log("resumed weights from", resume)
    else:
        kw = dict(vocab_size=tok_vocab, hidden_size=256, intermediate_size=512, num_hidden_layers=8,
                  num_attention_heads=4, num_key_value_heads=2, head_dim=64, hidden_act="silu",
                  max_position_embeddings=32768, rms_norm_eps=1e-5, tie_word_embeddings=False,
                  attention_bias=False, mlp_bias=False, initializer_range=0.02,
                  bos_token_id=D.BOS_ID, eos_token_id=D.EOS_ID, pad_token_id=D.PAD_ID)
        try:
            cfg = LlamaConfig(rope_parameters={"rope_type": "default", "rope_theta": 500000.0}, **kw)
        except TypeError:
            cfg = LlamaConfig(rope_theta=500000.0, **kw)
        rp = getattr(cfg, "rope_parameters", None) or {}
        theta = rp.get("rope_theta", getattr(cfg, "rope_theta", None))
        assert theta == 500000.0, (theta, rp)
        _set_sdpa(cfg)
        torch.manual_seed(0)
        model = LlamaForCausalLM(cfg)
    return model


def save_ckpt(model, out, tokdir, state):
    import torch
    from safetensors.torch import save_file
    os.makedirs(out, exist_ok=True)
    sd = {k: v.detach().to(torch.bfloat16).contiguous().cpu() for k, v in model.state_dict().items()
          if "rotary" not in k}
    save_file(sd, os.path.join(out, "model.safetensors"), metadata={"format": "pt"})
    cfg = model.config
    for attr in ("torch_dtype", "dtype"):
        try:
            setattr(cfg, attr, "bfloat16")
        except Exception:  # noqa: BLE001
            pass
    cfg.architectures = ["LlamaForCausalLM"]
    cfg.to_json_file(os.path.join(out, "config.json"))
    for f in ("tokenizer.json", "tokenizer_config.json"):
        if os.path.abspath(os.path.join(tokdir, f)) != os.path.abspath(os.path.join(out, f)):
            shutil.copy(os.path.join(tokdir, f), os.path.join(out, f))
    with open(os.path.join(out, "train_state.json"), "w") as f:
        json.dump(state, f, indent=1)
    log("saved checkpoint to", out, f"({os.path.getsize(os.path.join(out, 'model.safetensors')) / 1e6:.1f} MB)")


def answer_logits(model, x, pos_b, pos_t):
    """Hidden states of the whole batch, logits only at (b, t-1) for each answer target (b, t)."""
    h = model.model(input_ids=x).last_hidden_state
    hs = h[pos_b, pos_t - 1]
    return model.lm_head(hs), h


def embedded(s):
    """An eval sample with its question also after <s> (APB's anchor layout, as a full-attention proxy)."""
    ids, ((q0, a0, a1, lk),) = embed_question(s["ids"], [(s["q0"], s["a0"], s["a1"], s["lk"])])
    return dict(s, ids=ids, q0=q0, a0=a0, a1=a1, lk=lk)


def evaluate(model, evalset, lengths, device, ws_ids, embed=False):
    import torch
    model.eval()
    res = {}
    with torch.no_grad(), torch.autocast("cuda", dtype=torch.bfloat16):
        for (task, L), samples in sorted(evalset.items()):
            if L not in lengths:
                continue
            if embed:
                samples = [embedded(s) for s in samples]
            ok = fok = n = 0
            bs = max(1, 65536 // L)
            for i in range(0, len(samples), bs):
                chunk = samples[i:i + bs]
                T = max(len(s["ids"]) for s in chunk)
                x = torch.zeros((len(chunk), T), dtype=torch.long)
                for b, s in enumerate(chunk):
                    x[b, :len(s["ids"])] = torch.tensor(s["ids"])
                x = x.to(device)
                h = model.model(input_ids=x).last_hidden_state
                for b, s in enumerate(chunk):
                    tgt = x[b, s["a0"]:s["a1"]]
                    pred = model.lm_head(h[b, s["a0"] - 1:s["a1"] - 1]).argmax(-1)
                    ok += int(bool((pred == tgt).all()))
                    tl = tgt.tolist()
                    j = next((k for k, t in enumerate(tl) if k >= s["lk"] - s["a0"] and t not in ws_ids), 0)
                    fok += int(pred[j].item() == tl[j])
                    n += 1
            res[f"{task}@{L}"] = dict(exact=ok / n, first=fok / n, n=n)
    model.train()
    return res


def table(res, lengths):
    lines = ["| task | " + " | ".join(f"{L // 1024}K" if L >= 1024 else str(L) for L in lengths) + " |",
             "|---|" + "---|" * len(lengths)]
    for t in D.TASKS:
        cells = []
        for L in lengths:
            r = res.get(f"{t}@{L}")
            cells.append(f"{r['exact']:.2f} ({r['first']:.2f})" if r else "-")
        lines.append(f"| {t} | " + " | ".join(cells) + " |")
    avg = []
    for L in lengths:
        v = [res[f"{t}@{L}"]["exact"] for t in D.TASKS if f"{t}@{L}" in res]
        avg.append(f"{sum(v) / len(v):.2f}" if v else "-")
    lines.append("| mean | " + " | ".join(avg) + " |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stage", default="base", choices=list(STAGES))
    ap.add_argument("--resume", default=None)
    ap.add_argument("--out", required=True)
    ap.add_argument("--minutes", type=float, default=7.0)
    ap.add_argument("--tokenizer", default=os.path.join(HERE, "tokenizer"))
    ap.add_argument("--lr", type=float, default=1.5e-3)
    ap.add_argument("--warmup", type=int, default=150)
    ap.add_argument("--decay-frac", type=float, default=0.15)
    ap.add_argument("--tokens-per-step", type=int, default=65536)
    ap.add_argument("--lm-weight", type=float, default=0.05)
    ap.add_argument("--n-extra", type=int, default=3)
    ap.add_argument("--eval-lengths", default="1024,4096,8192")
    ap.add_argument("--eval-samples", type=int, default=50)
    ap.add_argument("--eval-embed", action="store_true", help="also evaluate with the question embedded after <s>")
    ap.add_argument("--eval-only", action="store_true", help="evaluate --resume and exit (no training, no save)")
    ap.add_argument("--workers", type=int, default=12)
    ap.add_argument("--pool-sentences", type=int, default=300000)
    ap.add_argument("--pool-kv", type=int, default=150000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--log-every", type=int, default=50)
    ap.add_argument("--deadline", type=float, default=0, help="unix time by which eval+save must be done")
    ap.add_argument("--reserve", type=float, default=60, help="seconds kept before --deadline for eval+save")
    a = ap.parse_args()
    if a.stage == "smoke":
        a.pool_sentences, a.pool_kv, a.eval_samples, a.workers = 20000, 10000, 4, 4
    eval_lengths = [int(v) for v in a.eval_lengths.split(",")]
    tokdir = a.tokenizer
    if a.resume and os.path.exists(os.path.join(a.resume, "tokenizer.json")):
        tokdir = a.resume
    if not os.path.exists(os.path.join(tokdir, "tokenizer.json")):
        import tokenizer as TK
        TK.train(tokdir)
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(os.path.join(tokdir, "tokenizer.json"))
    V = tok.get_vocab_size()
    ws_ids = {i for i in range(V) if tok.decode([i], skip_special_tokens=False).strip() == "" and i > 3}
    G["ws_ids"] = ws_ids
    log(f"tokenizer {tokdir}: vocab {V}, whitespace-only tokens {len(ws_ids)}")

    # ---- pools and eval set (before CUDA, before forking the data workers) ----------------------
    with mp.get_context("fork").Pool(min(14, os.cpu_count() or 4)) as pool:
        chunk = 10000
        jobs = [("sent", s, min(chunk, a.pool_sentences - s), tokdir) for s in range(0, a.pool_sentences, chunk)]
        jobs += [("kv", s, min(chunk, a.pool_kv - s), tokdir) for s in range(0, a.pool_kv, chunk)]
        ejobs = []
        for t in D.TASKS:
            for L in eval_lengths:
                for i in range(0, a.eval_samples, 10):
                    ejobs.append((t, L, list(range(i, min(a.eval_samples, i + 10))), tokdir))
        er = pool.map_async(_eval_chunk, ejobs, chunksize=1)
        pr = pool.map(_pool_chunk, jobs, chunksize=1)
        sent_ids, kv_keys, kv_ids = [], [], []
        for (j, (k, ids)) in zip(jobs, pr):
            if j[0] == "sent":
                sent_ids += ids
            else:
                kv_keys += k
                kv_ids += ids
        evalset = {}
        for task, L, out in er.get():
            evalset.setdefault((task, L), []).extend(out)
    G.update(sent_ids=sent_ids, kv_keys=kv_keys, kv_ids=kv_ids)
    G["eval_hashes"] = {s["hash"] for v in evalset.values() for s in v}
    log(f"pool: {len(sent_ids)} sentences, {len(kv_ids)} kv pairs; eval set: {sum(len(v) for v in evalset.values())} "
        f"samples ({len(G['eval_hashes'])} distinct contexts)")

    workers = mp.get_context("fork").Pool(a.workers, initializer=_worker_init, initargs=(tokdir,))

    import torch
    import torch.nn.functional as F
    torch.backends.cuda.matmul.allow_tf32 = True
    device = "cuda"
    model = build_model(V, a.resume).to(device)
    model.train()
    log("attention implementation:", getattr(model.config, "_attn_implementation", "?"))
    n_params = sum(p.numel() for p in model.parameters())
    log(f"model: {n_params / 1e6:.2f}M params; config: layers {model.config.num_hidden_layers}, hidden "
        f"{model.config.hidden_size}, heads {model.config.num_attention_heads}/{model.config.num_key_value_heads}")
    if a.eval_only:
        workers.terminate()
        res = evaluate(model, evalset, eval_lengths, device, ws_ids)
        print(f"\nEval of {a.resume}: greedy exact match (first-answer-token accuracy), {a.eval_samples} samples per cell")
        print(table(res, eval_lengths), flush=True)
        if a.eval_embed:
            report_embedded(model, evalset, eval_lengths, device, ws_ids)
        return
    state = {"trained_s": 0.0, "steps": 0, "tokens": 0, "runs": [], "curve": []}
    if a.resume and os.path.exists(os.path.join(a.resume, "train_state.json")):
        state = json.load(open(os.path.join(a.resume, "train_state.json")))
    decay, no_decay = [], []
    for n_, p in model.named_parameters():
        (decay if p.dim() >= 2 else no_decay).append(p)
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=a.lr, betas=(0.9, 0.95), eps=1e-8, fused=True)

    phases = STAGES[a.stage]
    budget = a.minutes * 60.0
    if a.deadline:
        budget = max(10.0, min(budget, a.deadline - a.reserve - time.time()))
        log(f"training budget {budget:.0f}s (deadline in {a.deadline - time.time():.0f}s)")
    sched_rng = D.Rng(D.fnv1a32(f"schedule/{a.stage}/{a.seed}/{state['steps']}"))

    def pick_len(frac):
        for end, wl in phases:
            if frac < end:
                break
        Ls, ws = zip(*sorted(wl.items()))
        u = sched_rng.next_u32() / 4294967296.0 * sum(ws)
        c = 0
        for L, w in zip(Ls, ws):
            c += w
            if u < c:
                return L
        return Ls[-1]

    step0 = state["steps"]
    q = []
    n_ahead = a.workers * 2
    t_start = time.time()

    def submit(k):
        frac = min(0.999, (time.time() - t_start) / budget)
        L = pick_len(frac)
        B = max(1, a.tokens_per_step // L)
        seed = D.fnv1a32(f"train/{a.seed}/{step0 + k}")
        q.append((L, workers.apply_async(make_batch, ((seed, L, B, a.n_extra, a.stage),))))

    for k in range(n_ahead):
        submit(k)
    submitted = n_ahead
    win = dict(loss=0.0, n=0, acc=0.0, acc1=0.0, ntok=0, nfirst=0, eq=0.0, neq=0)
    win_task = np.zeros((len(D.TASKS), 2))
    hits_total = 0
    step = 0
    tokens = 0
    log(f"training stage {a.stage} for {a.minutes} min, lr {a.lr}, {a.tokens_per_step} tokens/step")
    while True:
        el = time.time() - t_start
        if el >= budget:
            break
        frac = el / budget
        L, ar = q.pop(0)
        x, ans, first, tid, hits = ar.get()
        submit(submitted)
        submitted += 1
        hits_total += hits
        lr = a.lr * min(1.0, (step + 1) / a.warmup)
        if frac > 1 - a.decay_frac:
            lr *= 1 - 0.9 * (frac - (1 - a.decay_frac)) / a.decay_frac
        for g in opt.param_groups:
            g["lr"] = lr
        xt = torch.from_numpy(x).to(device, non_blocking=True).long()
        at = torch.from_numpy(ans).to(device, non_blocking=True)
        ft = torch.from_numpy(first).to(device, non_blocking=True)
        pb, pt = torch.nonzero(at, as_tuple=True)
        with torch.autocast("cuda", dtype=torch.bfloat16):
            h = model.model(input_ids=xt).last_hidden_state
            lg = model.lm_head(h[pb, pt - 1]).float()
            tgt = xt[pb, pt]
            loss_a = F.cross_entropy(lg, tgt)
            loss = loss_a
            if a.lm_weight > 0:
                keep = (at[:, 1:] == 0) & (xt[:, 1:] != D.PAD_ID)
                lb, lt = torch.nonzero(keep, as_tuple=True)
                sel = torch.arange(0, lb.numel(), 4, device=device)  # every 4th position is plenty
                lgl = model.lm_head(h[lb[sel], lt[sel]]).float()
                loss_lm = F.cross_entropy(lgl, xt[lb[sel], lt[sel] + 1])
                loss = loss + a.lm_weight * loss_lm
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        tokens += x.size
        if step % 10 == 0 or step % a.log_every == a.log_every - 1:
            with torch.no_grad():
                pred = lg.argmax(-1)
                corr = pred == tgt
                isf = ft[pb, pt] > 0
                win["loss"] += loss_a.item()
                win["n"] += 1
                win["acc"] += corr.float().sum().item()
                win["ntok"] += corr.numel()
                win["acc1"] += (corr & isf).float().sum().item()
                win["nfirst"] += isf.float().sum().item()
                tb = torch.from_numpy(tid).to(device)[pb]
                for ti in range(len(D.TASKS)):
                    m = isf & (tb == ti)
                    win_task[ti, 0] += (corr & m).float().sum().item()
                    win_task[ti, 1] += m.float().sum().item()
        if step % a.log_every == a.log_every - 1:
            pt_acc = " ".join(f"{D.TASKS[i].replace('niah_', '')[:6]}={win_task[i, 0] / max(1, win_task[i, 1]):.2f}"
                              for i in range(len(D.TASKS)))
            rec = dict(step=state["steps"] + step + 1, t=round(state["trained_s"] + el, 1), L=L, lr=lr,
                       loss=win["loss"] / max(1, win["n"]), acc=win["acc"] / max(1, win["ntok"]),
                       first=win["acc1"] / max(1, win["nfirst"]))
            state["curve"].append(rec)
            log(f"step {rec['step']} L={L} lr={lr:.2e} loss={rec['loss']:.3f} ans_acc={rec['acc']:.3f} "
                f"first_acc={rec['first']:.3f} | {pt_acc} | {tokens / (time.time() - t_start) / 1e6:.2f}M tok/s")
            win = dict(loss=0.0, n=0, acc=0.0, acc1=0.0, ntok=0, nfirst=0, eq=0.0, neq=0)
            win_task[:] = 0
        step += 1
    train_s = time.time() - t_start
    workers.terminate()
    log(f"trained {step} steps, {tokens / 1e6:.1f}M tokens in {train_s:.0f}s; train/eval context hash hits: {hits_total}")
    state["steps"] += step
    state["tokens"] += tokens
    state["trained_s"] += train_s
    run = dict(stage=a.stage, minutes=round(train_s / 60, 2), steps=step, tokens=tokens, lr=a.lr,
               date=time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
               device=torch.cuda.get_device_name(0), hash_hits=hits_total)
    state["runs"].append(run)
    save_ckpt(model, a.out, tokdir, state)  # save first: the eval must not be able to lose the training
    # ---- eval -------------------------------------------------------------------------------------
    res = evaluate(model, evalset, eval_lengths, device, ws_ids)
    tab = table(res, eval_lengths)
    run["eval"] = res
    with open(os.path.join(a.out, "train_state.json"), "w") as f:
        json.dump(state, f, indent=1)
    print("\nEval: greedy exact match (first-answer-token accuracy), "
          f"{a.eval_samples} samples per cell, after {state['steps']} steps / {state['trained_s'] / 60:.1f} min total")
    print(tab, flush=True)
    if a.eval_embed:
        report_embedded(model, evalset, eval_lengths, device, ws_ids, state, a.out)


def report_embedded(model, evalset, eval_lengths, device, ws_ids, state=None, out=None):
    res = evaluate(model, evalset, eval_lengths, device, ws_ids, embed=True)
    if state is not None and out is not None:
        state["runs"][-1]["eval_embedded"] = res
        with open(os.path.join(out, "train_state.json"), "w") as f:
            json.dump(state, f, indent=1)
    print("\nEval with the question also embedded after <s> (APB's anchor layout, full attention):")
    print(table(res, eval_lengths), flush=True)


if __name__ == "__main__":
    main()
