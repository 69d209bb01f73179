// Corpus documents asked several questions over one prefill each, on a group of two worker processes: every answer
// equals ApbEngine's session answer for the same document, question and sampling (one query-agnostic prefill, then
// the questions in order); the document result and the aggregate carry the answers per question. `apb submit --task
// facts` asks each document about its candidate entities the same way and lists the triples parsed from them.

import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ApbEngine, loadTokenizer } from "@apb/core";
import { ApbClient } from "@apb/jobs";
import type { CorpusResult, JobProgress } from "@apb/jobs";
import { EOS_ID, QUERY_PREFIX, QUERY_START, QUERY_SUFFIX, candidateEntities, factQuestion, generateSample, parseTriples } from "@apb/model-tiny";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { REDIS_URL, describeRedis, expectNoTransientKeys, rawClient, testPrefix } from "./helpers/redis-env.js";
import { BIN, MODEL_DIR, WorkerFleet } from "./helpers/worker-fleet.js";

const GROUP = "gq";
/** `apb submit --task facts`'s sampling (its defaults). */
const SAMPLING = { maxTokens: 96, temperature: 0, seed: 0, stopStrings: ["\n\n"], stopTokenIds: [EOS_ID] };
const question = (entity: string): string => QUERY_PREFIX + factQuestion(entity) + QUERY_SUFFIX;

describeRedis("multi-question corpus documents on a group of two worker processes", () => {
  const prefix = testPrefix();
  let fleet: WorkerFleet;
  let engine: ApbEngine;
  let client: ApbClient;
  let raw: Redis;
  let documents: { id: string; text: string; entities: string[] }[];
  /** ApbEngine's session answers per document, one per entity. */
  const expected = new Map<string, { text: string | undefined; tokens: number[] }[]>();

  beforeAll(async () => {
    fleet = new WorkerFleet(REDIS_URL!, prefix);
    const [e] = await Promise.all([ApbEngine.open({ model: MODEL_DIR, hosts: 2, backend: "onnx", threadsPerHost: 1 }), fleet.startGroup(GROUP, 2)]);
    engine = e;
    client = await ApbClient.connect({ redis: REDIS_URL!, prefix, backoffMs: 300 });
    raw = rawClient();
    const tokenizer = (await loadTokenizer(MODEL_DIR))!;
    documents = [0, 1].map((index) => {
      const text = generateSample({ task: "facts", length: 768, index, tokenizer }).context;
      return { id: `facts-${index}.txt`, text, entities: candidateEntities(text).map((c) => c.name) };
    });
    for (const d of documents) {
      const s = await engine.openSession({ prompt: d.text });
      const answers = [];
      for (const name of d.entities) answers.push(await s.ask({ question: question(name), sampling: SAMPLING }));
      await s.close();
      expected.set(d.id, answers.map((a) => ({ text: a.text, tokens: a.tokens })));
    }
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await engine?.close();
    const codes = await fleet.stopAll();
    expect(Object.values(codes).every((c) => c === 0), JSON.stringify(codes)).toBe(true);
    await expectNoTransientKeys(raw, prefix);
    raw.disconnect();
  }, 60_000);

  it("answers each question of a document over one prefill, as ApbEngine's session does", async () => {
    expect(documents.every((d) => d.entities.length >= 2), JSON.stringify(documents.map((d) => d.entities))).toBe(true);
    const events: JobProgress[] = [];
    const req = { documents: documents.map((d) => ({ id: d.id, text: d.text, questions: d.entities.map(question) })), sampling: SAMPLING, queryStart: QUERY_START };
    const r: CorpusResult = await client.submitCorpus(req, { onProgress: (p) => events.push(p) });
    expect(r.results.map((x) => x.docId)).toEqual(documents.map((d) => d.id));
    for (const [i, d] of documents.entries()) {
      const got = r.results[i]!;
      const want = expected.get(d.id)!;
      expect(got.answers!.map((a) => a.question)).toEqual(d.entities.map(question));
      expect(got.answers!.map((a) => a.tokens), d.id).toEqual(want.map((a) => a.tokens));
      expect(got.answers!.map((a) => a.text)).toEqual(want.map((a) => a.text));
      expect(got.answers!.every((a) => a.timings.prefillMs < 50)).toBe(true); // the questions reuse the one prefill
      expect(got.timings.prefillMs).toBeGreaterThan(got.answers![0]!.timings.prefillMs);
      expect(got.tokens).toEqual(want.flatMap((a) => a.tokens));
      expect(got.text).toBe(want.map((a) => a.text).join("\n"));
      const agg = r.aggregated.answers[i]!;
      expect([agg.docId, agg.text, agg.answers!.map((a) => [a.question, a.text])]).toEqual([d.id, got.text, d.entities.map((n, j) => [question(n), want[j]!.text])]);
    }
    expect(r.aggregated.numTokens).toBe(r.results.reduce((n, x) => n + x.tokens.length, 0));
    expect(events.filter((p) => p.phase === "document").map((p) => p.done)).toEqual([1, 2]);
  });

  it("apb submit --task facts --follow --json lists each document's triples from those answers", async () => {
    const dir = await mkdtemp(join(tmpdir(), "apb-facts-"));
    try {
      for (const d of documents) await writeFile(join(dir, d.id), d.text);
      await writeFile(join(dir, "empty.txt"), "the cat sat on the mat.");
      const out = await apb(["submit", "--redis", REDIS_URL!, "--prefix", prefix, "--corpus", dir, "--task", "facts", "--follow", "--json"]);
      const rep = JSON.parse(out) as { task: string; documents: { docId: string; group?: string; answers: { entity: string; text: string; triples: unknown[] }[]; triples: unknown[] }[]; numTriples: number };
      expect(rep.task).toBe("facts");
      expect(rep.documents.map((d) => d.docId)).toEqual(["empty.txt", ...documents.map((d) => d.id)]);
      expect(rep.documents[0]).toEqual({ docId: "empty.txt", answers: [], triples: [] });
      for (const d of documents) {
        const got = rep.documents.find((x) => x.docId === d.id)!;
        const want = expected.get(d.id)!;
        expect(got.group).toBe(GROUP);
        expect(got.answers.map((a) => a.entity)).toEqual(d.entities);
        expect(got.answers.map((a) => a.text)).toEqual(want.map((a) => a.text));
        expect(got.triples).toEqual(want.flatMap((a) => parseTriples(a.text ?? "")));
      }
      expect(rep.numTriples).toBe(rep.documents.reduce((n, d) => n + d.triples.length, 0));
      console.info(`jobs/corpus-questions: apb submit --task facts: ${rep.numTriples} triples from ${documents.length} documents, e.g. ${JSON.stringify(rep.documents[1]!.answers[0])}`);
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
