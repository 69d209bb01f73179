// ChatAPB's contract as LangChain's standard tests state it (that package is not on npm), run on the shipped model on
// two in-process hosts with ~1K-token contexts: answers are checked against the task generator's answer (niah_single)
// or against the engine's own output for the same request, never against hard-coded strings.

import { readFileSync } from "node:fs";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ApbEngine, ApbError, TINY_CHAT_TEMPLATE } from "@apb/core";
import type { GenerateResult, SamplingInput } from "@apb/core";
import { MODEL_FILES, QUERY_PREFIX, QUERY_START, QUERY_SUFFIX, generateSample, modelTinyPath } from "@apb/model-tiny";
import type { Sample } from "@apb/model-tiny";
import { AIMessageChunk, HumanMessage, SystemMessage } from "@langchain/core/messages";
import type { BaseMessage } from "@langchain/core/messages";
import { ChatGenerationChunk } from "@langchain/core/outputs";
import { concat } from "@langchain/core/utils/stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { ChatAPB, ChatAPBAbortError, ChatAPBConfigError, StructuredOutputError } from "../src/index.js";

let engine: ApbEngine;
const sample = (index: number, task: Sample["task"] = "niah_single"): Sample => generateSample({ task, length: 1024, index, tokenizer: engine.tokenizer! });
const messages = (s: Sample): BaseMessage[] => [new SystemMessage(s.context), new HumanMessage(s.question)];
const question = (s: Sample): string => QUERY_PREFIX + s.question + QUERY_SUFFIX;
const strip = (t: string | undefined): string => (t ?? "").replace(/^ /, "");

/** The engine's own answer to the request ChatAPB makes: the context as text, the question in the anchor after <s>. */
function reference(s: Sample, sampling: SamplingInput = {}): Promise<GenerateResult> {
  return engine.generate({ prompt: s.context, question: question(s), queryStart: QUERY_START, sampling: { maxTokens: 32, stopTokenIds: [...engine.tokenizer!.eosTokenIds], ...sampling } });
}

async function rejection(p: Promise<unknown>): Promise<ApbError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ApbError);
  return e as ApbError;
}

beforeAll(async () => {
  engine = await ApbEngine.open({ model: modelTinyPath(), hosts: 2, backend: "onnx", threadsPerHost: 1 });
});

afterAll(async () => {
  await engine?.close();
});

describe("construction", () => {
  it("has documented defaults and reports the model", () => {
    const llm = new ChatAPB();
    expect(llm.fields).toMatchObject({ model: modelTinyPath(), hosts: 1, backend: "onnx", temperature: 0, maxTokens: 32, stop: [] });
    expect(llm.modelName).toBe("apb-model-tiny");
    expect(llm.targetKind).toBe("engine");
    expect(llm._llmType()).toBe("apb");
    expect(llm.lc_id).toEqual(["langchain", "chat_models", "apb", "ChatAPB"]);
    const config = JSON.parse(readFileSync(join(modelTinyPath(), "config.json"), "utf8")) as { max_position_embeddings: number };
    expect(llm.profile).toMatchObject({ maxInputTokens: config.max_position_embeddings, toolCalling: false, structuredOutput: false });
  });

  it("a model folder that cannot be opened is a typed error at the first call, and again at the next", async () => {
    const llm = new ChatAPB({ model: join(tmpdir(), "apb-no-such-model") });
    for (let i = 0; i < 2; i++) expect((await rejection(llm.invoke("q"))).code).toBe("CONFIG_MISSING");
    expect(llm.profile.maxInputTokens).toBeUndefined();
  });

  it("accepts LangChain's standard constructor arguments", () => {
    const llm = new ChatAPB({ temperature: 0, maxTokens: 100, maxRetries: 2, streaming: true, stopSequences: [], tags: ["t"] } as ConstructorParameters<typeof ChatAPB>[0]);
    expect(llm.fields.maxTokens).toBe(100);
  });

  it("refuses bad options with ChatAPBConfigError naming the field", async () => {
    for (const [input, field] of [[{ temperature: -1 }, "temperature"], [{ hosts: 0 }, "hosts"], [{ seed: -3 }, "seed"]] as const) {
      const e = await rejection(Promise.resolve().then(() => new ChatAPB(input)));
      expect(e).toBeInstanceOf(ChatAPBConfigError);
      expect(e.code).toBe("CONFIG_INVALID");
      expect(e.data).toEqual({ field });
    }
    const session = await engine.openSession({ prompt: "a short context" });
    expect(() => new ChatAPB({ engine, session })).toThrow(/at most one of engine, client or session/);
    await session.close();
  });
});

describe("invoke, stream, batch", () => {
  it("invoke answers the question hidden in the context, with usage and response metadata", async () => {
    const s = sample(0);
    const [r, ref] = [await new ChatAPB({ engine }).invoke(messages(s)), await reference(s)];
    expect(r).toBeInstanceOf(AIMessageChunk);
    expect(r.content).toBe(s.answer);
    expect(r.content).toBe(strip(ref.text));
    expect(r.usage_metadata).toMatchObject({ input_tokens: ref.promptTokens, output_tokens: ref.tokens.length, total_tokens: ref.promptTokens + ref.tokens.length });
    expect(r.response_metadata).toMatchObject({ model: "apb-model-tiny", model_provider: "apb", finish_reason: "stop", strategy: "apb", hosts: 2 });
  });

  it("stream yields one chunk per token, then usage on the last chunk", async () => {
    const s = sample(1);
    const chunks: AIMessageChunk[] = [];
    for await (const c of await new ChatAPB({ engine }).stream(messages(s))) chunks.push(c);
    const ref = await reference(s);
    const text = chunks.map((c) => c.content).join("");
    expect(text).toBe(s.answer);
    expect(chunks.every((c) => c instanceof AIMessageChunk)).toBe(true);
    expect(chunks.filter((c) => c.content !== "").length).toBeGreaterThanOrEqual(ref.tokens.length - 2);
    expect(chunks.slice(0, -1).every((c) => c.usage_metadata === undefined)).toBe(true);
    expect(chunks.at(-1)!.usage_metadata).toMatchObject({ output_tokens: ref.tokens.length, input_tokens: ref.promptTokens });
    expect(chunks.reduce((a, b) => concat(a, b)).content).toBe(text);
  });

  it("streamEvents runs from on_chat_model_start through stream events to on_chat_model_end", async () => {
    const s = sample(1);
    const events: string[] = [];
    let text = "";
    for await (const ev of new ChatAPB({ engine }).streamEvents(messages(s), { version: "v2" })) {
      events.push(ev.event);
      if (ev.event === "on_chat_model_stream") text += String((ev.data.chunk as AIMessageChunk).content);
    }
    expect(events[0]).toBe("on_chat_model_start");
    expect(events.at(-1)).toBe("on_chat_model_end");
    expect(text).toBe(s.answer);
  });

  it("batch answers each input; documents can come as a call option or a field", async () => {
    const [a, b] = [sample(2), sample(3)];
    const llm = new ChatAPB({ engine });
    const out = await llm.batch([messages(a), [new HumanMessage(b.question)]], [{}, { documents: [b.context] }]);
    expect(out.map((m) => m.content)).toEqual([a.answer, b.answer]);
    expect((await new ChatAPB({ engine, documents: [{ pageContent: a.context }] }).invoke(a.question)).content).toBe(a.answer);
  });

  it("opens and closes its own engine when given none", async () => {
    const s = sample(4);
    const llm = new ChatAPB({ hosts: 1, maxTokens: 24 });
    const r = await llm.invoke(messages(s));
    await llm.close();
    expect(r.content).toBe(s.answer);
    expect(r.response_metadata).toMatchObject({ strategy: "full", hosts: 1 });
  });
});

describe("callbacks", () => {
  it("handleLLMNewToken fires per streamed token and handleLLMEnd gets the token usage", async () => {
    const s = sample(5);
    const tokens: string[] = [];
    let completion: number | undefined;
    const llm = new ChatAPB({ engine });
    const r = await llm.invoke(messages(s), {
      callbacks: [{ handleLLMNewToken: (t: string) => void tokens.push(t), handleLLMEnd: (o) => void (completion = (o.llmOutput?.["tokenUsage"] as { completionTokens: number }).completionTokens) }],
    });
    const streamed: string[] = [];
    for await (const c of await llm.stream(messages(s))) if (c.content !== "") streamed.push(String(c.content));
    expect(tokens.join("")).toBe(r.content);
    expect(tokens).toEqual(streamed);
    expect(completion).toBe(r.usage_metadata!.output_tokens);
  });
});

/** What stream() rejects with on abort: LangChain's stream plumbing races the signal and throws its reason. */
async function abortLike(p: Promise<unknown>): Promise<Error> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(Error);
  expect((e as Error).name).toBe("AbortError");
  return e as Error;
}

describe("abort", () => {
  it("a pre-aborted signal rejects invoke (typed) and stream at once, before any prefill", async () => {
    const llm = new ChatAPB({ engine });
    const before = engine.numPrefills;
    const t0 = performance.now();
    const e = await rejection(llm.invoke(messages(sample(0)), { signal: AbortSignal.abort() }));
    expect(e).toBeInstanceOf(ChatAPBAbortError);
    expect([e.code, e.name]).toEqual(["ABORTED", "AbortError"]);
    let n = 0;
    await abortLike((async () => {
      for await (const _ of await llm.stream(messages(sample(0)), { signal: AbortSignal.abort() })) n++;
    })());
    expect(n).toBe(0);
    expect(performance.now() - t0).toBeLessThan(500);
    expect(engine.numPrefills).toBe(before);
  });

  // Hot sampling keeps the model from ending early: 2,000 tokens would take ~30 s.
  const hot = { temperature: 3, seed: 1, maxTokens: 2000 };

  it("an abort mid-generation rejects invoke with ChatAPBAbortError within a decode step or so", async () => {
    const ac = new AbortController();
    let abortedAt = 0;
    const onToken = (): void => void (abortedAt === 0 && ((abortedAt = performance.now()), ac.abort()));
    const e = await rejection(new ChatAPB({ engine, ...hot }).invoke(messages(sample(6)), { signal: ac.signal, callbacks: [{ handleLLMNewToken: onToken }] }));
    expect(e).toBeInstanceOf(ChatAPBAbortError);
    expect(abortedAt).toBeGreaterThan(0);
    expect(performance.now() - abortedAt).toBeLessThan(1500);
  });

  it("an abort mid-stream stops the engine: the next request on it runs at once", async () => {
    const ac = new AbortController();
    let abortedAt = 0;
    await abortLike((async () => {
      for await (const c of await new ChatAPB({ engine, ...hot }).stream(messages(sample(6)), { signal: ac.signal })) {
        if (c.content !== "" && abortedAt === 0) {
          abortedAt = performance.now();
          ac.abort();
        }
      }
    })());
    // The group serves one request at a time: had the aborted run gone on, this would wait for its 2,000 tokens.
    const s = sample(7);
    expect((await new ChatAPB({ engine }).invoke(messages(s))).content).toBe(s.answer);
    expect(performance.now() - abortedAt).toBeLessThan(3000);
  });

  it("a timeout aborts invoke with the same typed error", async () => {
    const e = await rejection(new ChatAPB({ engine, ...hot }).invoke(messages(sample(0)), { timeout: 300 }));
    expect(e).toBeInstanceOf(ChatAPBAbortError);
    expect(e.message).toMatch(/timed out/);
  });
});

describe("sampling options", () => {
  it("stop strings end the answer before them, in invoke and stream, from call options and fields", async () => {
    const s = sample(8);
    const ref = await reference(s);
    const full = strip(ref.text);
    const stop = full.slice(Math.floor(full.length / 2), Math.floor(full.length / 2) + 2);
    const expected = full.slice(0, full.indexOf(stop));
    const r = await new ChatAPB({ engine }).invoke(messages(s), { stop: [stop] });
    expect(r.content).toBe(expected);
    expect(r.response_metadata["finish_reason"]).toBe("stop");
    expect(r.usage_metadata!.output_tokens).toBeLessThan(ref.tokens.length);
    const chunks: string[] = [];
    for await (const c of await new ChatAPB({ engine, stop: [stop] }).stream(messages(s))) chunks.push(String(c.content));
    expect(chunks.join("")).toBe(expected);
  });

  it("temperature, topP, topK and seed reach the sampler, as fields or per call", async () => {
    const s = sample(9);
    const sampling = { temperature: 1.3, topP: 0.9, topK: 40, seed: 11, maxTokens: 12 };
    const ref = await reference(s, sampling);
    const a = await new ChatAPB({ engine, ...sampling }).invoke(messages(s));
    const b = await new ChatAPB({ engine }).invoke(messages(s), sampling);
    expect(a.content).toBe(strip(ref.text));
    expect(b.content).toBe(a.content);
    expect(a.usage_metadata!.output_tokens).toBe(ref.tokens.length);
  });

  it("maxTokens caps the answer (finish_reason length)", async () => {
    const r = await new ChatAPB({ engine, maxTokens: 3 }).invoke(messages(sample(0)));
    expect(r.usage_metadata!.output_tokens).toBe(3);
    expect(r.response_metadata["finish_reason"]).toBe("length");
  });

  it("bad call options are a typed input error", async () => {
    const e = await rejection(new ChatAPB({ engine }).invoke(messages(sample(0)), { temperature: -1 }));
    expect([e.code, e.message]).toEqual(["INPUT_INVALID", expect.stringMatching(/call option temperature/)]);
  });
});

describe("LangSmith params, invocation params, serialisation", () => {
  it("getLsParams has exactly the standard keys", () => {
    const llm = new ChatAPB({ engine, temperature: 0.3, maxTokens: 5, stop: ["\n"] });
    const ls = llm.getLsParams({ stop: ["##"] } as never);
    expect(Object.keys(ls).sort()).toEqual(["ls_max_tokens", "ls_model_name", "ls_model_type", "ls_provider", "ls_stop", "ls_temperature"]);
    expect(ls).toEqual({ ls_provider: "apb", ls_model_name: "apb-model-tiny", ls_model_type: "chat", ls_temperature: 0.3, ls_max_tokens: 5, ls_stop: ["\n", "##"] });
    expect(llm.getLsParamsWithDefaults({} as never)).toHaveProperty("ls_integration");
  });

  it("invocationParams are snake_case with the call's overrides", () => {
    const p = new ChatAPB({ engine, topP: 0.8 }).invocationParams({ maxTokens: 7, stop: ["x"] } as never);
    expect(p).toMatchObject({ model: "apb-model-tiny", target: "engine", top_p: 0.8, max_tokens: 7, stop: ["x"], query_start: QUERY_START, temperature: 0 });
  });

  it("toJSON keeps the options in snake_case and never engines, clients, sessions or documents", () => {
    const json = new ChatAPB({ engine, temperature: 0.3, maxTokens: 5, topP: 0.9, modelName: "tiny", documents: ["a private document"] }).toJSON();
    expect(json).toMatchObject({ lc: 1, type: "constructor", id: ["langchain", "chat_models", "apb", "ChatAPB"] });
    expect((json as { kwargs: unknown }).kwargs).toEqual({ temperature: 0.3, max_tokens: 5, top_p: 0.9, model_name: "tiny" });
    expect(JSON.stringify(json)).not.toMatch(/private document|engine/);
    const client = { redisUrl: "redis://user:hunter2@host", generate: () => undefined, openSession: () => undefined, session: () => undefined, close: () => undefined };
    const cj = JSON.stringify(new ChatAPB({ client: client as never, group: "g1" }).toJSON());
    expect(cj).toContain('"group":"g1"');
    expect(cj).not.toContain("hunter2");
  });
});

/** Streams fixed text through ChatAPB's output path: the shipped model cannot write JSON, a bigger one could. */
class ScriptedChat extends ChatAPB {
  constructor(private readonly script: string) {
    super({ engine });
  }

  override async *_streamResponseChunks(): AsyncGenerator<ChatGenerationChunk> {
    for (const piece of this.script.match(/.{1,4}/gs) ?? []) yield new ChatGenerationChunk({ text: piece, message: new AIMessageChunk({ content: piece }) });
  }
}

describe("withStructuredOutput", () => {
  const schema = z.object({ name: z.string(), age: z.number() });

  it("parses JSON answers and checks them against the schema", async () => {
    expect(await new ScriptedChat('Sure: {"name": "Ada", "age": 36}').withStructuredOutput(schema).invoke("who?")).toEqual({ name: "Ada", age: 36 });
    const raw = await new ScriptedChat('{"name": "Ada", "age": 36}').withStructuredOutput(schema, { includeRaw: true }).invoke("who?");
    expect(raw.parsed).toEqual({ name: "Ada", age: 36 });
    expect(raw.raw.content).toBe('{"name": "Ada", "age": 36}');
    const e = await rejection(new ScriptedChat('{"name": "Ada"}').withStructuredOutput(schema).invoke("who?"));
    expect([e.code, e.name]).toEqual(["OUTPUT_INVALID", "StructuredOutputError"]);
  });

  it("the shipped model's plain answer is not JSON: StructuredOutputError with the text, or parsed null with includeRaw", async () => {
    const s = sample(0);
    const llm = new ChatAPB({ engine });
    const plain = (await llm.invoke(messages(s))).content;
    const e = await rejection(llm.withStructuredOutput(schema).invoke(messages(s)));
    expect(e).toBeInstanceOf(StructuredOutputError);
    expect((e as StructuredOutputError).llmOutput).toBe(plain);
    const raw = await llm.withStructuredOutput(schema, { includeRaw: true }).invoke(messages(s));
    expect(raw.parsed).toBeNull();
    expect(raw.raw.content).toBe(plain);
    expect(() => llm.withStructuredOutput(schema, { method: "functionCalling" })).toThrow(ChatAPBConfigError);
  });
});

describe("fromSession: agents over one shared context", () => {
  it("three session-bound models answer three questions with exactly one prefill", async () => {
    const [s, decoyA, decoyB] = [sample(10), sample(11), sample(12)];
    const before = engine.numPrefills;
    const session = await engine.openSession({ prompt: s.context });
    const agents = [ChatAPB.fromSession(session), ChatAPB.fromSession(session, { temperature: 0.8, seed: 5 }), ChatAPB.fromSession(session, { maxTokens: 16 })];
    const asked = [s, decoyA, decoyB];
    const answers = await Promise.all(agents.map((a, i) => a.invoke(asked[i]!.question)));
    expect(answers[0]!.content).toBe(s.answer);
    const settings: SamplingInput[] = [{}, { temperature: 0.8, seed: 5 }, { maxTokens: 16 }];
    for (const [i, a] of answers.entries()) {
      const ref = await session.ask({ question: question(asked[i]!), sampling: { maxTokens: 32, stopTokenIds: [...engine.tokenizer!.eosTokenIds], ...settings[i] } });
      expect(a.content).toBe(strip(ref.text));
      expect(a.usage_metadata).toMatchObject({ input_tokens: ref.promptTokens, output_tokens: ref.tokens.length, input_token_details: { cache_read: session.numContextTokens } });
      expect((a.response_metadata["timings"] as { prefillMs: number }).prefillMs).toBeLessThan(50);
    }
    expect(engine.numPrefills).toBe(before + 1);
    expect(session.numQuestions).toBe(6);
    expect(agents[0]!.targetKind).toBe("engine-session");
    const e = await rejection(agents[0]!.invoke([new SystemMessage("be brief"), new HumanMessage(s.question)]));
    expect(e.code).toBe("INPUT_INVALID");
    await session.close();
    expect((await rejection(agents[0]!.invoke(s.question))).code).toBe("SESSION_NOT_FOUND");
  });
});

describe("chat template", () => {
  it("a checkpoint with a chat template gets its conversation rendered, split before the last turn", async () => {
    const dir = mkdtempSync(join(tmpdir(), "apb-lc-template-"));
    for (const f of MODEL_FILES) symlinkSync(join(modelTinyPath(), f), join(dir, f));
    writeFileSync(join(dir, "chat_template.jinja"), TINY_CHAT_TEMPLATE);
    const templated = await ApbEngine.open({ model: dir, hosts: 1, threadsPerHost: 1 });
    try {
      const tok = templated.tokenizer!;
      const s = sample(0);
      const r = await new ChatAPB({ engine: templated, maxTokens: 6 }).invoke(messages(s));
      const head = tok.applyChatTemplate([{ role: "system", content: s.context }])!;
      const full = tok.applyChatTemplate([{ role: "system", content: s.context }, { role: "user", content: s.question }], { addGenerationPrompt: true })!;
      const ref = await templated.generate({
        ids: tok.encode(head, { addSpecialTokens: false }),
        questionIds: tok.encode(full.slice(head.length), { addSpecialTokens: false }),
        queryStart: QUERY_START,
        sampling: { maxTokens: 6, stopTokenIds: [...tok.eosTokenIds] },
      });
      expect(r.content).toBe(ref.text);
      expect(r.usage_metadata!.input_tokens).toBe(ref.promptTokens);
    } finally {
      await templated.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
