// Two worker groups of two real worker processes each (onnx, the shipped model): answers equal ApbEngine's in
// process for the same inputs and seeds (ring and APB, on either group), and a corpus flow of 20 documents is
// spread over both groups with per-document results and an aggregate. No transient key remains afterwards.

import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ApbEngine } from "@apb/core";
import type { GenerateRequest as EngineRequest, GenerateResult } from "@apb/core";
import { ApbClient } from "@apb/jobs";
import type { JobProgress } from "@apb/jobs";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { REDIS_URL, describeRedis, expectNoTransientKeys, rawClient, testPrefix } from "./helpers/redis-env.js";
import { textWithFact } from "./helpers/texts.js";
import { BIN, MODEL_DIR, WorkerFleet } from "./helpers/worker-fleet.js";

const GROUPS = ["ga", "gb"];
const SAMPLING = { maxTokens: 10, temperature: 0.8, topK: 40, seed: 1234 };
const CONTEXT = textWithFact(1, 700, "The secret code is 4321.");
const QUESTION = "What is the secret code?";

describeRedis("two groups of two worker processes", () => {
  const prefix = testPrefix();
  let fleet: WorkerFleet;
  let engine: ApbEngine;
  let client: ApbClient;
  let raw: Redis;

  beforeAll(async () => {
    fleet = new WorkerFleet(REDIS_URL!, prefix);
    const [e] = await Promise.all([ApbEngine.open({ model: MODEL_DIR, hosts: 2, backend: "onnx", threadsPerHost: 1 }), ...GROUPS.map((g) => fleet.startGroup(g, 2))]);
    engine = e;
    client = await ApbClient.connect({ redis: REDIS_URL!, prefix, backoffMs: 300 });
    raw = rawClient();
  }, 120_000);

  afterAll(async () => {
    await client?.close();
    await engine?.close();
    const codes = await fleet.stopAll();
    expect(Object.values(codes).every((c) => c === 0), JSON.stringify(codes)).toBe(true);
    const left = await expectNoTransientKeys(raw, prefix);
    console.info(`jobs/groups: BullMQ bookkeeping left after the file: ${[...new Set(left.map((k) => k.split(":").slice(2).join(":").replace(/:([0-9a-f-]{36}|\d+)(?=:|$)/, ":<job>")))].join(", ")}`);
    raw.disconnect();
  }, 60_000);

  it("gives ApbEngine's answers for the same inputs and seeds (ring and apb, on either group)", async () => {
    const reqs = (["ring", "apb"] as const).map((strategy) => ({ prompt: CONTEXT, question: QUESTION, strategy, sampling: SAMPLING }));
    const expected: GenerateResult[] = [];
    for (const r of reqs) expected.push(await engine.generate(r as EngineRequest));
    const progress: JobProgress[] = [];
    const runs = GROUPS.flatMap((group) => reqs.map((r) => client.generate({ ...r, group }, { onProgress: (p) => progress.push(p) })));
    const results = await Promise.all(runs);
    results.forEach((r, i) => {
      const want = expected[i % 2]!;
      expect(r.group).toBe(GROUPS[Math.floor(i / 2)]);
      expect(r.hosts).toBe(2);
      expect(r.strategy).toBe(reqs[i % 2]!.strategy);
      expect(r.tokens).toEqual(want.tokens);
      expect(r.text).toBe(want.text);
      expect(r.promptTokens).toBe(want.promptTokens);
      expect(r.finishReason).toBe(want.finishReason);
    });
    expect(progress.some((p) => p.phase === "prefill" && p.total === 8)).toBe(true);
    expect(progress.some((p) => p.phase === "decode" && (p.tokens?.length ?? 0) > 0)).toBe(true);
  });

  it("runs a corpus flow of 20 documents over both groups: per-document results equal ApbEngine's, and an aggregate", async () => {
    const documents = Array.from({ length: 20 }, (_, i) => ({ id: `doc-${String(i).padStart(2, "0")}`, text: textWithFact(100 + i, 60, `The code of item ${i} is ${1000 + 37 * i}.`) }));
    const question = "What is the code of the item?";
    const sampling = { maxTokens: 6, temperature: 0, seed: 0 };
    const events: JobProgress[] = [];
    const r = await client.submitCorpus({ documents, question, sampling, strategy: "ring" }, { onProgress: (p) => events.push(p) });
    expect(r.results.map((d) => d.docId)).toEqual(documents.map((d) => d.id));
    for (const [i, d] of documents.entries()) {
      const want = await engine.generate({ prompt: d.text, question, strategy: "ring", sampling });
      expect(r.results[i]!.tokens, d.id).toEqual(want.tokens);
      expect(r.results[i]!.text).toBe(want.text);
    }
    const a = r.aggregated;
    expect(a.numDocuments).toBe(20);
    expect(a.answers.map((x) => x.docId)).toEqual(documents.map((d) => d.id));
    expect(a.answers.map((x) => x.text)).toEqual(r.results.map((x) => x.text));
    expect(a.numTokens).toBe(r.results.reduce((n, x) => n + x.tokens.length, 0));
    expect(Object.keys(a.groups).sort()).toEqual(GROUPS); // any group takes children: both did
    expect(Object.values(a.groups).reduce((x, y) => x + y, 0)).toBe(20);
    expect(events.filter((p) => p.phase === "document").map((p) => p.done)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it("apb submit --follow --json gives the same answers (a context on one group, a corpus over both)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "apb-submit-"));
    try {
      await writeFile(join(dir, "context.txt"), CONTEXT);
      await Promise.all([0, 1, 2].map((i) => writeFile(join(dir, `doc-${i}.txt`), textWithFact(200 + i, 50, `The code is ${500 + i}.`))));
      const base = ["submit", "--redis", REDIS_URL!, "--prefix", prefix, "--max-tokens", "10", "--seed", "1234", "--temperature", "0.8", "--json", "--follow"];
      const one = JSON.parse(await apb([...base, "--group", "gb", "--context-file", join(dir, "context.txt"), "--question", QUESTION, "--strategy", "apb"]));
      const want = await client.generate({ group: "ga", prompt: CONTEXT, question: QUESTION, strategy: "apb", sampling: { maxTokens: 10, seed: 1234, temperature: 0.8 } });
      expect(one).toMatchObject({ queue: "group-gb", group: "gb", tokens: want.tokens, text: want.text });
      await rm(join(dir, "context.txt"));
      const corpus = JSON.parse(await apb([...base.filter((a) => a !== "--temperature" && a !== "0.8"), "--corpus", dir, "--question", "What is the code?"]));
      expect(corpus.aggregated.answers.map((a: { docId: string }) => a.docId)).toEqual(["doc-0.txt", "doc-1.txt", "doc-2.txt"]);
      expect(corpus.results).toHaveLength(3);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/** Runs the built `apb`; resolves with stdout (rejects with stderr on a non-zero exit). */
function apb(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 60_000 }, (err, stdout, stderr) => (err === null ? resolve(stdout) : reject(new Error(`apb ${args[0]} failed: ${stderr}`))));
  });
}
