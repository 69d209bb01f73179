// ChatAPB: a LangChain.js chat model on APB. It runs on an in-process ApbEngine (its own or yours), on a worker group
// through ApbClient, or on a prefilled context session (ChatAPB.fromSession) that many agents share.

import { ApbEngine, ApbError, ApbSession, InputError, loadTokenizer } from "@apb/core";
import type { ApbTokenizer } from "@apb/core";
import type { ClientSession } from "@apb/jobs";
import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import type { BaseLanguageModelInput, StructuredOutputMethodOptions } from "@langchain/core/language_models/base";
import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { LangSmithParams } from "@langchain/core/language_models/chat_models";
import type { ModelProfile } from "@langchain/core/language_models/profile";
import { assembleStructuredOutputPipeline } from "@langchain/core/language_models/structured_output";
import { AIMessageChunk } from "@langchain/core/messages";
import type { BaseMessage, UsageMetadata } from "@langchain/core/messages";
import { ChatGenerationChunk } from "@langchain/core/outputs";
import type { ChatResult } from "@langchain/core/outputs";
import { RunnableLambda } from "@langchain/core/runnables";
import type { Runnable } from "@langchain/core/runnables";
import type { SerializableSchema } from "@langchain/core/utils/standard_schema";
import type { InteropZodType } from "@langchain/core/utils/types";
import { ChatAPBConfigError } from "./errors.js";
import { CALL_OVERRIDE_KEYS, SERIALISED_KEYS, documentText, parseCallOverrides, parseChatApbFields } from "./types.js";
import type { ChatAPBCallOptions, ChatAPBFields, ChatAPBInput } from "./types.js";
import { toApbPrompt } from "./utils/messages.js";
import { defaultModelName, packageVersion, readMaxPositions, snakeKeys } from "./utils/model_info.js";
import { parseStructured } from "./utils/structured_output.js";
import { TextAssembler } from "./utils/text_stream.js";
import { clientTarget, engineTarget, sessionTarget, streamTokens, throwIfAborted } from "./utils/targets.js";
import type { ApbTarget, TargetKind, TargetRequest, TargetResult } from "./utils/targets.js";

/** The package version reported to LangSmith (ls_integration metadata). */
const PACKAGE_VERSION = packageVersion();

/** Options of a session-bound model: everything but where it runs (the session decides). */
export type ChatAPBSessionInput = Omit<ChatAPBInput, "engine" | "client" | "group" | "session">;

/** A resolved place to run, with the tokenizer that reads and writes its text. */
interface Resolved {
  readonly target: ApbTarget;
  readonly tokenizer: ApbTokenizer;
}

/** Settings of one call: the fields, with the call's overrides and stop strings merged in. */
interface CallSettings {
  readonly sampling: { temperature: number; topP: number; topK: number; seed: number; maxTokens: number };
  readonly stop: string[];
  readonly documents: string[];
}

/**
 * A LangChain chat model on APB. The long context is the system messages plus `documents` (constructor field or call
 * option); the question is the last human message, embedded in APB's anchor.
 * @throws ChatAPBConfigError from the constructor for bad options (named by field)
 */
export class ChatAPB extends BaseChatModel<ChatAPBCallOptions, AIMessageChunk> {
  static override lc_name(): string {
    return "ChatAPB";
  }

  override lc_serializable = true;

  /** The validated options (defaults applied). */
  readonly fields: Readonly<ChatAPBFields>;
  private resolved: Promise<Resolved> | undefined;
  private ownEngine: Promise<ApbEngine> | undefined;

  constructor(fields: ChatAPBInput = {}) {
    super(fields);
    this.fields = Object.freeze(parseChatApbFields(fields));
    this._addVersion("@apb/langchain", PACKAGE_VERSION);
  }

  /**
   * A model bound to a prefilled context: each call asks its question against the session's resident KV cache, with
   * no prefill. Sessions are prefilled without a question, so APB's selection there is query-agnostic (see README).
   */
  static fromSession(session: ApbSession | ClientSession, fields: ChatAPBSessionInput = {}): ChatAPB {
    return new ChatAPB({ ...fields, session });
  }

  /** Constructor keys `toJSON` keeps: the options, never engines, clients, sessions or document texts. */
  override get lc_serializable_keys(): string[] {
    return [...SERIALISED_KEYS];
  }

  override get callKeys(): string[] {
    return [...super.callKeys, ...CALL_OVERRIDE_KEYS];
  }

  _llmType(): string {
    return "apb";
  }

  /** The model's name in traces and response metadata. */
  get modelName(): string {
    return this.fields.modelName ?? defaultModelName(this.fields.model);
  }

  /** Where calls run: "engine", "client", "engine-session" or "client-session". */
  get targetKind(): TargetKind {
    const f = this.fields;
    if (f.session !== undefined) return f.session instanceof ApbSession ? "engine-session" : "client-session";
    return f.client !== undefined ? "client" : "engine";
  }

  override get profile(): ModelProfile {
    const maxInputTokens = this.fields.engine?.config.maxPositions ?? readMaxPositions(this.fields.model);
    return { maxInputTokens, toolCalling: false, structuredOutput: false, imageInputs: false, audioInputs: false, pdfInputs: false, videoInputs: false };
  }

  override getLsParams(options: this["ParsedCallOptions"]): LangSmithParams {
    const c = this.callSettings(options, { lenient: true });
    return { ls_provider: "apb", ls_model_name: this.modelName, ls_model_type: "chat", ls_temperature: c.sampling.temperature, ls_max_tokens: c.sampling.maxTokens, ls_stop: c.stop };
  }

  /** What a call runs with, in snake_case (tracing): the serialisable options with the call's overrides. */
  override invocationParams(options?: this["ParsedCallOptions"]): Record<string, unknown> {
    const c = this.callSettings(options ?? {}, { lenient: true });
    const fields = Object.fromEntries(SERIALISED_KEYS.map((k) => [k, (this.fields as Record<string, unknown>)[k]]).filter(([, v]) => v !== undefined));
    return snakeKeys({ ...fields, model: this.modelName, modelPath: this.fields.model, target: this.targetKind, ...c.sampling, stop: c.stop });
  }

  private callSettings(options: Partial<ChatAPBCallOptions>, o: { lenient: boolean }): CallSettings {
    const f = this.fields;
    let ov: ReturnType<typeof parseCallOverrides> = {};
    try {
      ov = parseCallOverrides(options);
    } catch (err) {
      if (!o.lenient) throw err;
    }
    const sampling = { temperature: ov.temperature ?? f.temperature, topP: ov.topP ?? f.topP, topK: ov.topK ?? f.topK, seed: ov.seed ?? f.seed, maxTokens: ov.maxTokens ?? f.maxTokens };
    const documents = [...(ov.documents ?? []), ...f.documents].map(documentText);
    return { sampling, stop: [...f.stop, ...(options.stop ?? [])], documents };
  }

  /** Opens (once) what calls run on. */
  private resolve(): Promise<Resolved> {
    this.resolved ??= this.resolveNow();
    this.resolved.catch(() => (this.resolved = undefined)); // a failed open may be retried by the next call
    return this.resolved;
  }

  private async resolveNow(): Promise<Resolved> {
    const f = this.fields;
    if (f.session !== undefined) return { target: sessionTarget(f.session), tokenizer: await this.loadTokenizer() };
    if (f.client !== undefined) return { target: clientTarget(f.client, f.group!), tokenizer: await this.loadTokenizer() };
    let engine = f.engine;
    if (engine === undefined) {
      this.ownEngine ??= ApbEngine.open({ model: f.model, hosts: f.hosts, backend: f.backend, threadsPerHost: f.threadsPerHost }).catch((err: unknown) => {
        this.ownEngine = undefined; // the next call tries again
        throw err;
      });
      engine = await this.ownEngine;
    }
    return { target: engineTarget(engine), tokenizer: engine.tokenizer ?? (await this.loadTokenizer()) };
  }

  private async loadTokenizer(): Promise<ApbTokenizer> {
    const tok = await loadTokenizer(this.fields.model);
    if (tok === undefined) throw new InputError("INPUT_INVALID", `ChatAPB reads and writes text, but ${this.fields.model} has no tokenizer.json`);
    return tok;
  }

  /** Builds one call's request. @throws InputError for messages or call options ChatAPB cannot take. */
  private request(messages: BaseMessage[], options: this["ParsedCallOptions"], r: Resolved): { req: TargetRequest; text: TextAssembler } {
    const f = this.fields;
    const c = this.callSettings(options, { lenient: false });
    const prompt = toApbPrompt(messages, { tokenizer: r.tokenizer, format: f.promptFormat, queryPrefix: f.queryPrefix, querySuffix: f.querySuffix, documents: c.documents, bound: f.session !== undefined });
    const strategy = { strategy: f.strategy, anchor: f.anchor, passing: f.passing, selection: f.selection, queryStart: f.queryStart };
    const sampling = { ...c.sampling, stopStrings: c.stop, stopTokenIds: [...r.tokenizer.eosTokenIds] };
    return { req: { prompt, strategy, sampling, stepTimeoutMs: f.stepTimeoutMs }, text: new TextAssembler(r.tokenizer, { stop: c.stop, stripLeadingSpace: prompt.stripLeadingSpace }) };
  }

  /**
   * Streams the answer as text deltas (one per token, unless a token ends half a character or may start a stop
   * string), then a last chunk with usage_metadata and response_metadata.
   * @throws ChatAPBAbortError when options.signal fires; InputError, PlanError, SessionError and the engine's errors
   */
  override async *_streamResponseChunks(messages: BaseMessage[], options: this["ParsedCallOptions"], runManager?: CallbackManagerForLLMRun): AsyncGenerator<ChatGenerationChunk> {
    throwIfAborted(options.signal);
    const resolved = await this.resolve();
    const { req, text } = this.request(messages, options, resolved);
    for await (const ev of streamTokens(resolved.target, req, options.signal)) {
      const delta = ev.type === "tokens" ? text.update(ev.tokens) : text.finish(ev.result.tokens);
      if (delta !== "") {
        const chunk = new ChatGenerationChunk({ text: delta, message: new AIMessageChunk({ content: delta }) });
        yield chunk;
        await runManager?.handleLLMNewToken(delta, undefined, undefined, undefined, undefined, { chunk });
      }
      if (ev.type === "done") yield this.finalChunk(ev.result);
    }
  }

  private finalChunk(r: TargetResult): ChatGenerationChunk {
    const usage: UsageMetadata = { input_tokens: r.promptTokens, output_tokens: r.tokens.length, total_tokens: r.promptTokens + r.tokens.length };
    if (r.cachedTokens > 0) usage.input_token_details = { cache_read: r.cachedTokens };
    const meta = { model: this.modelName, model_provider: "apb", finish_reason: r.finishReason, strategy: r.strategy, hosts: r.hosts, timings: r.timings, ...(r.group === undefined ? {} : { group: r.group }) };
    return new ChatGenerationChunk({ text: "", message: new AIMessageChunk({ content: "", usage_metadata: usage, response_metadata: meta }), generationInfo: { finish_reason: r.finishReason } });
  }

  /** The streamed chunks concatenated; the message stays an AIMessageChunk (what LangChain's parsers check for). */
  async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"], runManager?: CallbackManagerForLLMRun): Promise<ChatResult> {
    let all: ChatGenerationChunk | undefined;
    for await (const chunk of this._streamResponseChunks(messages, options, runManager)) all = all === undefined ? chunk : all.concat(chunk);
    if (all === undefined) throw new ApbError("INTERNAL", "ChatAPB's stream ended without a chunk (an override of _streamResponseChunks yielded nothing)");
    const message = all.message as AIMessageChunk;
    const usage = message.usage_metadata;
    const tokenUsage = usage === undefined ? undefined : { promptTokens: usage.input_tokens, completionTokens: usage.output_tokens, totalTokens: usage.total_tokens };
    return { generations: [{ text: all.text, message, generationInfo: all.generationInfo }], llmOutput: tokenUsage === undefined ? undefined : { tokenUsage } };
  }

  override withStructuredOutput<RunOutput extends Record<string, unknown> = Record<string, unknown>>(
    schema: InteropZodType<RunOutput> | SerializableSchema<RunOutput> | Record<string, unknown>,
    config?: StructuredOutputMethodOptions<false>,
  ): Runnable<BaseLanguageModelInput, RunOutput>;

  override withStructuredOutput<RunOutput extends Record<string, unknown> = Record<string, unknown>>(
    schema: InteropZodType<RunOutput> | SerializableSchema<RunOutput> | Record<string, unknown>,
    config?: StructuredOutputMethodOptions<true>,
  ): Runnable<BaseLanguageModelInput, { raw: BaseMessage; parsed: RunOutput }>;

  /**
   * JSON output: the answer's text is parsed as JSON and validated against the schema (zod, Standard Schema, or a
   * plain JSON schema). The model is not constrained, so ask for JSON in the prompt. Method "jsonMode" / "jsonSchema".
   * @throws ChatAPBConfigError for method "functionCalling" (no tool calling); the runnable rejects with
   * StructuredOutputError (OUTPUT_INVALID) when the text is not JSON of that shape (with includeRaw: parsed is null)
   */
  override withStructuredOutput<RunOutput extends Record<string, unknown> = Record<string, unknown>>(
    schema: InteropZodType<RunOutput> | SerializableSchema<RunOutput> | Record<string, unknown>,
    config?: StructuredOutputMethodOptions<boolean>,
  ): Runnable<BaseLanguageModelInput, RunOutput> | Runnable<BaseLanguageModelInput, { raw: BaseMessage; parsed: RunOutput }> {
    const method = config?.method ?? "jsonMode";
    if (method === "functionCalling") throw new ChatAPBConfigError('ChatAPB has no tool calling; use withStructuredOutput with method "jsonMode"', { field: "method" });
    const parser = RunnableLambda.from((m: BaseMessage) => parseStructured<RunOutput>(m.text, schema));
    const includeRaw = config?.includeRaw === true;
    return assembleStructuredOutputPipeline<RunOutput>(this, parser, includeRaw, includeRaw ? "StructuredOutputRunnable" : "ChatAPBStructuredOutput");
  }

  /** Closes the engine ChatAPB opened itself (engines, clients and sessions you passed stay open). Idempotent. */
  async close(): Promise<void> {
    const own = this.ownEngine;
    this.ownEngine = undefined;
    this.resolved = undefined;
    if (own !== undefined) await (await own).close();
  }
}
