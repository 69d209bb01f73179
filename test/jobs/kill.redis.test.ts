// The kill test: SIGKILL a member process of a two-host group mid-prefill, restart it; the leader notices within
// 5 s, fails the request on every host (HOST_FAILED), BullMQ retries it, and it completes with the undisturbed
// answer. Ten times in a row; no worker hangs, and no transient key remains afterwards. A SIGTERM mid-request lets
// the group finish the job before the processes exit 0.

import { ApbClient, JobKeys } from "@apb/jobs";
import type { JobResult } from "@apb/jobs";
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { REDIS_URL, describeRedis, expectNoTransientKeys, rawClient, testPrefix } from "./helpers/redis-env.js";
import { textWithFact } from "./helpers/texts.js";
import { WorkerFleet } from "./helpers/worker-fleet.js";

const GROUP = "gk";
const ITERATIONS = 10;
/** About 6K tokens: ring prefill takes a few seconds on one thread per host. */
const REQUEST = {
  prompt: textWithFact(11, 4000, "The vault code is 8812."),
  question: "What is the vault code?",
  strategy: "ring" as const,
  sampling: { maxTokens: 6, temperature: 0.8, topK: 40, seed: 5 },
};
/** The bound on noticing a vanished member (heartbeat TTL 2 s + polling). */
const DETECT_MS = 5000;

describeRedis("a member killed mid-prefill", () => {
  const prefix = testPrefix();
  let fleet: WorkerFleet;
  let client: ApbClient;
  let raw: Redis;
  let queue: Queue;
  let reference: JobResult;

  beforeAll(async () => {
    fleet = new WorkerFleet(REDIS_URL!, prefix);
    await fleet.startGroup(GROUP, 2);
    client = await ApbClient.connect({ redis: REDIS_URL!, prefix, backoffMs: 300 });
    raw = rawClient();
    const keys = new JobKeys(prefix);
    queue = new Queue(keys.groupQueue(GROUP), { connection: raw, prefix: keys.bullPrefix });
    reference = await client.generate({ ...REQUEST, group: GROUP });
  }, 120_000);

  afterAll(async () => {
    await queue?.close();
    await client?.close();
    const codes = await fleet.stopAll();
    expect(Object.values(codes).every((c) => c === 0), JSON.stringify(codes)).toBe(true);
    await expectNoTransientKeys(raw, prefix);
    raw.disconnect();
  }, 60_000);

  it(`is noticed, retried and answered as undisturbed, ${ITERATIONS} times in a row`, async () => {
    expect(reference.tokens).toHaveLength(REQUEST.sampling.maxTokens);
    expect(reference.timings.prefillMs).toBeGreaterThan(1000);
    const stats: string[] = [];
    for (let i = 0; i < ITERATIONS; i++) {
      const t0 = Date.now();
      const job = await client.submit("generate", GROUP, REQUEST);
      let killedAt: number | undefined;
      let restarted: Promise<void> | undefined;
      const result = await client.waitForJob<JobResult>(job, {
        onProgress: (p) => {
          if (killedAt !== undefined || p.phase !== "prefill") return;
          killedAt = Date.now();
          restarted = fleet.kill(GROUP, 1).then(() => fleet.start(GROUP, 1, 2));
        },
      });
      await restarted;
      expect(killedAt, `iteration ${i}: no prefill progress was seen`).toBeDefined();
      expect(result.tokens, `iteration ${i}`).toEqual(reference.tokens);
      expect(result.text).toBe(reference.text);
      const noticed = fleet.find(/request \S+ failed: \[HOST_FAILED\] host 1 stopped/, killedAt);
      expect(noticed, `iteration ${i}: the leader did not fail the request:\n${fleet.logOf(GROUP, 0)}`).toBeDefined();
      expect(noticed!.at - killedAt!).toBeLessThan(DETECT_MS);
      const j = (await queue.getJob(job.jobId))!;
      expect(j.attemptsStarted, `iteration ${i}`).toBeGreaterThanOrEqual(2);
      stats.push(`#${i}: noticed after ${noticed!.at - killedAt!} ms, done after ${Date.now() - t0} ms, ${j.attemptsStarted} attempts`);
    }
    console.info(`jobs/kill: undisturbed prefill ${reference.timings.prefillMs.toFixed(0)} ms (${reference.promptTokens} tokens)\n${stats.join("\n")}`);
  }, 240_000);

  it("SIGTERM mid-request: the leader and the member finish the running job, then exit 0", async () => {
    const job = await client.submit("generate", GROUP, REQUEST);
    let stopping: Promise<(number | null)[]> | undefined;
    const result = await client.waitForJob<JobResult>(job, {
      onProgress: (p) => void (stopping ??= p.phase === "prefill" ? Promise.all([fleet.stop(GROUP, 0), fleet.stop(GROUP, 1)]) : undefined),
    });
    expect(stopping).toBeDefined();
    expect(await stopping).toEqual([0, 0]);
    expect(result.tokens).toEqual(reference.tokens);
    expect((await queue.getJob(job.jobId))!.attemptsStarted).toBe(1); // finished, not handed back
  }, 60_000);
});
