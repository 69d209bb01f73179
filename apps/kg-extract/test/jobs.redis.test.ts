// The distributed path against the throwaway Redis of `make test` (REDIS_URL; skipped without it, like every Redis
// tier test): `kg-extract run --redis` sends corpus flows that any worker group takes, and the graph it stores equals
// a local run's for the same strategy: full attention on two groups of one host (session and generate), and APB on a
// group of two hosts against a local two-host APB session (a flow's multi-question prefill is query-agnostic, as a
// session's). Also: a rerun skips everything, a document too long for the model fails alone, keys stay under the prefix.
import { randomUUID } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ApbWorker } from "@apb/jobs";
import { modelTinyPath } from "@apb/model-tiny";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GraphStore, runKgExtract } from "../src/index.js";
import type { CliIo, GraphData } from "../src/index.js";
import { makeDiskCorpus } from "./helpers/corpus.js";
import type { DiskCorpus } from "./helpers/corpus.js";

const REDIS_URL = process.env.REDIS_URL;
const RUN = randomUUID();
/** Two groups of one host (full attention) under one prefix; one group of two hosts (APB) under another. */
const FULL = `test-${RUN}-full`;
const APB = `test-${RUN}-apb`;

function quietIo(): CliIo & { out: () => string; err: () => string } {
  let out = "";
  let err = "";
  return { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env: {}, out: () => out, err: () => err };
}

function graphOf(db: string): GraphData {
  const store = GraphStore.open(db, { readonly: true });
  try {
    return store.readGraph();
  } finally {
    store.close();
  }
}

const byText = <T>(f: (x: T) => string) => (a: T, b: T): number => (f(a) < f(b) ? -1 : f(a) > f(b) ? 1 : 0);

/**
 * The graph without what differs between two runs: timestamps, and row ids with the order they give (documents are
 * saved as their results arrive, which on two groups is not corpus order). Nodes are named by key, edges by their
 * ends' keys; everything else (names, kinds, every mention and source, per-document counts) must be equal.
 */
function comparable(g: GraphData): unknown {
  const keyOf = new Map(g.nodes.map((n) => [n.id, n.key]));
  const nodes = g.nodes.map(({ id: _id, ...n }) => n).sort(byText((n) => n.key));
  const edges = g.edges.map(({ id: _id, source, target, ...e }) => ({ ...e, source: keyOf.get(source)!, target: keyOf.get(target)! })).sort(byText((e) => `${e.source}\u0001${e.relationKey}\u0001${e.target}`));
  return { nodes, edges, documents: g.documents.map((d) => ({ ...d, updatedAt: "" })) };
}

interface RunOutput {
  readonly ok: boolean;
  readonly ask: string;
  readonly numProcessed: number;
  readonly numSkipped: number;
  readonly numFailed: number;
  readonly groups: Record<string, number>;
}

/** `kg-extract run` in process; returns the exit code and the --json summary. */
async function run(args: string[]): Promise<{ code: number; out: RunOutput; err: string }> {
  const io = quietIo();
  const code = await runKgExtract(["run", ...args, "--json"], io);
  return { code, out: JSON.parse(io.out()) as RunOutput, err: io.err() };
}

let c: DiskCorpus | undefined;
const workers: ApbWorker[] = [];

describe.skipIf(REDIS_URL === undefined)("kg-extract run on worker groups through corpus flows (Redis)", () => {
  const db = (name: string): string => join(c!.root, `${name}.db`);
  const remote = (prefix: string, ...rest: string[]): string[] => ["--corpus", c!.corpus, "--redis", REDIS_URL!, "--prefix", prefix, ...rest];

  beforeAll(async () => {
    c = await makeDiskCorpus({ numDocuments: 3, length: 1024, seed: "redis-test" });
    const start = (prefix: string, group: string, host: number, hosts: number) => ApbWorker.start({ redis: REDIS_URL!, group, host, hosts, model: modelTinyPath(), prefix });
    workers.push(...(await Promise.all([start(FULL, "g1", 0, 1), start(FULL, "g2", 0, 1), start(APB, "ga", 0, 2), start(APB, "ga", 1, 2)])));
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.close()));
    if (REDIS_URL !== undefined) {
      const redis = new Redis(REDIS_URL);
      const keys = await redis.keys(`test-${RUN}-*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    }
    if (c !== undefined) await rm(c.root, { recursive: true, force: true });
  });

  it("full attention on two groups: the graph of a local session run, saved per document; a rerun skips it all", async () => {
    expect((await run(["--corpus", c!.corpus, "--db", db("local-session")])).code).toBe(0);
    const r = await run([...remote(FULL, "--batch", "2"), "--db", db("remote-session")]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatchObject({ ok: true, numProcessed: 3, ask: "session" });
    expect(Object.keys(r.out.groups).every((g) => g === "g1" || g === "g2"), JSON.stringify(r.out.groups)).toBe(true);
    expect(Object.values(r.out.groups).reduce((n, k) => n + k, 0)).toBe(3);
    const g = graphOf(db("remote-session"));
    expect(g.edges.length).toBeGreaterThan(5);
    expect(comparable(g)).toEqual(comparable(graphOf(db("local-session"))));
    const again = await run([...remote(FULL), "--db", db("remote-session")]);
    expect(again.out).toMatchObject({ ok: true, numProcessed: 0, numSkipped: 3 });
  });

  it("generate mode: a child job per entity spread over both groups, the graph of a local generate run", async () => {
    expect((await run(["--corpus", c!.corpus, "--db", db("local-generate"), "--ask", "generate"])).code).toBe(0);
    const r = await run([...remote(FULL, "--ask", "generate"), "--db", db("remote-generate")]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatchObject({ ok: true, numProcessed: 3, ask: "generate" });
    expect(Object.keys(r.out.groups).sort()).toEqual(["g1", "g2"]); // a document's questions ran on both groups
    expect(comparable(graphOf(db("remote-generate")))).toEqual(comparable(graphOf(db("local-generate"))));
  });

  it("APB on a group of two hosts: the graph of a local two-host APB session run", async () => {
    expect((await run(["--corpus", c!.corpus, "--db", db("local-apb"), "--hosts", "2", "--strategy", "apb", "--ask", "session"])).code).toBe(0);
    const r = await run([...remote(APB, "--strategy", "apb"), "--db", db("remote-apb")]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatchObject({ ok: true, numProcessed: 3, ask: "session", groups: { ga: 3 } });
    const g = graphOf(db("remote-apb"));
    expect(g.edges.length).toBeGreaterThan(5);
    expect(comparable(g)).toEqual(comparable(graphOf(db("local-apb"))));
  });

  it("a document too long for the model fails alone (PROMPT_TOO_LONG, exit 2); the rerun retries only it", async () => {
    const corpus = join(c!.root, "with-long");
    await mkdir(corpus, { recursive: true });
    await writeFile(join(corpus, "a.txt"), c!.docs[0]!.text);
    await writeFile(join(corpus, "long.txt"), `Anna Berg lives in Oslo. ${"and then it rained again ".repeat(8000)}`);
    const args = ["--corpus", corpus, "--redis", REDIS_URL!, "--prefix", FULL, "--db", db("with-long")];
    const r = await run(args);
    expect(r.code, r.err).toBe(2);
    expect(r.out).toMatchObject({ ok: false, numProcessed: 1, numFailed: 1 });
    expect(r.err).toMatch(/long\.txt: FAILED \[PROMPT_TOO_LONG\]/);
    expect(graphOf(db("with-long")).documents.map((d) => [d.key, d.status, d.error?.code ?? null])).toEqual([["a.txt", "done", null], ["long.txt", "failed", "PROMPT_TOO_LONG"]]);
    const again = await run(args);
    expect(again.out).toMatchObject({ numProcessed: 0, numSkipped: 1, numFailed: 1 });
  });
});
