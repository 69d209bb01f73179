"""Seeded, deterministic generator of long synthetic documents (RULER-style) for the embedded model.

Tasks (names are part of the format):
  niah_single, niah_multikey, niah_multivalue, niah_multiquery   needle in a haystack
  kv                                                               key-value retrieval over many pairs
  vt                                                               variable tracking chains
  facts                                                            (subject; relation; object) extraction

A sample is (context, question, answer). Its token sequence is, with no other tokens in between:

  [<s>] + enc(context) + enc("\\n\\nQuestion: " + question + "\\nAnswer:") + enc(" " + answer) + [</s>]

where enc is tokenizer.json with no special tokens added. The middle piece is the *query segment*.
README.md documents every step; this file is the reference the TypeScript eval generator must match.

Usage:
  python tools/train/datagen.py --show niah_single 512            print one eval sample
  python tools/train/datagen.py --check --tokenizer DIR            additivity + train/eval disjointness
  python tools/train/datagen.py --corpus out.txt --mb 12            text for tokenizer training
"""
import argparse
import hashlib
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import words as W  # noqa: E402

FORMAT_VERSION = 3
TASKS = ["niah_single", "niah_multikey", "niah_multivalue", "niah_multiquery", "kv", "vt", "facts"]
QUERY_PREFIX = "\n\nQuestion: "
QUERY_SUFFIX = "\nAnswer:"
M32 = 0xFFFFFFFF


# ---------------------------------------------------------------------------------------------
# Random numbers: mulberry32, seeded with FNV-1a (32-bit) of a UTF-8 string.
# ---------------------------------------------------------------------------------------------
def fnv1a32(s):
    h = 0x811C9DC5
    for b in s.encode("utf-8"):
        h ^= b
        h = (h * 0x01000193) & M32
    return h


def _imul(a, b):
    return (a * b) & M32


class Rng:
    """mulberry32. Every draw used by the generator goes through next_u32 / below / sample / shuffle."""

    def __init__(self, seed):
        self.s = seed & M32

    def next_u32(self):
        self.s = (self.s + 0x6D2B79F5) & M32
        t = self.s
        t = _imul(t ^ (t >> 15), t | 1)
        t = (((t + _imul(t ^ (t >> 7), t | 61)) & M32) ^ t)
        return (t ^ (t >> 14)) & M32

    def below(self, n):
        """Uniform integer in [0, n): floor(u32 * n / 2^32) (exact in JS doubles for n < 2^21)."""
        return (self.next_u32() * n) >> 32

    def choice(self, seq):
        return seq[self.below(len(seq))]

    def sample(self, seq, k):
        """k distinct items: partial Fisher-Yates on a copy (a[i] <-> a[i + below(n - i)])."""
        a = list(seq)
        n = len(a)
        for i in range(k):
            j = i + self.below(n - i)
            a[i], a[j] = a[j], a[i]
        return a[:k]

    def shuffle(self, seq):
        return self.sample(seq, len(seq))


def sample_seed(split, task, length, index):
    return fnv1a32(f"apb-synth-v{FORMAT_VERSION}/{split}/{task}/{length}/{index}")


# ---------------------------------------------------------------------------------------------
# Filler grammar. A filler sentence is one of TEMPLATES with slots filled left to right.
# ---------------------------------------------------------------------------------------------
TEMPLATES = [
    "The {adj} {noun} {vt} the {noun} {prep} the {place}.",
    "{A_noun} {vi} {adv} in the {time}.",
    "In the {time}, the {role} {vt} {a_adj} {noun}.",
    "Nobody expected the {noun} to {vtb} the {adj} {noun}.",
    "Some say that the {adj} {noun} once {vt} every {noun} in the {place}.",
    "The {noun} was {adj} and {adj}, so the {role} {vi} {adv}.",
    "Near the {place}, {a_adj} {noun} {vi}.",
    "It was {a_adj} {time}, and the {noun} {vi} {prep} the {place}.",
    "The {role} of the {place} {vt} the {noun} at {time}.",
    "Why the {role} {vt} the {noun} is still a mystery to the {role}.",
    "Every {noun} in the {place} {vi} {adv} while the {adj} {role} watched.",
    "The {role} and the {role} {vt} the {noun} together.",
    "There was {a_adj} {noun} {prep} the {place}, and it {vi} {adv}.",
    "When the {noun} {vi}, the {adj} {role} {vt} the {noun}.",
    "The old {noun} {vi} {adv}, and then the {role} {vt} it.",
    "The {role} {vi} because the {noun} {vt} the {adj} {noun}.",
    "No one in the {place} remembered the {adj} {noun}.",
    "Later that {time}, the {role} decided to {vtb} the {noun}.",
    "The {noun} {prep} the {place} looked {adj} to the {role}.",
    "{A_adj} {role} {vt} {a_noun} and {a_noun}.",
    "Each {time} the {role} would {vtb} the {adj} {noun} {adv}.",
    "The {place} smelled of {noun} and {adj} {noun}.",
    "Beyond the {place}, the {noun} {vi} {adv}.",
    "The {adj} {role} said that the {noun} {vi} {prep} the {place}.",
]


def _slot(rng, name):
    if name in ("a_adj", "A_adj", "a_noun", "A_noun"):
        w = article(_slot(rng, name[2:]))
        return w[0].upper() + w[1:] if name[0] == "A" else w
    if name == "adj":
        return rng.choice(W.ADJS)
    if name == "noun":
        return rng.choice(W.NOUNS)
    if name == "vt":
        return rng.choice(W.VERBS_T)[1]
    if name == "vtb":
        return rng.choice(W.VERBS_T)[0]
    if name == "vi":
        return rng.choice(W.VERBS_I)[1]
    if name == "adv":
        return rng.choice(W.ADVS)
    if name == "prep":
        return rng.choice(W.PREPS)
    if name == "place":
        return rng.choice(W.PLACES)
    if name == "time":
        return rng.choice(W.TIMES)
    if name == "role":
        return rng.choice(W.ROLES)
    raise KeyError(name)


def _parse(t):
    parts, slots, i = [], [], 0
    while True:
        j = t.find("{", i)
        if j < 0:
            parts.append(t[i:])
            return parts, slots
        k = t.find("}", j)
        parts.append(t[i:j])
        slots.append(t[j + 1:k])
        i = k + 1


_PARSED = [_parse(t) for t in TEMPLATES]


def filler_sentence(rng):
    """One template (below(len)), then its slots left to right, one draw each."""
    parts, slots = _PARSED[rng.below(len(_PARSED))]
    out = [parts[0]]
    for s, p in zip(slots, parts[1:]):
        out.append(_slot(rng, s))
        out.append(p)
    return "".join(out)


def number5(rng):
    return str(10000 + rng.below(90000))


def niah_key(rng):
    return rng.choice(W.ADJS) + "-" + rng.choice(W.NOUNS)


def kv_key(rng):
    return rng.choice(W.NOUNS) + "-" + rng.choice(W.NOUNS)


def person(rng):
    return rng.choice(W.FIRST_NAMES) + " " + rng.choice(W.LAST_NAMES)


def article(word):
    return ("an " if word[0].lower() in "aeiou" else "a ") + word


# relation phrase, object generator (the phrase is used verbatim in sentence and triple)
RELATIONS = [
    ("lives in", lambda r: r.choice(W.CITIES)),
    ("grew up in", lambda r: r.choice(W.CITIES)),
    ("works as", lambda r: article(r.choice(W.JOBS))),
    ("was born in", lambda r: str(1940 + r.below(70))),
    ("speaks", lambda r: r.choice(W.LANGUAGES)),
    ("plays", lambda r: "the " + r.choice(W.INSTRUMENTS)),
    ("owns", lambda r: article(r.choice(W.COLORS) + " " + r.choice(W.ANIMALS))),
    ("studied", lambda r: r.choice(W.SUBJECTS)),
    ("collects", lambda r: r.choice(W.COLLECTIBLES)),
    ("is friends with", person),
]
FACT_OPENERS = ["", "", "", "According to the records, ", "It is known that ", "Interestingly, ",
                "The notes say that ", "By all accounts, ", "As everyone in town knows, ", "Rumor has it that "]

INTROS = {
    "niah": "Some special magic numbers are hidden inside the following text. Remember them.",
    "kv": "Below is a list of keys and their values. Every key is unique.",
    "vt": "Follow the variable assignments hidden in the following text.",
    "facts": "The following text mentions several people and facts about them.",
}


# ---------------------------------------------------------------------------------------------
# Task content. Each returns (needles, qas) where needles is the list of sentences to scatter
# (in this order) and qas a list of (question, answer, lookup_prefix); qas[0] is the eval
# question, the rest are optional extra questions used only in training (drawn from the same
# content without extra RNG draws).
# ---------------------------------------------------------------------------------------------
def magic(key, val):
    return f"One of the special magic numbers is {key}={val}."


def shares_word(key, keys):
    """True if `key` ("a-b") has a word in common with any of `keys` (format v3: the key's last word is
    then the only token before the value that tells the needles apart)."""
    a, b = key.split("-")
    return any(a in k.split("-") or b in k.split("-") for k in keys)


def content_niah(rng, variant, n_needles):
    if variant == "single":
        key = niah_key(rng)
        val = number5(rng)
        return [magic(key, val)], \
            [(f"What is the special magic number for {key}?", f"{key}={val}", f"{key}=")]
    if variant == "multivalue":
        key = niah_key(rng)
        vals = []
        while len(vals) < n_needles:
            v = number5(rng)
            if v not in vals:
                vals.append(v)
        return [magic(key, v) for v in vals], \
            [(f"What are all the special magic numbers for {key}?", ", ".join(vals), "")]
    keys, vals = [], []
    while len(keys) < n_needles:
        k = niah_key(rng)
        if not shares_word(k, keys):
            keys.append(k)
            vals.append(number5(rng))
    needles = [magic(k, v) for k, v in zip(keys, vals)]
    if variant == "multikey":
        q = rng.below(n_needles)
        order = [q] + [i for i in range(n_needles) if i != q]
        return needles, [(f"What is the special magic number for {keys[i]}?", f"{keys[i]}={vals[i]}",
                          f"{keys[i]}=") for i in order]
    if variant == "multiquery":
        a, b = rng.sample(range(n_needles), 2)
        qas = [(f"What are the special magic numbers for {keys[a]} and {keys[b]}?",
                f"{keys[a]}={vals[a]}, {keys[b]}={vals[b]}", f"{keys[a]}=")]
        rest = [i for i in range(n_needles) if i != a and i != b]
        for i in range(0, len(rest) - 1, 2):
            x, y = rest[i], rest[i + 1]
            qas.append((f"What are the special magic numbers for {keys[x]} and {keys[y]}?",
                        f"{keys[x]}={vals[x]}, {keys[y]}={vals[y]}", f"{keys[x]}="))
        return needles, qas
    raise ValueError(variant)


def kv_pair(key, val):
    return f"{key}={val},"


def kv_question(key):
    return f"What is the value of the key {key}?"


def var_name(rng):
    return "".join(chr(65 + rng.below(26)) for _ in range(4))


def content_vt(rng, n_chains, n_vars):
    names, values, chains = [], [], []
    for _ in range(n_chains):
        v = number5(rng)
        while v in values:
            v = number5(rng)
        values.append(v)
        chain = []
        while len(chain) < n_vars:
            nm = var_name(rng)
            if nm not in names:
                names.append(nm)
                chain.append(nm)
        chains.append(chain)
    stmts = []
    for c, v in zip(chains, values):
        s = [f"Assign {v} => {c[0]}."] + [f"Assign {c[i - 1]} => {c[i]}." for i in range(1, len(c))]
        stmts.append(s)
    qas = [(f"Which variables receive the value {v}?", " => ".join([v] + c), f"{v} =>") for c, v in zip(chains, values)]
    return stmts, qas


def content_facts(rng, n_entities):
    """Entities with 1-4 facts each (entity 0, the queried one, 2-4). Returns facts as
    (subject, relation, object) in entity order; the caller shuffles them into document order."""
    ents = []
    while len(ents) < n_entities:
        p = person(rng)
        if p not in ents:
            ents.append(p)
    facts = []
    for e_i, e in enumerate(ents):
        k = 2 + rng.below(3) if e_i == 0 else 1 + rng.below(4)
        for ri in rng.sample(range(len(RELATIONS)), k):
            rel, gen = RELATIONS[ri]
            obj = gen(rng)
            while obj == e:
                obj = gen(rng)
            facts.append((e, rel, obj))
    return ents, facts


def fact_sentence(rng, f):
    return rng.choice(FACT_OPENERS) + f"{f[0]} {f[1]} {f[2]}."


def triple(f):
    return f"({f[0]}; {f[1]}; {f[2]})"


# ---------------------------------------------------------------------------------------------
# Sample assembly
# ---------------------------------------------------------------------------------------------
class TextSource:
    """Exact filler: a grammar sentence per draw; its tokens are enc(" " + sentence)."""

    def __init__(self, enc):
        self.enc = enc

    def sentence(self, rng):
        s = filler_sentence(rng)
        return s, self.enc(" " + s)

    def kv_pair(self, rng):
        key = kv_key(rng)
        val = number5(rng)
        s = kv_pair(key, val)
        return key, s, self.enc(" " + s)


def approx_enc(s):
    """Length-only stand-in (about 4 characters per token) used to make tokenizer-training text."""
    return [0] * max(1, len(s) // 4)


def build(task, target, rng, enc, src=None, n_extra=0, train_cfg=None):
    """Build one sample of about `target` tokens (never more).

    enc: str -> list[int] (tokenizer without special tokens). src: filler source (TextSource by
    default; training uses a pre-tokenised pool with the same interface). n_extra: extra QAs appended
    after the first (training only; 0 for eval). train_cfg: optional dict of training-only overrides
    (number of needles etc.); None for the eval format.

    Returns dict(context, question, answer, ids, ctx_len, qa_spans=[(q_start, a_start, a_end, lookup)], ...),
    where ids = [BOS] + context + per QA (query segment + answer + [EOS]); ids[a_start:a_end] are the
    answer tokens followed by EOS; lookup = a_start + len(enc(" " + lookup_prefix)) (a_start if the
    prefix is empty): the first non-whitespace answer token at or after it is the first token that must be
    retrieved from the context (the "first-answer-token" metric).
    """
    src = src or TextSource(enc)
    tc = train_cfg or {}
    kind = task.split("_")[0]
    intro = INTROS[kind]
    # 1. content ---------------------------------------------------------------------------------
    groups = []  # list of lists of needle sentences; order within a group is kept in the document
    kv_used = set()
    if kind == "niah":
        variant = task.split("_")[1]
        n = 1 if variant == "single" else tc.get("n_needles", 4)
        needles, qas = content_niah(rng, variant, n)
        groups = [[s] for s in needles] if variant != "multivalue" else [needles]
    elif kind == "kv":
        n = 1 + tc.get("kv_extra", 0)
        keys, qas, needles = [], [], []
        while len(keys) < n:
            k = kv_key(rng)
            if k in keys or k.split("-")[0] == k.split("-")[1] or shares_word(k, keys):
                continue
            v = number5(rng)
            keys.append(k)
            qas.append((kv_question(k), f"{k}={v}", f"{k}="))
            needles.append(kv_pair(k, v))
        kv_used = set(keys)
        queried = list(keys)
        groups = [[s] for s in needles]
    elif kind == "vt":
        stmts, qas = content_vt(rng, 2, tc.get("vt_vars", 5))
        groups = stmts
    elif kind == "facts":
        n_ent = tc.get("n_entities", max(2, min(12, 1 + target // 1024)))
        ents, facts = content_facts(rng, n_ent)
        order = rng.shuffle(list(range(len(facts))))
        doc_facts = [facts[i] for i in order]
        sents = [fact_sentence(rng, f) for f in doc_facts]
        groups = [sents]  # already in document order
        qas = []
        for e in ents:
            qas.append((f"What does the text say about {e}?", "\n".join(triple(f) for f in doc_facts if f[0] == e),
                        f"({e};"))
    else:
        raise ValueError(task)
    qas = qas[: 1 + n_extra]
    # 2. fixed token cost -------------------------------------------------------------------------
    intro_ids = enc(intro)
    groups_ids = [[enc(" " + s) for s in g] for g in groups]
    qa_ids = [(enc(QUERY_PREFIX + q + QUERY_SUFFIX), enc(" " + a)) for q, a, _ in qas]
    look = [len(enc(" " + pf)) if pf else 0 for _, _, pf in qas]
    used = 1 + len(intro_ids) + sum(len(x) for g in groups_ids for x in g) + \
        sum(len(q) + len(a) + 1 for q, a in qa_ids)
    while used > target and len(qa_ids) > 1:  # training extras that do not fit are dropped
        q, a = qa_ids.pop()
        qas.pop()
        used -= len(q) + len(a) + 1
    # 3. filler until the next piece would pass the target -----------------------------------------
    fill_txt, fill_ids = [], []
    while True:
        if kind == "kv":
            key, s, ids = src.kv_pair(rng)
            if key in kv_used or shares_word(key, queried):
                continue
        else:
            s, ids = src.sentence(rng)
        if used + len(ids) > target:
            break
        if kind == "kv":
            kv_used.add(key)
        fill_txt.append(s)
        fill_ids.append(ids)
        used += len(ids)
    # 4. scatter the needles: each group's sentences get sorted positions in [0, n_fill] ---------
    nf = len(fill_ids)
    inserts = []  # (position, group index, item index)
    for gi, g in enumerate(groups):
        pos = sorted(rng.below(nf + 1) for _ in g)
        for ii, p in enumerate(pos):
            inserts.append((p, gi, ii))
    inserts.sort()
    body_txt, body_ids = [], []
    k = 0
    for i in range(nf + 1):
        while k < len(inserts) and inserts[k][0] == i:
            _, gi, ii = inserts[k]
            body_txt.append(groups[gi][ii])
            body_ids.append(groups_ids[gi][ii])
            k += 1
        if i < nf:
            body_txt.append(fill_txt[i])
            body_ids.append(fill_ids[i])
    # 5. assemble ---------------------------------------------------------------------------------
    ids = [BOS_ID] + intro_ids
    for x in body_ids:
        ids.extend(x)
    ctx_len = len(ids)
    spans = []
    for (q, a), lk in zip(qa_ids, look):
        qs = len(ids)
        ids.extend(q)
        a0 = len(ids)
        ids.extend(a)
        ids.append(EOS_ID)
        spans.append((qs, a0, len(ids), a0 + lk))
    context = None
    if body_txt and body_txt[0] is not None and all(t is not None for t in body_txt):
        context = intro + "".join(" " + t for t in body_txt)
    return dict(task=task, target=target, context=context, question=qas[0][0], answer=qas[0][1],
                qas=qas, ids=ids, ctx_len=ctx_len, qa_spans=spans)


PAD_ID, BOS_ID, EOS_ID, UNK_ID = 0, 1, 2, 3


def prompt_text(s):
    """The full first-QA text with special tokens as strings (for humans and hashing)."""
    return "<s>" + s["context"] + QUERY_PREFIX + s["question"] + QUERY_SUFFIX + " " + s["answer"] + "</s>"


def eval_sample(task, length, index, enc):
    return build(task, length, Rng(sample_seed("eval", task, length, index)), enc)


def train_sample(task, length, index, enc):
    return build(task, length, Rng(sample_seed("train", task, length, index)), enc)


def text_hash(s):
    return hashlib.sha256(s.encode("utf-8")).hexdigest()[:32]


def ids_hash(ids):
    import numpy as np
    return hashlib.sha256(np.asarray(ids, dtype=np.int32).tobytes()).hexdigest()[:32]


def load_enc(tokdir):
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(os.path.join(tokdir, "tokenizer.json"))
    return tok, (lambda s: tok.encode(s, add_special_tokens=False).ids)


def write_corpus(path, mb, seed=7):
    """Text for tokenizer training: train-split samples of every task at various lengths (approx)."""
    rng = Rng(seed)
    lengths = [256, 512, 1024, 2048, 4096]
    out, size, i = [], 0, 0
    while size < mb * 1e6:
        task = TASKS[i % len(TASKS)]
        L = lengths[rng.below(len(lengths))]
        s = build(task, L, Rng(sample_seed("tokcorpus", task, L, i)), approx_enc)
        t = s["context"] + QUERY_PREFIX + s["question"] + QUERY_SUFFIX + " " + s["answer"] + "\n"
        out.append(t)
        size += len(t)
        i += 1
    with open(path, "w") as f:
        f.write("".join(out))
    return i


def check(tokdir, n_train=400, lengths=(256, 1024, 4096), n_eval=20):
    tok, enc = load_enc(tokdir)
    # (a) tokenisation is additive over the pieces: enc(full text) == our ids
    bad = 0
    for t in TASKS:
        for L in lengths:
            for i in range(3):
                s = eval_sample(t, L, i, enc)
                full = enc(s["context"]) + enc(QUERY_PREFIX + s["question"] + QUERY_SUFFIX) + enc(" " + s["answer"])
                ref = [BOS_ID] + full + [EOS_ID]
                if ref != s["ids"] or len(s["ids"]) > L:
                    bad += 1
                    print("MISMATCH", t, L, i, len(ref), len(s["ids"]))
                # the lookup prefix tokenises as a prefix of the answer
                pf = s["qas"][0][2]
                pids, aids = enc(" " + pf), enc(" " + s["answer"])
                if pf and (aids[:len(pids)] != pids or not s["answer"].startswith(pf)):
                    bad += 1
                    print("PREFIX MISMATCH", t, L, i)
                # whole prompt through the tokenizer with the special tokens as text
                if tok.encode(prompt_text(s), add_special_tokens=False).ids != s["ids"]:
                    bad += 1
                    print("MISMATCH(special-as-text)", t, L, i)
    # (b) eval vs train disjointness by hash of the context and of the whole prompt
    ev = set()
    for t in TASKS:
        for L in lengths:
            for i in range(n_eval):
                s = eval_sample(t, L, i, enc)
                ev.add(text_hash(s["context"]))
                ev.add(text_hash(prompt_text(s)))
    hits = 0
    for t in TASKS:
        for L in lengths:
            for i in range(n_train // len(lengths)):
                s = train_sample(t, L, i, enc)
                hits += text_hash(s["context"]) in ev or text_hash(prompt_text(s)) in ev
    print(f"additivity mismatches: {bad}; train/eval hash collisions: {hits}")
    return bad == 0 and hits == 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--show", nargs=2, metavar=("TASK", "LEN"))
    ap.add_argument("--index", type=int, default=0)
    ap.add_argument("--tokenizer", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "tokenizer"))
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--corpus")
    ap.add_argument("--mb", type=float, default=12)
    a = ap.parse_args()
    if a.corpus:
        n = write_corpus(a.corpus, a.mb)
        print(f"wrote {a.corpus}: {n} samples")
    if a.show:
        tok, enc = load_enc(a.tokenizer)
        s = eval_sample(a.show[0], int(a.show[1]), a.index, enc)
        print(s["context"])
        print("--- question:", repr(s["question"]))
        print("--- answer:", repr(s["answer"]))
        print("--- tokens:", len(s["ids"]), "context tokens:", s["ctx_len"])
    if a.check:
        ok = check(a.tokenizer)
        sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
