// The distributed path against the throwaway Redis of `make test` (REDIS_URL; skipped without it, like every Redis
// tier test): `kg-extract run --redis --group` on a worker group of one host gives exactly the graph of a local run
// (same model, full attention, a session per document), and every key the run used is under its own test prefix.
import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
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
const PREFIX = `test-${randomUUID()}`;

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

/** The graph without what differs between two runs (timestamps). */
const comparable = (g: GraphData): unknown => ({ nodes: g.nodes, edges: g.edges, documents: g.documents.map((d) => ({ ...d, updatedAt: "" })) });

let c: DiskCorpus | undefined;
let worker: ApbWorker | undefined;

describe.skipIf(REDIS_URL === undefined)("kg-extract run on a worker group (Redis)", () => {
  beforeAll(async () => {
    c = await makeDiskCorpus({ numDocuments: 3, length: 1024, seed: "redis-test" });
    worker = await ApbWorker.start({ redis: REDIS_URL!, group: "kg", host: 0, hosts: 1, model: modelTinyPath(), prefix: PREFIX });
  });

  afterAll(async () => {
    await worker?.close();
    if (REDIS_URL !== undefined) {
      const redis = new Redis(REDIS_URL);
      const keys = await redis.keys(`${PREFIX}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    }
    if (c !== undefined) await rm(c.root, { recursive: true, force: true });
  });

  it("extracts the same graph as a local run", async () => {
    const local = join(c!.root, "local.db");
    const remote = join(c!.root, "remote.db");
    expect(await runKgExtract(["run", "--corpus", c!.corpus, "--db", local, "--ask", "session"], quietIo())).toBe(0);
    const io = quietIo();
    const code = await runKgExtract(["run", "--corpus", c!.corpus, "--db", remote, "--redis", REDIS_URL!, "--group", "kg", "--prefix", PREFIX, "--ask", "session", "--json"], io);
    expect(code, io.err()).toBe(0);
    expect(JSON.parse(io.out())).toMatchObject({ ok: true, numProcessed: 3, ask: "session" });
    const g = graphOf(remote);
    expect(g.edges.length).toBeGreaterThan(5);
    expect(comparable(g)).toEqual(comparable(graphOf(local)));
  });
});
