// The engine against the implementation users trust (issue 3): HF transformers' float32 logits and greedy tokens for
// the shipped model (test/fixtures/hf-fidelity-model-tiny.json, made by tools/reference/hf_fixture.py on the GPU
// machine) are reproduced by the full strategy on both CPU backends, and our tokenizer gives HF's ids.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { ApbEngine, loadTokenizer } from "@apb/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { relErr } from "./helpers/compare.js";

/** The bound for fp32 engines vs HF fp32 (different summation order and RoPE angle precision). */
const REL_TOL = 1e-3;
const MODEL = fileURLToPath(new URL("../packages/model-tiny/model", import.meta.url));

interface Case {
  task: string;
  length: number;
  contextIds: number[];
  queryIds: number[];
  context: string;
  question: string;
  lastLogits: number[];
  greedy: number[];
}
const fixture = JSON.parse(await readFile(new URL("./fixtures/hf-fidelity-model-tiny.json", import.meta.url), "utf8")) as { cases: Case[] };


it("our tokenizer gives HF's ids for the context and the question", async () => {
  const tok = (await loadTokenizer(MODEL))!;
  for (const c of fixture.cases) {
    expect(Array.from(tok.encode(c.context, { addSpecialTokens: false }))).toEqual(c.contextIds.slice(1));
    expect(Array.from(tok.encode(`\n\nQuestion: ${c.question}\nAnswer:`, { addSpecialTokens: false }))).toEqual(c.queryIds);
  }
});

describe.each(["onnx", "reference"] as const)("full attention on the %s backend matches HF transformers", (backend) => {
  let engine: ApbEngine;
  beforeAll(async () => {
    engine = await ApbEngine.open({ model: MODEL, hosts: 1, backend });
  });
  afterAll(async () => engine.close());

  // the reference backend is slow at 2K tokens; it checks the two shorter prompts
  const cases = backend === "onnx" ? fixture.cases : fixture.cases.filter((c) => c.length <= 1024);
  it.each(cases.map((c) => [`${c.task} ${c.length}`, c] as const))("%s: last-position logits and 16 greedy tokens", async (_n, c) => {
    const r = await engine.generate({ ids: c.contextIds, questionIds: c.queryIds, strategy: "full", sampling: { maxTokens: c.greedy.length }, keepLogits: true });
    const err = relErr(r.logits![0]!, c.lastLogits);
    console.info(`hf-fidelity ${backend} ${c.task} ${c.length}: relative L2 error ${err.toExponential(2)}`);
    expect(err).toBeLessThan(REL_TOL);
    expect(r.tokens).toEqual(c.greedy);
  });
});
