// Context sessions on a group of two worker processes, and the typed errors a client gets: a session opened by one
// client answers 3 questions from 3 concurrent clients (each equal to ApbEngine's session), then malformed payloads,
// unknown and expired sessions, oversized contexts and an aborted call. No transient key remains afterwards.

import { ApbEngine } from "@apb/core";
import type { GenerateResult } from "@apb/core";
import { ApbClient, JobKeys, decodeJobError } from "@apb/jobs";
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REDIS_URL, describeRedis, expectApbError, expectNoTransientKeys, rawClient, testPrefix } from "./helpers/redis-env.js";
import { textWithFact } from "./helpers/texts.js";
import { MODEL_DIR, WorkerFleet } from "./helpers/worker-fleet.js";

const GROUP = "gs";
const CONTEXT = textWithFact(7, 600, "The meeting is on Tuesday at the old mill.");
const QUESTIONS = ["When is the meeting?", "Where is the meeting?", "Who sat on the mat?"];
const SAMPLING = { maxTokens: 8, temperature: 0.7, topK: 20, seed: 99 };

describeRedis("sessions and typed errors on a group of two worker processes", () => {
  const prefix = testPrefix();
  const keys = new JobKeys(prefix);
  let fleet: WorkerFleet;
  let engine: ApbEngine;
  const clients: ApbClient[] = [];
  let raw: Redis;
  let queue: Queue;

  beforeAll(async () => {
    fleet = new WorkerFleet(REDIS_URL!, prefix);
    const [e] = await Promise.all([ApbEngine.open({ model: MODEL_DIR, hosts: 2, backend: "onnx", threadsPerHost: 1 }), fleet.startGroup(GROUP, 2)]);
    engine = e;
    for (let i = 0; i < 3; i++) clients.push(await ApbClient.connect({ redis: REDIS_URL!, prefix, backoffMs: 300 }));
    raw = rawClient();
    queue = new Queue(keys.groupQueue(GROUP), { connection: raw, prefix: keys.bullPrefix });
  }, 120_000);

  afterAll(async () => {
    await queue?.close();
    await Promise.all(clients.map((c) => c.close()));
    await engine?.close();
    const codes = await fleet.stopAll();
    expect(Object.values(codes).every((c) => c === 0), JSON.stringify(codes)).toBe(true);
    await expectNoTransientKeys(raw, prefix);
    raw.disconnect();
  }, 60_000);

  it("answers 3 questions from 3 concurrent clients with one prefill, each equal to ApbEngine's session", async () => {
    const ref = await engine.openSession({ prompt: CONTEXT });
    const expected: GenerateResult[] = [];
    for (const q of QUESTIONS) expected.push(await ref.ask({ question: q, sampling: SAMPLING }));
    await ref.close();

    const opened = await clients[0]!.openSession({ group: GROUP, prompt: CONTEXT, ttlMs: 60_000 });
    expect(opened.group).toBe(GROUP);
    expect(opened.numContextTokens).toBe(ref.numContextTokens);
    const handles = await Promise.all(clients.map((c) => c.session(opened.id)));
    const answers = await Promise.all(handles.map((h, i) => h.ask({ question: QUESTIONS[i]!, sampling: SAMPLING })));
    answers.forEach((a, i) => {
      expect(a.tokens, QUESTIONS[i]).toEqual(expected[i]!.tokens);
      expect(a.text).toBe(expected[i]!.text);
      expect(a.timings.prefillMs).toBeLessThan(50); // no prefill: the context stayed resident on the hosts
    });
    await handles[1]!.close();
    await expectApbError(handles[2]!.ask({ question: QUESTIONS[0]! }), "SESSION_NOT_FOUND");
    await expectApbError(clients[0]!.session(opened.id), "SESSION_NOT_FOUND");
  });

  describe("typed errors", () => {
    it("malformed payloads: refused by the client before queueing, and by the leader without retries", async () => {
      const c = clients[0]!;
      await expectApbError(c.generate({ group: GROUP, prompt: "x", ids: [1, 2] }), "INPUT_INVALID", /exactly one of prompt or ids/);
      await expectApbError(c.generate({ group: GROUP, prompt: "x", sampling: { temperature: -1 } }), "INPUT_INVALID", /sampling.temperature/);
      const bad = [
        await queue.add("generate", { prompt: 42 }, { attempts: 3 }),
        await queue.add("generate", { prompt: "hi", frobnicate: true }, { attempts: 3 }),
        await queue.add("frobnicate", { prompt: "hi" }, { attempts: 3 }),
      ];
      for (const job of bad) {
        await expectApbError(c.waitForJob({ queue: queue.name, jobId: job.id! }), "INPUT_INVALID");
        expect((await queue.getJob(job.id!))!.attemptsMade).toBe(1); // UnrecoverableError: not retried
      }
    });

    it("unknown sessions: SESSION_NOT_FOUND at lookup and from the leader", async () => {
      await expectApbError(clients[0]!.session("no-such-session"), "SESSION_NOT_FOUND");
      const job = await queue.add("session.ask", { sessionId: "no-such-session", question: "why?" }, { attempts: 3 });
      await expectApbError(clients[0]!.waitForJob({ queue: queue.name, jobId: job.id! }), "SESSION_NOT_FOUND");
      await expectApbError(clients[0]!.submit("session.close", GROUP, { sessionId: "no-such-session" }).then((j) => clients[0]!.waitForJob(j)), "SESSION_NOT_FOUND");
    });

    it("expired sessions: SESSION_EXPIRED after the time to live; close removes the record", async () => {
      const s = await clients[0]!.openSession({ group: GROUP, prompt: "a short context to expire soon", ttlMs: 300 });
      await new Promise((r) => setTimeout(r, 1500));
      await expectApbError(s.ask({ question: "still there?" }), "SESSION_EXPIRED", /expired after 300 ms/);
      await s.close();
      await expectApbError(s.ask({ question: "still there?" }), "SESSION_NOT_FOUND");
    });

    it("oversized contexts: PROMPT_TOO_LONG from the client's caps and from the model's positions", async () => {
      const c = clients[0]!;
      await expectApbError(c.generate({ group: GROUP, prompt: "a".repeat(4 * 1024 * 1024 + 1) }), "PROMPT_TOO_LONG");
      const e = await expectApbError(c.generate({ group: GROUP, ids: Array.from({ length: 40_000 }, (_, i) => 5 + (i % 100)), question: "q" }), "PROMPT_TOO_LONG", /32768 positions/);
      expect(e.data).toMatchObject({ maxPositions: 32768 });
    });

    it("an aborted call cancels its running job (failed ABORTED, not retried), and the group goes on serving", async () => {
      const c = clients[0]!;
      const ac = new AbortController();
      const job = await c.submit("generate", GROUP, { prompt: textWithFact(3, 3000, "x"), strategy: "ring", sampling: { maxTokens: 4 } });
      let seen = false;
      await expectApbError(c.waitForJob(job, { signal: ac.signal, onProgress: () => void (seen || ((seen = true), ac.abort())) }), "ABORTED");
      await expect.poll(async () => (await queue.getJob(job.jobId))?.failedReason, { timeout: 10_000 }).toBeDefined();
      const failed = (await queue.getJob(job.jobId))!;
      expect(decodeJobError(failed.failedReason).code).toBe("ABORTED");
      expect(failed.attemptsMade).toBe(1);
      await expectApbError(c.generate({ group: GROUP, prompt: "never sent" }, { signal: AbortSignal.abort() }), "ABORTED");
      const r = await c.generate({ group: GROUP, prompt: CONTEXT, question: QUESTIONS[0], sampling: { maxTokens: 3 } });
      expect(r.tokens).toHaveLength(3);
    });
  });
});
