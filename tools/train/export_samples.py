"""Exports reference data for the TypeScript port of the data format (packages/model-tiny/src/tasks/).

Writes, with the tokenizer the shipped model uses:
  * a fixture of eval/train samples (texts and token ids) plus sha256 digests of longer samples, which the
    TypeScript generator must reproduce exactly (python-samples.json);
  * with --words, the word lists of words.py in their order (words.json), which the port loads verbatim.

Usage (any machine with `tokenizers`; no GPU):
  python3 tools/train/export_samples.py                      # writes the fixture at its default path
  python3 tools/train/export_samples.py --words packages/model-tiny/src/tasks/words.json
"""
import argparse
import hashlib
import json
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import datagen as D  # noqa: E402
import words as W  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
DEFAULT_TOKDIR = os.path.join(ROOT, "packages", "model-tiny", "model")
DEFAULT_OUT = os.path.join(ROOT, "packages", "model-tiny", "src", "tasks", "fixtures", "python-samples.json")
WORD_LISTS = ["NOUNS", "ADJS", "VERBS_T", "VERBS_I", "ADVS", "PLACES", "TIMES", "PREPS", "ROLES", "FIRST_NAMES",
              "LAST_NAMES", "CITIES", "JOBS", "LANGUAGES", "INSTRUMENTS", "COLORS", "ANIMALS", "SUBJECTS", "COLLECTIBLES"]

FULL = [("eval", L, i) for L in (256, 1024) for i in (0, 1)] + [("train", 256, 0)]
DIGEST = [("eval", L, i) for L in (4096, 8192) for i in (0, 1)]


def sha(data):
    return hashlib.sha256(data).hexdigest()


def ids_sha(ids):
    """sha256 of the ids as little-endian int32 (what the TypeScript test hashes)."""
    return sha(struct.pack(f"<{len(ids)}i", *ids))


def first_index(s, enc, ws_ids):
    """train.py's first-answer-token index, relative to the answer start (the answer ids end with </s>)."""
    _, a0, a1, lk = s["qa_spans"][0]
    tl = s["ids"][a0:a1]
    return next((k for k, t in enumerate(tl) if k >= lk - a0 and t not in ws_ids), 0)


def one(split, task, L, i, enc, ws_ids):
    s = D.build(task, L, D.Rng(D.sample_seed(split, task, L, i)), enc)
    q0, a0, a1, lk = s["qa_spans"][0]
    ids = s["ids"]
    return dict(split=split, task=task, length=L, index=i, context=s["context"], question=s["question"],
                answer=s["answer"], lookup_prefix=s["qas"][0][2], context_ids=ids[:q0], question_ids=ids[q0:a0],
                answer_ids=ids[a0:a1], lookup=lk - a0, first_index=first_index(s, enc, ws_ids))


def digest(split, task, L, i, enc):
    s = D.build(task, L, D.Rng(D.sample_seed(split, task, L, i)), enc)
    return dict(split=split, task=task, length=L, index=i, question=s["question"], answer=s["answer"],
                context_sha=sha(s["context"].encode("utf-8")), ids_sha=ids_sha(s["ids"]), num_ids=len(s["ids"]),
                context_len=s["ctx_len"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokenizer", default=DEFAULT_TOKDIR, help="folder with tokenizer.json")
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--words", help="also write the word lists to this JSON file")
    a = ap.parse_args()
    if a.words:
        lists = {n: [list(x) if isinstance(x, tuple) else x for x in getattr(W, n)] for n in WORD_LISTS}
        with open(a.words, "w") as f:  # one list per line
            f.write("{\n" + ",\n".join(f"{json.dumps(n)}: {json.dumps(v)}" for n, v in lists.items()) + "\n}\n")
        print(f"wrote {a.words}: {', '.join(f'{n} {len(v)}' for n, v in lists.items())}")
    tok, enc = D.load_enc(a.tokenizer)
    ws_ids = {i for i in range(tok.get_vocab_size()) if tok.decode([i], skip_special_tokens=False).strip() == "" and i > 3}
    full = [one(sp, t, L, i, enc, ws_ids) for t in D.TASKS for sp, L, i in FULL]
    dig = [digest(sp, t, L, i, enc) for t in D.TASKS for sp, L, i in DIGEST]
    doc = dict(format=D.FORMAT_VERSION, tokenizer_sha=sha(open(os.path.join(a.tokenizer, "tokenizer.json"), "rb").read()),
               command="python3 tools/train/export_samples.py", ws_ids=sorted(ws_ids), samples=full, digests=dig)
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    with open(a.out, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {a.out}: {len(full)} samples with ids, {len(dig)} digests ({os.path.getsize(a.out) / 1e3:.0f} kB)")


if __name__ == "__main__":
    main()
