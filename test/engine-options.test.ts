// Engine behaviour around the core algorithm: query (training-free) and random selection end to end, probe rows never
// cached, stop token ids and stop strings, seeded sampling, typed input errors.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ApbEngine, ApbError, writeRandomCheckpoint } from "@apb/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let dir: string;
let engine: ApbEngine;
const ids = Array.from({ length: 96 }, (_, i) => 10 + ((i * 31) % 200));
const questionIds = [20, 21, 22, 23];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "apb-opts-"));
  await writeRandomCheckpoint(dir, { seed: 21, retainingHeads: { hidden: 16 } });
  engine = await ApbEngine.open({ model: dir, hosts: 4, backend: "onnx" });
});
afterAll(async () => {
  await engine.close();
  await rm(dir, { recursive: true, force: true });
});

describe("selection", () => {
  it.each(["query", "random", "retaining-heads"] as const)("%s selection runs end to end and caches only local blocks", async (selection) => {
    const r = await engine.generate({ ids, questionIds, strategy: "apb", anchor: 8, passing: 4, selection, sampling: { maxTokens: 3 } });
    expect(r.selection).toBe(selection);
    expect(r.tokens).toHaveLength(3);
    expect(r.cacheRows.map((c) => c.prefill)).toEqual([24, 24, 24, 24]); // probe rows (query selection) are never cached
  });

  it("query and random selection pick different passing blocks, hence different logits", async () => {
    const run = (selection: "query" | "random") => engine.generate({ ids, questionIds, strategy: "apb", anchor: 8, passing: 2, selection, sampling: { maxTokens: 1 }, keepLogits: true });
    const [q, r] = [await run("query"), await run("random")];
    expect(Array.from(q.logits![0]!)).not.toEqual(Array.from(r.logits![0]!));
    // and each is reproducible
    expect(Array.from((await run("query")).logits![0]!)).toEqual(Array.from(q.logits![0]!));
  });
});

describe("sampling and stops", () => {
  it("stops after a stop token id, which is included", async () => {
    const free = await engine.generate({ ids, strategy: "ring", sampling: { maxTokens: 8 } });
    const stopAt = free.tokens[3]!;
    const first = free.tokens.indexOf(stopAt);
    const r = await engine.generate({ ids, strategy: "ring", sampling: { maxTokens: 8, stopTokenIds: [stopAt] } });
    expect(r.tokens).toEqual(free.tokens.slice(0, first + 1));
    expect(r.finishReason).toBe("stop");
  });

  it("stops on a stop string and cuts the text before it", async () => {
    const free = await engine.generate({ ids, strategy: "ring", sampling: { maxTokens: 8 } });
    const words = free.text!.trim().split(/\s+/);
    expect(words.length).toBeGreaterThan(2);
    const stop = words[2]!;
    const r = await engine.generate({ ids, strategy: "ring", sampling: { maxTokens: 8, stopStrings: [stop] } });
    expect(r.finishReason).toBe("stop");
    expect(r.text!.includes(stop)).toBe(false);
    expect(r.tokens.length).toBeLessThan(free.tokens.length);
  });

  it("seeded temperature sampling is reproducible across runs and hosts", async () => {
    const s = { maxTokens: 8, temperature: 1.5, topP: 0.9, seed: 1234 };
    const a = await engine.generate({ ids, strategy: "ring", sampling: s });
    const b = await engine.generate({ ids, strategy: "ring", sampling: s });
    expect(a.tokens).toEqual(b.tokens);
  });
});

describe("typed input errors", () => {
  const cases: [string, () => Promise<unknown>, string][] = [
    ["token out of vocabulary", () => engine.generate({ ids: [...ids, 99_999] }), "TOKEN_OUT_OF_VOCAB"],
    ["prompt longer than the positions", () => engine.generate({ ids: Array.from({ length: 5000 }, () => 10), strategy: "ring" }), "PROMPT_TOO_LONG"],
    ["question longer than the anchor", () => engine.generate({ ids, questionIds, strategy: "apb", anchor: 2 }), "PLAN_INVALID"],
    ["bad sampling option", () => engine.generate({ ids, sampling: { topP: 2 } }), "INPUT_INVALID"],
    ["both prompt and ids", () => engine.generate({ ids, prompt: "x" }), "INPUT_INVALID"],
  ];
  it.each(cases)("%s", async (_name, f, code) => {
    const err = await f().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApbError);
    expect((err as ApbError).code).toBe(code);
    expect((err as ApbError).isUserError).toBe(true);
  });
});
