// The production path of a distributed group: core's host threads (HostThread) load this package as their
// transport module (`createTransport`) and run a request over Redis; tokens equal ApbEngine's, keys are cleaned up.

import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ApbEngine, HostThread, Prng, RETAINING_HEADS_FILE_NAME, loadSharedModel, parseSampling, writeRandomCheckpoint } from "@apb/core";
import type { FromHost, GenerateRequest, HostDone, SharedModel } from "@apb/core";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { RedisKeys, cleanupRequest } from "../src/index.js";
import { REDIS_URL, describeRedis, rawClient, scanKeys, testPrefix } from "./redis-test-env.js";

/** Host threads import the built module, as a worker process would (`make test` builds first). */
const MODULE = new URL("../dist/index.js", import.meta.url);
const H = 3;
const rng = new Prng(4);
const req: GenerateRequest = { ids: Array.from({ length: 50 }, () => 4 + rng.int(250)), questionIds: [5, 6], strategy: "apb", anchor: 8, passing: 4, sampling: { maxTokens: 6, temperature: 0.7, seed: 9 } };

describeRedis("core's host threads with the Redis transport module", () => {
  let dir: string;
  let model: SharedModel;
  let threads: HostThread[] = [];
  let raw: Redis;

  beforeAll(async () => {
    if (!existsSync(fileURLToPath(MODULE))) throw new Error(`${fileURLToPath(MODULE)} is missing: build @apb/transport-redis first (npx turbo run build)`);
    dir = await mkdtemp(join(tmpdir(), "apb-redis-threads-"));
    await writeRandomCheckpoint(dir, { seed: 8, numLayers: 2, retainingHeads: { hidden: 16 }, tokenizer: false });
    model = await loadSharedModel({ modelDir: dir, headsPath: join(dir, RETAINING_HEADS_FILE_NAME) });
    threads = await Promise.all(Array.from({ length: H }, (_, host) => HostThread.start({ host, numHosts: H, modelDir: dir, model, backend: "reference", threads: 1 })));
    raw = rawClient();
    await raw.connect();
  }, 120_000);

  afterAll(async () => {
    await Promise.all(threads.map((t) => t.terminate()));
    raw?.disconnect();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("runs a request whose hosts exchange over Redis and gives ApbEngine's tokens", async () => {
    const engine = await ApbEngine.open({ model: dir, hosts: H, backend: "reference" });
    const [ref, plan] = await Promise.all([engine.generate(req), engine.plan(req)]).finally(() => engine.close());
    const prefix = testPrefix();
    const options = { url: REDIS_URL!, keyPrefix: prefix, group: "threads" };
    const done = threads.map(
      (t) =>
        new Promise<HostDone>((resolve, reject) =>
          t.onMessage((m: FromHost) => {
            if (m.t === "done") resolve(m);
            else if (m.t === "failed") reject(new Error(`host ${m.host}: ${m.error.code} ${m.error.message}`));
          }),
        ),
    );
    const run = { req: 1, transport: { kind: "module", module: MODULE.href, requestKey: "req-1", options }, plan, sampling: parseSampling(req.sampling), stepTimeoutMs: 30_000 } as const;
    for (const t of threads) t.post({ t: "run", ...run, mode: { kind: "generate" }, dumpCache: false, profile: false, keepLogits: false });
    const results = await Promise.all(done);
    results.forEach((r) => expect(r.result.tokens).toEqual(ref.tokens));
    expect(await cleanupRequest(options, "req-1")).toBeGreaterThan(0);
    expect(await scanKeys(raw, new RedisKeys(prefix).matchAll)).toEqual([]);
  });
});
