"""HF transformers fidelity fixture for a shipped checkpoint (issue 3): for a few fixed eval prompts, the float32
logits of the last prompt position and 16 greedy tokens, computed by transformers on CPU (float32, eager attention).
Our engine must match them (test/hf-fidelity.test.ts). Runs on the GPU machine (torch + transformers there):

    python3 tools/reference/hf_fixture.py packages/model-tiny/model $OUT/hf-fidelity.json
"""
import json
import os
import sys

import torch
from transformers import AutoModelForCausalLM

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "train"))
import datagen  # noqa: E402  (the data format's reference implementation)

CASES = [("niah_single", 256, 0), ("vt", 1024, 1), ("facts", 2048, 2)]
NEW_TOKENS = 16


def main(model_dir, out_path):
    torch.manual_seed(0)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    _, enc = datagen.load_enc(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32, attn_implementation="eager")
    model.eval()
    cases = []
    for task, length, index in CASES:
        s = datagen.eval_sample(task, length, index, enc)
        qs, a0, _, _ = s["qa_spans"][0]
        prompt = s["ids"][:a0]  # <s> + context + "\n\nQuestion: ... \nAnswer:"
        x = torch.tensor([prompt])
        with torch.no_grad():
            last = model(x).logits[0, -1].double()
            gen = model.generate(x, max_new_tokens=NEW_TOKENS, do_sample=False, eos_token_id=None, pad_token_id=0)
        cases.append(dict(
            task=task, length=length, index=index,
            contextIds=s["ids"][:s["ctx_len"]], queryIds=s["ids"][s["ctx_len"]:a0],
            context=s["context"], question=s["question"], answer=s["answer"],
            lastLogits=[float(f"{v:.8g}") for v in last.tolist()],
            greedy=gen[0, len(prompt):].tolist(),
        ))
        print(task, length, "prompt", len(prompt), "greedy", cases[-1]["greedy"], flush=True)
    meta = dict(format="apb-hf-fidelity/1", transformers=__import__("transformers").__version__, torch=torch.__version__,
                dtype="float32", attention="eager", device="cpu")
    with open(out_path, "w") as f:
        json.dump(dict(meta=meta, cases=cases), f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
