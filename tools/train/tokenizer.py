"""Train the small byte-level BPE tokenizer on generated text (HF `tokenizers`).

  python tools/train/tokenizer.py --out DIR [--vocab 4096] [--mb 12]

Special tokens: <pad>=0, <s>=1, </s>=2, <unk>=3. Pre-tokenizer: Digits(individual_digits=True) then
ByteLevel(add_prefix_space=False, use_regex=True), so every digit is its own token. No post-processor:
callers add <s> and </s> themselves (see README.md). Writes tokenizer.json and tokenizer_config.json.
"""
import argparse
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import datagen  # noqa: E402

SPECIALS = ["<pad>", "<s>", "</s>", "<unk>"]


def train(out, vocab=4096, mb=12.0):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    os.makedirs(out, exist_ok=True)
    with tempfile.TemporaryDirectory() as td:
        corpus = os.path.join(td, "corpus.txt")
        datagen.write_corpus(corpus, mb)
        tok = Tokenizer(models.BPE(unk_token="<unk>"))
        tok.pre_tokenizer = pre_tokenizers.Sequence([
            pre_tokenizers.Digits(individual_digits=True),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True),
        ])
        tok.decoder = decoders.ByteLevel()
        trainer = trainers.BpeTrainer(vocab_size=vocab, min_frequency=2, special_tokens=SPECIALS,
                                      initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
        tok.train([corpus], trainer)
    for i, s in enumerate(SPECIALS):
        assert tok.token_to_id(s) == i, (s, tok.token_to_id(s))
    tok.save(os.path.join(out, "tokenizer.json"))
    cfg = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>",
        "add_bos_token": False, "add_eos_token": False,
        "model_max_length": 32768, "clean_up_tokenization_spaces": False,
    }
    with open(os.path.join(out, "tokenizer_config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    with open(os.path.join(out, "special_tokens_map.json"), "w") as f:
        json.dump({"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>"}, f, indent=2)
    print(f"tokenizer: vocab {tok.get_vocab_size()} -> {out}")
    return tok


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    # --out is required on purpose: tools/train/tokenizer/ is the artifact the shipped model was trained
    # with (see README.md, "Tokenizer"); retraining it with the current corpus gives different merges.
    ap.add_argument("--out", required=True)
    ap.add_argument("--vocab", type=int, default=4096)
    ap.add_argument("--mb", type=float, default=12.0)
    a = ap.parse_args()
    train(a.out, a.vocab, a.mb)
