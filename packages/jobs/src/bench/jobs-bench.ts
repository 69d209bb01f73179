#!/usr/bin/env node
// Benchmark of the job layer: one request over Redis (a group of 2 worker processes) vs in process (ApbEngine, 2
// host threads) — the transport and job overhead — and corpus throughput with 1 and 2 groups. Validates (equal
// tokens) before it reports; prints a table (and JSON with --json FILE).
// Usage: node packages/jobs/dist/bench/jobs-bench.js --redis URL [--words 700,2800] [--repeat 3] [--documents 20]

import { randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ApbEngine, ApbError } from "@apb/core";
import { ApbClient } from "../client/index.js";
import { closeRedis, connectRedis } from "../connection/index.js";
import { JobKeys } from "../keys/index.js";
import { BenchFleet } from "./bench-fleet.js";
import { corpusDocuments, median, overheadRequest } from "./bench-workload.js";

interface Args {
  readonly redis: string;
  readonly model: string;
  readonly words: number[];
  readonly repeat: number;
  readonly documents: number;
  readonly json: string | undefined;
}

interface OverheadRow {
  words: number;
  promptTokens: number;
  inProcessMs: number;
  redisMs: number;
  inProcessPrefillMs: number;
  redisPrefillMs: number;
  /** Query pass + decode (all-gathers every layer and token). */
  inProcessDecodeMs: number;
  redisDecodeMs: number;
}

interface CorpusRow {
  groups: number;
  hostsPerGroup: number;
  documents: number;
  seconds: number;
  docsPerSecond: number;
}

function parse(): Args {
  const { values } = parseArgs({ options: { redis: { type: "string" }, model: { type: "string" }, words: { type: "string" }, repeat: { type: "string" }, documents: { type: "string" }, json: { type: "string" } } });
  const redis = values.redis ?? process.env.REDIS_URL;
  if (redis === undefined) throw new ApbError("CONFIG_MISSING", "give --redis URL (or set REDIS_URL)");
  return {
    redis,
    model: values.model ?? fileURLToPath(new URL("../../../model-tiny/model", import.meta.url)),
    words: (values.words ?? "700,2800").split(",").map(Number),
    repeat: Number(values.repeat ?? 3),
    documents: Number(values.documents ?? 20),
    json: values.json,
  };
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/** Warm-up once, then `repeat` timed runs; the median run and its result. */
type Timed = { tokens: number[]; timings: { prefillMs: number; queryMs: number; decodeMs: number } };

async function measure<T extends Timed>(repeat: number, run: () => Promise<T>): Promise<{ ms: number; prefillMs: number; decodeMs: number; result: T }> {
  const first = await run();
  const runs: { ms: number; value: T }[] = [];
  for (let i = 0; i < repeat; i++) runs.push(await timed(run));
  const ms = median(runs.map((r) => r.ms));
  const decodeMs = median(runs.map((r) => r.value.timings.queryMs + r.value.timings.decodeMs));
  return { ms, prefillMs: median(runs.map((r) => r.value.timings.prefillMs)), decodeMs, result: first };
}

async function overhead(a: Args, prefix: string): Promise<OverheadRow[]> {
  const engine = await ApbEngine.open({ model: a.model, hosts: 2, backend: "onnx", threadsPerHost: 1 });
  const local = [];
  for (const w of a.words) local.push(await measure(a.repeat, () => engine.generate(overheadRequest(w))));
  await engine.close();
  const fleet = new BenchFleet();
  await fleet.start({ redis: a.redis, prefix, model: a.model, threads: 1 }, { groups: ["bench"], hosts: 2 });
  const client = await ApbClient.connect({ redis: a.redis, prefix });
  try {
    const rows: OverheadRow[] = [];
    for (const [i, w] of a.words.entries()) {
      const remote = await measure(a.repeat, () => client.generate({ ...overheadRequest(w), group: "bench" }));
      if (remote.result.tokens.join() !== local[i]!.result.tokens.join()) throw new ApbError("INTERNAL", `validation failed at ${w} words: Redis and in-process tokens differ`);
      rows.push({ words: w, promptTokens: remote.result.promptTokens, inProcessMs: local[i]!.ms, redisMs: remote.ms, inProcessPrefillMs: local[i]!.prefillMs, redisPrefillMs: remote.prefillMs, inProcessDecodeMs: local[i]!.decodeMs, redisDecodeMs: remote.decodeMs });
    }
    return rows;
  } finally {
    await client.close();
    await fleet.stop();
  }
}

async function corpus(a: Args, prefix: string, layout: { groups: number; hosts: number }): Promise<CorpusRow> {
  const fleet = new BenchFleet();
  const groups = Array.from({ length: layout.groups }, (_, i) => `c${i}`);
  await fleet.start({ redis: a.redis, prefix, model: a.model, threads: 1 }, { groups, hosts: layout.hosts });
  const client = await ApbClient.connect({ redis: a.redis, prefix });
  try {
    const question = "What is the code of the item?";
    await client.submitCorpus({ documents: corpusDocuments(layout.groups * 2, 200), question, sampling: { maxTokens: 8 } }); // warm-up
    const docs = corpusDocuments(a.documents, 200);
    const { ms, value } = await timed(() => client.submitCorpus({ documents: docs, question, sampling: { maxTokens: 8 } }));
    if (value.results.length !== docs.length) throw new ApbError("INTERNAL", `validation failed: ${value.results.length} of ${docs.length} documents answered`);
    return { groups: layout.groups, hostsPerGroup: layout.hosts, documents: docs.length, seconds: ms / 1000, docsPerSecond: docs.length / (ms / 1000) };
  } finally {
    await client.close();
    await fleet.stop();
  }
}

function table(headers: string[], rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map((c) => (typeof c !== "number" ? c : Number.isInteger(c) || Math.abs(c) >= 100 ? c.toFixed(0) : c.toFixed(2))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((c, i) => c.padStart(widths[i]!)).join("  ");
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n");
}

async function main(): Promise<void> {
  const a = parse();
  const prefix = `bench-${randomUUID()}`;
  console.log(`jobs bench: ${cpus().length} CPU(s) (${cpus()[0]?.model ?? "?"}), onnx backend, 1 thread per host, model ${a.model}`);
  try {
    const rows = await overhead(a, prefix);
    console.log(`\nSame request (apb, 16 tokens, greedy) in process vs over Redis; median of ${a.repeat} after a warm-up; 2 hosts`);
    const headers = ["words", "prompt tok", "in-proc ms", "redis ms", "overhead ms", "overhead %", "prefill in-proc", "prefill redis", "query+decode in-proc", "query+decode redis"];
    console.log(table(headers, rows.map((r) => [r.words, r.promptTokens, r.inProcessMs, r.redisMs, r.redisMs - r.inProcessMs, (100 * (r.redisMs - r.inProcessMs)) / r.inProcessMs, r.inProcessPrefillMs, r.redisPrefillMs, r.inProcessDecodeMs, r.redisDecodeMs])));
    const layouts = [{ groups: 1, hosts: 1 }, { groups: 2, hosts: 1 }, { groups: 1, hosts: 2 }, { groups: 2, hosts: 2 }];
    const corpusRows: CorpusRow[] = [];
    for (const l of layouts) corpusRows.push(await corpus(a, prefix, l));
    console.log(`\nCorpus throughput: ${a.documents} documents of ~200 words, 8 tokens each`);
    console.log(table(["groups", "hosts/group", "documents", "seconds", "docs/s"], corpusRows.map((r) => [r.groups, r.hostsPerGroup, r.documents, r.seconds, r.docsPerSecond])));
    if (a.json !== undefined) await writeFile(a.json, JSON.stringify({ date: new Date().toISOString(), cpus: cpus().length, overhead: rows, corpus: corpusRows }, null, 2));
  } finally {
    await cleanup(a.redis, prefix);
  }
}

/** Deletes every key the benchmark made. */
async function cleanup(url: string, prefix: string): Promise<void> {
  const redis = await connectRedis(url);
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", new JobKeys(prefix).matchAll, "COUNT", 1000);
    if (keys.length > 0) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== "0");
  await closeRedis(redis);
}

await main();
