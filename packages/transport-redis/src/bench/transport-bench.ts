// Benchmark of the Redis transport (run: node dist/bench/transport-bench.js [--redis URL] [--out FILE]):
// put+take throughput for 512 KB and 8 MB frames, and a whole request over Redis vs in-process at a moderate size.

import { execFileSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ApbEngine, InputError, Prng, RETAINING_HEADS_FILE_NAME, hubTransports, loadModel, loadRetainingHeads, parseSampling, writeRandomCheckpoint } from "@apb/core";
import type { GenerateRequest, Strategy, Transport } from "@apb/core";
import { RedisConnection } from "../connection/index.js";
import { RedisRequestScope } from "../transport/index.js";
import { runLocalGroup } from "./local-group.js";
import type { LocalModel } from "./local-group.js";

interface Row {
  readonly case: string;
  readonly medianMs: number;
  readonly detail: string;
}

const MiB = 1024 * 1024;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timed(n: number, warmup: number, f: (i: number) => Promise<void>): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await f(-1 - i);
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await f(i);
    times.push(performance.now() - t0);
  }
  return times;
}

/** One host puts a frame, `readers` hosts take it; validates bytes once, then times put + all takes. */
async function frameCase(conn: RedisConnection, bytes: number, readers: number, iterations: number): Promise<Row> {
  const scope = new RedisRequestScope(conn, { group: "bench", request: randomUUID(), numHosts: readers + 1 });
  const frame = randomBytes(bytes);
  const hosts = Array.from({ length: readers }, (_, i) => scope.transport(i + 1));
  const once = async (tag: string): Promise<Uint8Array[]> => {
    const takes = hosts.map((t) => t.take(tag, [0], { timeoutMs: 60_000 }));
    await scope.transport(0).put(tag, frame, readers);
    return (await Promise.all(takes)).map((f) => f[0]!);
  };
  for (const got of await once("check")) {
    if (Buffer.compare(Buffer.from(got), frame) !== 0) throw new InputError("INPUT_INVALID", "validation failed: a frame came back changed");
  }
  const times = await timed(iterations, 2, (i) => once(`kv:${i + 10}`).then(() => undefined));
  await scope.cleanup();
  const ms = median(times);
  const label = bytes >= MiB ? `${bytes / MiB} MB` : `${bytes / 1024} KB`;
  const rate = (bytes * readers) / MiB / (ms / 1000);
  return { case: `put+take ${label}, 1 -> ${readers} reader(s)`, medianMs: ms, detail: `${rate.toFixed(rate < 10 ? 1 : 0)} MB/s delivered` };
}

/** Counts the bytes a transport delivers (frame size x readers) and its takes. */
function counting(t: Transport, total: { bytes: number; takes: number }): Transport {
  return {
    host: t.host,
    numHosts: t.numHosts,
    take: (tag, from, o) => ((total.takes += 1), t.take(tag, from, o)),
    fail: (e) => t.fail(e),
    put: (tag, f, n) => ((total.bytes += f.byteLength * Math.max(n, 0)), t.put(tag, f, n)),
  };
}

interface RequestSetup {
  readonly dir: string;
  readonly model: LocalModel;
  readonly req: GenerateRequest;
  readonly numHosts: number;
}

type Runner = () => Promise<number[]>;

/** The same plan over the in-memory hub and over Redis, hosts on this thread; checked against ApbEngine first. */
async function runners(conn: RedisConnection, s: RequestSetup, engine: ApbEngine, moved: { bytes: number; takes: number }): Promise<{ hub: Runner; redis: Runner }> {
  const plan = engine.plan(s.req);
  const sampling = parseSampling(s.req.sampling);
  const hub: Runner = async () => (await runLocalGroup({ model: s.model, plan, sampling, transports: hubTransports(s.numHosts) })).at(-1)!.tokens;
  const redis: Runner = async () => {
    const scope = new RedisRequestScope(conn, { group: "bench", request: randomUUID(), numHosts: s.numHosts });
    const transports = Array.from({ length: s.numHosts }, (_, h) => counting(scope.transport(h), moved));
    try {
      return (await runLocalGroup({ model: s.model, plan, sampling, transports })).at(-1)!.tokens;
    } finally {
      await scope.cleanup();
    }
  };
  const expected = (await engine.generate(s.req)).tokens.join();
  for (const [name, run] of [["hub", hub], ["redis", redis]] as const) {
    if ((await run()).join() !== expected) throw new InputError("INPUT_INVALID", `validation failed: ${name} tokens differ from ApbEngine's`);
  }
  return { hub, redis };
}

/** Hub and Redis runs interleaved (the machine's load drifts); the overhead is the median of paired differences. */
async function requestCase(conn: RedisConnection, s: RequestSetup, iterations: number): Promise<Row[]> {
  const engine = await ApbEngine.open({ model: s.dir, hosts: s.numHosts, backend: "reference" });
  try {
    const moved = { bytes: 0, takes: 0 };
    const run = await runners(conn, s, engine, moved);
    moved.bytes = moved.takes = 0;
    const hub: number[] = [];
    const redis: number[] = [];
    for (let i = 0; i < iterations; i++) {
      hub.push(...(await timed(1, 0, () => run.hub().then(() => undefined))));
      redis.push(...(await timed(1, 0, () => run.redis().then(() => undefined))));
    }
    const threads = median(await timed(iterations, 0, () => engine.generate(s.req).then(() => undefined)));
    const overhead = median(redis.map((r, i) => r - hub[i]!));
    const takes = moved.takes / iterations;
    const plan = engine.plan(s.req);
    const what = `${s.req.strategy} H=${s.numHosts}, ${plan.numContext} ctx tokens, ${s.req.sampling?.maxTokens} generated`;
    return [
      { case: `request ${what}: ApbEngine (worker threads)`, medianMs: threads, detail: "hosts in parallel threads, in-process hub" },
      { case: `request ${what}: one thread, in-memory hub`, medianMs: median(hub), detail: "baseline for the overhead" },
      {
        case: `request ${what}: one thread, Redis`,
        medianMs: median(redis),
        detail: `overhead ${overhead.toFixed(0)} ms (${((overhead / median(hub)) * 100).toFixed(1)}%), ${takes} takes, ${(overhead / takes).toFixed(2)} ms/take; ${(moved.bytes / iterations / MiB).toFixed(1)} MB delivered`,
      },
    ];
  } finally {
    await engine.close();
  }
}

/** Moderate: compute dominates (the overhead in context). Tiny: compute is small, so the rows show the transport. */
const MODELS = {
  moderate: { seed: 5, numLayers: 4, hiddenSize: 128, numHeads: 4, numKvHeads: 2, intermediateSize: 256 },
  tiny: { seed: 5, numLayers: 2, hiddenSize: 32, numHeads: 2, numKvHeads: 1, intermediateSize: 64 },
} as const;

async function modelSetup(shape: (typeof MODELS)[keyof typeof MODELS]): Promise<{ dir: string; model: LocalModel }> {
  const dir = await mkdtemp(join(tmpdir(), "apb-redis-bench-"));
  await writeRandomCheckpoint(dir, { ...shape, maxPositions: 8192, retainingHeads: { hidden: 32 }, tokenizer: false });
  const { config, weights } = await loadModel(dir);
  return { dir, model: { config, weights, heads: await loadRetainingHeads(join(dir, RETAINING_HEADS_FILE_NAME), config) } };
}

function printTable(rows: readonly Row[]): void {
  const w = Math.max(...rows.map((r) => r.case.length));
  console.log(`${"case".padEnd(w)} | median ms | detail`);
  console.log(`${"-".repeat(w)}-|-----------|-------`);
  for (const r of rows) console.log(`${r.case.padEnd(w)} | ${r.medianMs.toFixed(1).padStart(9)} | ${r.detail}`);
}

function commit(): string | undefined {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return undefined;
  }
}

async function requestRows(conn: RedisConnection, numTokens: number, iterations: number): Promise<Row[]> {
  const rows: Row[] = [];
  const rng = new Prng(9);
  for (const [size, shape] of Object.entries(MODELS)) {
    const { dir, model } = await modelSetup(shape);
    const n = size === "tiny" ? Math.min(numTokens, 256) : numTokens;
    const ids = Array.from({ length: n }, () => 4 + rng.int(250));
    try {
      for (const strategy of ["apb", "ring"] as Strategy[]) {
        const req: GenerateRequest = { ids, questionIds: [7, 8, 9], strategy, sampling: { maxTokens: size === "tiny" ? 32 : 16, seed: 1 } };
        const got = await requestCase(conn, { dir, model, req, numHosts: 4 }, iterations);
        rows.push(...got.map((r) => ({ ...r, case: `${size} ${r.case}` })));
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return rows;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { redis: { type: "string" }, out: { type: "string" }, iterations: { type: "string", default: "7" }, tokens: { type: "string", default: "1024" } } });
  const url = values.redis ?? process.env.REDIS_URL;
  if (url === undefined) throw new InputError("INPUT_INVALID", "give --redis redis://host:port or set REDIS_URL");
  const iterations = Number(values.iterations);
  const conn = await RedisConnection.connect({ url, keyPrefix: `bench-${randomUUID()}`, maxFrameBytes: 64 * MiB });
  const rows: Row[] = [];
  try {
    for (const [bytes, readers] of [[4096, 3], [512 * 1024, 1], [512 * 1024, 3], [8 * MiB, 1], [8 * MiB, 3]] as const) rows.push(await frameCase(conn, bytes, readers, iterations * 4));
    rows.push(...(await requestRows(conn, Number(values.tokens), iterations)));
  } finally {
    await conn.close();
  }
  printTable(rows);
  const meta = { date: new Date().toISOString(), cpu: cpus()[0]?.model, cores: cpus().length, node: process.version, commit: commit(), iterations };
  if (values.out !== undefined) await writeFile(values.out, JSON.stringify({ ...meta, rows }, null, 2) + "\n");
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
