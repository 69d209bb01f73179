// ApbEngine.stream: tokens arrive one by one as sampled, equal the non-streamed result, and breaking out aborts.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ApbEngine, writeRandomCheckpoint } from "@apb/core";
import { afterAll, beforeAll, expect, it } from "vitest";

let dir: string;
let engine: ApbEngine;
const ids = Array.from({ length: 50 }, (_, i) => 4 + ((i * 13) % 240));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "apb-stream-"));
  await writeRandomCheckpoint(dir, { seed: 9, tokenizer: false });
  engine = await ApbEngine.open({ model: dir, hosts: 2, backend: "reference" });
});
afterAll(async () => {
  await engine.close();
  await rm(dir, { recursive: true, force: true });
});

it("streams the same tokens generate returns, in order, before the result", async () => {
  const whole = await engine.generate({ ids, strategy: "ring", sampling: { maxTokens: 12 } });
  const seen: number[] = [];
  const it = engine.stream({ ids, strategy: "ring", sampling: { maxTokens: 12 } });
  let r = await it.next();
  while (!r.done) {
    expect(r.value.index).toBe(seen.length);
    seen.push(r.value.token);
    r = await it.next();
  }
  expect(seen).toEqual(whole.tokens);
  expect(r.value.tokens).toEqual(whole.tokens);
});

it("breaking out of the stream aborts the request and leaves the engine usable", async () => {
  let n = 0;
  for await (const _t of engine.stream({ ids, strategy: "ring", sampling: { maxTokens: 500 } })) {
    if (++n === 2) break;
  }
  expect(n).toBe(2);
  const again = await engine.generate({ ids, strategy: "ring", sampling: { maxTokens: 3 } });
  expect(again.tokens).toHaveLength(3);
});
