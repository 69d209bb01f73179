// Redis restarted under a group of two worker processes while a generate job is in prefill, on a redis-server of
// this file's own. Without persistence Redis forgets the job: the client gets JobLostError (TRANSPORT_CLOSED) within
// seconds instead of hanging, and the group reconnects and answers the next job as before. With AOF the job
// survives: its request fails at the disconnect and BullMQ retries it to the undisturbed answer.

import { ApbClient, JobKeys } from "@apb/jobs";
import type { JobResult } from "@apb/jobs";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeRedis, expectApbError, expectNoTransientKeys, testPrefix } from "./helpers/redis-env.js";
import { OwnRedis } from "./helpers/own-redis.js";
import { textWithFact } from "./helpers/texts.js";
import { WorkerFleet } from "./helpers/worker-fleet.js";

const GROUP = "gr";
/** About 4K tokens: ring prefill takes about two seconds on one thread per host. */
const REQUEST = {
  prompt: textWithFact(21, 2600, "The locker number is 3307."),
  question: "What is the locker number?",
  strategy: "ring" as const,
  sampling: { maxTokens: 6, temperature: 0.8, topK: 40, seed: 9 },
};
/** Redis is back after about 0.3 s; the client's state checks run every 2 s. */
const LOST_WITHIN_MS = 8000;

describeRedis("Redis restarted mid-prefill", () => {
  const prefix = testPrefix();
  let redis: OwnRedis;
  let fleet: WorkerFleet;
  let client: ApbClient;
  let reference: JobResult;

  beforeAll(async () => {
    redis = await OwnRedis.start();
    fleet = new WorkerFleet(redis.url, prefix);
    await fleet.startGroup(GROUP, 2);
    client = await ApbClient.connect({ redis: redis.url, prefix, backoffMs: 300 });
    reference = await client.generate({ ...REQUEST, group: GROUP });
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    const codes = await fleet?.stopAll();
    expect(Object.values(codes ?? {}).every((c) => c === 0), JSON.stringify(codes)).toBe(true);
    const raw = new Redis(redis.url, { maxRetriesPerRequest: null });
    // A host's report or put delayed by the restart can land after its request's cleanup and re-create the request's
    // status / control / registry keys; by design they carry the streams' one-hour TTL, and none may lack it.
    await expectNoTransientKeys(raw, prefix, { expiringWithinMs: 3600_000 });
    raw.disconnect();
    await redis?.stop();
  }, 60_000);

  /** Submits REQUEST and restarts Redis at its first prefill progress; resolves with the wait's outcome. */
  async function restartMidPrefill(): Promise<{ outcome: Promise<JobResult>; jobId: string; restartedAt: () => number | undefined }> {
    const job = await client.submit("generate", GROUP, REQUEST);
    let at: number | undefined;
    const outcome = client.waitForJob<JobResult>(job, {
      onProgress: (p) => {
        if (at !== undefined || p.phase !== "prefill") return;
        at = Date.now();
        void redis.restart();
      },
    });
    return { outcome, jobId: job.jobId, restartedAt: () => at };
  }

  it("without persistence: the client gets JobLostError, and the group answers the next job as before", async () => {
    expect(reference.timings.prefillMs).toBeGreaterThan(800);
    const r = await restartMidPrefill();
    const e = await expectApbError(r.outcome, "TRANSPORT_CLOSED", /vanished from queue group-gr/);
    expect(e.name).toBe("JobLostError");
    expect(r.restartedAt(), "no prefill progress was seen before the job ended").toBeDefined();
    expect(Date.now() - r.restartedAt()!).toBeLessThan(LOST_WITHIN_MS);
    const next = await client.generate({ ...REQUEST, group: GROUP });
    expect(next.tokens).toEqual(reference.tokens);
    expect(next.text).toBe(reference.text);
  }, 60_000);

  it("with AOF persistence: the job survives, its request fails at the disconnect, and the retry gives the same answer", async () => {
    await redis.enablePersistence();
    const since = Date.now();
    const r = await restartMidPrefill();
    const result = await r.outcome;
    expect(r.restartedAt(), "no prefill progress was seen before the job ended").toBeDefined();
    expect(result.tokens).toEqual(reference.tokens);
    expect(result.text).toBe(reference.text);
    expect(fleet.find(/connection to Redis dropped during job/, since), fleet.logOf(GROUP, 0)).toBeDefined();
    const keys = new JobKeys(prefix);
    const raw = new Redis(redis.url, { maxRetriesPerRequest: null });
    const queue = new Queue(keys.groupQueue(GROUP), { connection: raw, prefix: keys.bullPrefix });
    try {
      expect((await queue.getJob(r.jobId))!.attemptsStarted).toBeGreaterThanOrEqual(2);
    } finally {
      await queue.close();
      raw.disconnect();
    }
  }, 60_000);
});
