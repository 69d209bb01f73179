// ChatAPB on a worker group (two `apb worker` processes over Redis, through ApbClient): the same answer as ChatAPB on a
// local engine for the same request, streaming from job progress, a typed abort, and three session-bound agents over
// one client session (one prefill on the group), each equal to the in-process session's answer.

import { ApbEngine } from "@apb/core";
import type { SamplingInput } from "@apb/core";
import { ApbClient } from "@apb/jobs";
import { ChatAPB, ChatAPBAbortError } from "@apb/langchain";
import { QUERY_PREFIX, QUERY_SUFFIX, generateSample } from "@apb/model-tiny";
import type { Sample } from "@apb/model-tiny";
import type { AIMessageChunk, BaseMessage } from "@langchain/core/messages";
import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { REDIS_URL, describeRedis, expectApbError, expectNoTransientKeys, rawClient, testPrefix } from "../jobs/helpers/redis-env.js";
import { MODEL_DIR, WorkerFleet } from "../jobs/helpers/worker-fleet.js";

const GROUP = "lc";

describeRedis("ChatAPB on a group of two worker processes", () => {
  const prefix = testPrefix();
  let fleet: WorkerFleet;
  let engine: ApbEngine;
  let client: ApbClient;
  let raw: Redis;
  const sample = (index: number): Sample => generateSample({ task: "niah_single", length: 1024, index, tokenizer: engine.tokenizer! });
  const messages = (s: Sample): BaseMessage[] => [new SystemMessage(s.context), new HumanMessage(s.question)];

  beforeAll(async () => {
    fleet = new WorkerFleet(REDIS_URL!, prefix);
    const [e] = await Promise.all([ApbEngine.open({ model: MODEL_DIR, hosts: 2, backend: "onnx", threadsPerHost: 1 }), fleet.startGroup(GROUP, 2)]);
    engine = e;
    client = await ApbClient.connect({ redis: REDIS_URL!, prefix, backoffMs: 300 });
    raw = rawClient();
  }, 120_000);

  afterAll(async () => {
    await client?.close();
    await engine?.close();
    const codes = await fleet.stopAll();
    expect(Object.values(codes).every((c) => c === 0), JSON.stringify(codes)).toBe(true);
    await expectNoTransientKeys(raw, prefix);
    raw.disconnect();
  }, 60_000);

  it("gives the local engine's answer for the same request, invoked and streamed", async () => {
    const s = sample(0);
    const remote = new ChatAPB({ client, group: GROUP });
    const local = await new ChatAPB({ engine }).invoke(messages(s));
    const r = await remote.invoke(messages(s));
    expect(remote.targetKind).toBe("client");
    expect(r.content).toBe(s.answer);
    expect(r.content).toBe(local.content);
    const usage = (m: AIMessageChunk): unknown => ({ input: m.usage_metadata?.input_tokens, output: m.usage_metadata?.output_tokens, total: m.usage_metadata?.total_tokens });
    expect(usage(r)).toEqual(usage(local));
    expect(r.response_metadata).toMatchObject({ group: GROUP, hosts: 2, strategy: "apb", finish_reason: "stop" });
    const chunks: AIMessageChunk[] = [];
    for await (const c of await remote.stream(messages(s))) chunks.push(c);
    expect(chunks.map((c) => c.content).join("")).toBe(s.answer);
    expect(chunks.filter((c) => c.content !== "").length).toBeGreaterThanOrEqual(1);
    expect(usage(chunks.at(-1)!)).toEqual(usage(local));
  });

  it("a pre-aborted call is a typed abort and queues nothing", async () => {
    const e = await expectApbError(new ChatAPB({ client, group: GROUP }).invoke(messages(sample(1)), { signal: AbortSignal.abort() }), "ABORTED");
    expect(e).toBeInstanceOf(ChatAPBAbortError);
  });

  it("three agents bound to one client session answer three questions, each equal to the in-process session", async () => {
    const [s, decoyA, decoyB] = [sample(2), sample(3), sample(4)];
    const asked = [s, decoyA, decoyB];
    const settings: SamplingInput[] = [{}, { temperature: 0.8, seed: 5 }, { maxTokens: 16 }];
    const ref = await engine.openSession({ prompt: s.context });
    const expected = [];
    for (const [i, q] of asked.entries()) {
      expected.push(await ref.ask({ question: QUERY_PREFIX + q.question + QUERY_SUFFIX, sampling: { maxTokens: 32, stopTokenIds: [...engine.tokenizer!.eosTokenIds], ...settings[i] } }));
    }
    await ref.close();

    const session = await client.openSession({ group: GROUP, prompt: s.context, ttlMs: 60_000 });
    expect(session.numContextTokens).toBe(ref.numContextTokens);
    const agents = settings.map((o) => ChatAPB.fromSession(session, o));
    const answers = await Promise.all(agents.map((a, i) => a.invoke(asked[i]!.question)));
    expect(answers[0]!.content).toBe(s.answer);
    answers.forEach((a, i) => {
      expect(a.content, asked[i]!.question).toBe((expected[i]!.text ?? "").replace(/^ /, ""));
      expect(a.usage_metadata).toMatchObject({ input_tokens: expected[i]!.promptTokens, output_tokens: expected[i]!.tokens.length, input_token_details: { cache_read: session.numContextTokens } });
      expect((a.response_metadata["timings"] as { prefillMs: number }).prefillMs).toBeLessThan(50); // the context stayed resident
    });
    expect(agents[0]!.targetKind).toBe("client-session");
    await session.close();
    await expectApbError(agents[0]!.invoke(s.question), "SESSION_NOT_FOUND");
  });
});
