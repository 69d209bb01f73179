// Faults of a group's leader (host 0), with short BullMQ locks (3 s) and drain (0.4 s): SIGKILLed mid-prefill, its
// member stops the request and deletes its keys within seconds, BullMQ puts the stalled job back once the lock
// expired, and the restarted leader answers as undisturbed. SIGTERMed while a job runs past --drain-ms and another
// job waits behind it, it hands both back to wait (no attempt spent) and exits 0; the next leader completes both.

import { ApbClient, JobKeys, QUEUES } from "@apb/jobs";
import type { JobResult, SubmittedCorpus } from "@apb/jobs";
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { scanKeys } from "../../packages/transport-redis/test/redis-test-env.js";
import { REDIS_URL, describeRedis, expectNoTransientKeys, rawClient, testPrefix } from "./helpers/redis-env.js";
import { textWithFact } from "./helpers/texts.js";
import { WorkerFleet } from "./helpers/worker-fleet.js";

const GROUP = "gl";
/** About 6K tokens: ring prefill takes about three seconds on one thread per host. */
const REQUEST = {
  prompt: textWithFact(31, 4000, "The gate code is 6620."),
  question: "What is the gate code?",
  strategy: "ring" as const,
  sampling: { maxTokens: 6, temperature: 0.8, topK: 40, seed: 3 },
};
const DOCUMENT = { id: "doc-b", text: textWithFact(32, 300, "The shed code is 1945.") };
const DOC_QUESTION = "What is the shed code?";
const LOCK_MS = 3000;
const WORKER_ARGS = ["--lock-duration-ms", String(LOCK_MS), "--stalled-interval-ms", "1000", "--drain-ms", "400"];
/** The bound on a member noticing its leader is gone (heartbeat TTL 2 s + polling every 250 ms). */
const DETECT_MS = 5000;

describeRedis("a group's leader killed or stopped mid-request", () => {
  const prefix = testPrefix();
  const keys = new JobKeys(prefix);
  let fleet: WorkerFleet;
  let client: ApbClient;
  let raw: Redis;
  let groupQueue: Queue;
  let docQueue: Queue;
  let reference: JobResult;
  let docReference: JobResult;

  beforeAll(async () => {
    fleet = new WorkerFleet(REDIS_URL!, prefix, WORKER_ARGS);
    await fleet.startGroup(GROUP, 2);
    client = await ApbClient.connect({ redis: REDIS_URL!, prefix, backoffMs: 300 });
    raw = rawClient();
    groupQueue = new Queue(keys.groupQueue(GROUP), { connection: raw, prefix: keys.bullPrefix });
    docQueue = new Queue(QUEUES.corpusDocuments, { connection: raw, prefix: keys.bullPrefix });
    reference = await client.generate({ ...REQUEST, group: GROUP });
    docReference = await client.generate({ group: GROUP, prompt: DOCUMENT.text, question: DOC_QUESTION, strategy: "ring", sampling: REQUEST.sampling });
  }, 60_000);

  afterAll(async () => {
    await groupQueue?.close();
    await docQueue?.close();
    await client?.close();
    const codes = await fleet.stopAll();
    expect(Object.values(codes).every((c) => c === 0), JSON.stringify(codes)).toBe(true);
    await expectNoTransientKeys(raw, prefix);
    raw.disconnect();
  }, 60_000);

  /** Transport and status keys of requests (the group's announcement stream and heartbeats are not among them). */
  async function requestKeys(): Promise<string[]> {
    const all = await Promise.all(["stream", "control", "acks", "keys", "status"].map((c) => scanKeys(raw, `${prefix}:${c}:*`)));
    return all.flat();
  }

  it("SIGKILL mid-prefill: the member notices, BullMQ retries after the lock expires, the new leader answers; no keys left", async () => {
    expect(reference.timings.prefillMs).toBeGreaterThan(1500);
    const job = await client.submit("generate", GROUP, REQUEST);
    let killedAt: number | undefined;
    let restarted: Promise<void> | undefined;
    const result = await client.waitForJob<JobResult>(job, {
      onProgress: (p) => {
        if (killedAt !== undefined || p.phase !== "prefill") return;
        killedAt = Date.now();
        restarted = fleet.kill(GROUP, 0).then(() => fleet.start(GROUP, 0, 2));
      },
    });
    await restarted;
    expect(killedAt, "no prefill progress was seen").toBeDefined();
    expect(result.tokens).toEqual(reference.tokens);
    expect(result.text).toBe(reference.text);
    // "restarted" when the new leader's heartbeat replaced the old one between two of the member's polls
    const noticed = fleet.find(/the leader (vanished|restarted): stopping request\(s\) g\S+/, killedAt);
    expect(noticed, `the member did not notice:\n${fleet.logOf(GROUP, 1)}`).toBeDefined();
    expect(noticed!.at - killedAt!).toBeLessThan(DETECT_MS);
    expect(fleet.find(/request g\S+ lost its leader: its keys were deleted/, killedAt), fleet.logOf(GROUP, 1)).toBeDefined();
    const j = (await groupQueue.getJob(job.jobId))!;
    expect(j.attemptsStarted).toBeGreaterThanOrEqual(2);
    expect(j.stalledCounter).toBe(1); // put back by the stalled check, not failed: no attempt spent
    expect([j.attemptsMade, j.failedReason ?? ""]).toEqual([1, ""]); // the completing attempt is the only one counted
    expect(await requestKeys()).toEqual([]);
    console.info(`jobs/leader: member noticed after ${noticed!.at - killedAt!} ms; job done ${Date.now() - killedAt!} ms after the kill`);
  }, 60_000);

  it("SIGTERM: a running job past --drain-ms and a taken one behind it are handed back, and the next leader completes both", async () => {
    const job = await client.submit("generate", GROUP, REQUEST);
    let corpus: SubmittedCorpus | undefined;
    let triggered = false;
    let stopped: Promise<number | null> | undefined;
    let onStopped: (err?: unknown) => void = () => undefined;
    const stopping = new Promise<void>((resolve, reject) => (onStopped = (err) => (err === undefined ? resolve() : reject(err))));
    /** At the first prefill progress: a corpus document that the leader takes while the job runs, then SIGTERM. */
    const stopMidRequest = async (): Promise<void> => {
      corpus = await client.startCorpus({ documents: [DOCUMENT], question: DOC_QUESTION, strategy: "ring", sampling: REQUEST.sampling });
      await expect.poll(() => docQueue.getJobState(corpus!.documents[0]!.jobId), { timeout: 5000, interval: 20 }).toBe("active");
      stopped = fleet.stop(GROUP, 0);
    };
    const first = client.waitForJob<JobResult>(job, {
      onProgress: (p) => {
        if (triggered || p.phase !== "prefill") return;
        triggered = true;
        void stopMidRequest().then(() => onStopped(), onStopped);
      },
    });
    await stopping;
    expect(await stopped).toBe(0);
    const docId = corpus!.documents[0]!.jobId;
    for (const [q, id] of [[groupQueue, job.jobId], [docQueue, docId]] as const) {
      expect(await q.getJobState(id)).toBe("waiting");
      const j = (await q.getJob(id))!;
      expect([j.attemptsMade, j.failedReason ?? ""]).toEqual([0, ""]);
      expect(j.attemptsStarted).toBe(1);
    }
    expect(fleet.find(new RegExp(`job ${keys.groupQueue(GROUP)}/${job.jobId} generate: handed back`))).toBeDefined();
    expect(fleet.find(new RegExp(`job ${QUEUES.corpusDocuments}/${docId} corpus.document: handed back`))).toBeDefined();
    await fleet.start(GROUP, 0, 2);
    const [result, docs] = await Promise.all([first, client.waitForCorpus(corpus!)]);
    expect(result.tokens).toEqual(reference.tokens);
    expect(docs.results[0]!.tokens).toEqual(docReference.tokens);
    expect(docs.results[0]!.text).toBe(docReference.text);
    expect((await groupQueue.getJob(job.jobId))!.attemptsStarted).toBe(2);
  }, 60_000);
});
