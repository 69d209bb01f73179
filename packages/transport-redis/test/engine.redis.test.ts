// The key integration test: whole requests whose hosts run concurrently in this process, each a HostEngine over
// its own RedisTransport, give exactly the tokens of ApbEngine (worker threads, in-process hub) for the same plan
// and seeds: ring and APB with retaining heads, H = 2 and H = 4 at the same time on one Redis.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ApbEngine, Prng, RETAINING_HEADS_FILE_NAME, buildTokens, loadModel, loadRetainingHeads, parseSampling, planGroup, writeRandomCheckpoint } from "@apb/core";
import type { GenerateRequest, GroupPlan, Strategy } from "@apb/core";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runLocalGroup } from "../src/bench/index.js";
import type { LocalModel } from "../src/bench/index.js";
import { RedisConnection, RedisKeys, RedisRequestScope } from "../src/index.js";
import { REDIS_URL, describeRedis, rawClient, scanKeys, testPrefix } from "./redis-test-env.js";

let dir: string;
let model: LocalModel;
const rng = new Prng(21);
const context = Array.from({ length: 97 }, () => 4 + rng.int(250));
const question = [7, 8, 9];
const SAMPLING = { maxTokens: 12, temperature: 0.8, topK: 40, seed: 1234 };

function request(strategy: Strategy): GenerateRequest {
  return strategy === "apb"
    ? { ids: context, questionIds: question, strategy, anchor: 8, passing: 4, selection: "retaining-heads", sampling: SAMPLING }
    : { ids: context, questionIds: question, strategy, sampling: SAMPLING };
}

function plan(req: GenerateRequest, numHosts: number): GroupPlan {
  const t = buildTokens(req, undefined);
  return planGroup(t, { strategy: req.strategy!, numHosts, anchorLen: req.anchor, passingLen: req.passing, selection: req.selection, maxPositions: model.config.maxPositions });
}

/** Tokens of ApbEngine (worker threads), and its plan, for the same request. */
async function inProcess(req: GenerateRequest, numHosts: number): Promise<{ tokens: number[]; plan: GroupPlan }> {
  const engine = await ApbEngine.open({ model: dir, hosts: numHosts, backend: "reference" });
  try {
    return { tokens: (await engine.generate(req)).tokens, plan: engine.plan(req) };
  } finally {
    await engine.close();
  }
}

describeRedis("whole requests over Redis, hosts concurrent in one process", () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "apb-redis-engine-"));
    await writeRandomCheckpoint(dir, { seed: 3, numLayers: 3, hiddenSize: 64, numHeads: 4, numKvHeads: 2, intermediateSize: 96, retainingHeads: { hidden: 16 } });
    const { config, weights } = await loadModel(dir);
    model = { config, weights, heads: await loadRetainingHeads(join(dir, RETAINING_HEADS_FILE_NAME), config) };
  }, 120_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  let prefix: string;
  let conn: RedisConnection;
  let raw: Redis;

  beforeEach(async () => {
    prefix = testPrefix();
    conn = await RedisConnection.connect({ url: REDIS_URL!, keyPrefix: prefix });
    raw = rawClient();
    await raw.connect();
  });

  afterEach(async () => {
    await conn.close(); // first, so hosts still running after a failed assertion cannot re-create keys
    for (const k of await scanKeys(raw, new RedisKeys(prefix).matchAll)) await raw.unlink(k);
    raw.disconnect();
  });

  describe.each(["ring", "apb"] as const)("%s", (strategy) => {
    it("H = 2 and H = 4 (run at the same time) give ApbEngine's tokens; cleanup leaves no key", async () => {
      const req = request(strategy);
      const sampling = parseSampling(SAMPLING);
      const runs = [2, 4].map(async (H) => {
        const scope = new RedisRequestScope(conn, { group: `g${H}`, request: `${strategy}-${H}`, numHosts: H });
        const p = plan(req, H);
        const transports = Array.from({ length: H }, (_, h) => scope.transport(h));
        const results = await runLocalGroup({ model, plan: p, sampling, transports, timeoutMs: 30_000 });
        const keysBefore = (await scope.listKeys()).length;
        await scope.cleanup();
        return { H, plan: p, tokens: results[H - 1]!.tokens, others: results.map((r) => r.tokens), keysBefore };
      });
      const overRedis = await Promise.all(runs);
      for (const r of overRedis) {
        const ref = await inProcess(req, r.H);
        expect(r.plan).toEqual(ref.plan);
        expect(r.tokens).toHaveLength(SAMPLING.maxTokens);
        expect(r.tokens).toEqual(ref.tokens);
        r.others.forEach((t) => expect(t).toEqual(ref.tokens)); // every host saw the shared tokens
        expect(r.keysBefore).toBeGreaterThan(0);
      }
      expect(await scanKeys(raw, conn.keys.matchAll)).toEqual([]);
    });
  });

  it("a host that fails mid-request fails every host (HOST_FAILED echoes, its own error wins) and nothing hangs", async () => {
    const H = 4;
    const scope = new RedisRequestScope(conn, { group: "gf", request: "fail-1", numHosts: H });
    const transports = Array.from({ length: H }, (_, h) => scope.transport(h));
    const broken = transports[2]!;
    const realPut = broken.put.bind(broken);
    let n = 0;
    broken.put = async (tag, frame, readers) => {
      if (++n === 2) throw new Error("injected fault in host 2");
      return realPut(tag, frame, readers);
    };
    const t0 = performance.now();
    const err = await runLocalGroup({ model, plan: plan(request("ring"), H), sampling: parseSampling(SAMPLING), transports, timeoutMs: 30_000 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "INTERNAL", message: "injected fault in host 2" });
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(transports.every((t) => t.failed?.code === "HOST_FAILED")).toBe(true);
    await scope.cleanup();
    expect(await scanKeys(raw, conn.keys.matchAll)).toEqual([]);
  });
});
