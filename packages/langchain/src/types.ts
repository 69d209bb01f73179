// ChatAPB's options, defined once (STYLE.md G14): one zod schema gives the types, the defaults, the validation
// (ChatAPBConfigError naming the field) and the serialised keys; the per-call options are a subset of it.

import { ApbEngine, ApbSession, InputError, samplingSchema } from "@apb/core";
import type { ApbClient, ClientSession } from "@apb/jobs";
import { QUERY_PREFIX, QUERY_START, QUERY_SUFFIX, modelTinyPath } from "@apb/model-tiny";
import type { BaseChatModelCallOptions, BaseChatModelParams } from "@langchain/core/language_models/chat_models";
import { z } from "zod";
import { ChatAPBConfigError } from "./errors.js";

function hasMethods(v: unknown, names: readonly string[]): boolean {
  return typeof v === "object" && v !== null && names.every((n) => typeof (v as Record<string, unknown>)[n] === "function");
}

/** An ApbClient from @apb/jobs (checked by shape: this package does not load the job layer unless you do). */
const isClient = (v: unknown): v is ApbClient => hasMethods(v, ["generate", "openSession", "session", "close"]);
/** A prefilled context: an in-process ApbSession, or a ClientSession from ApbClient.openSession / client.session. */
const isSession = (v: unknown): v is ApbSession | ClientSession =>
  v instanceof ApbSession || (hasMethods(v, ["ask", "close"]) && typeof (v as ClientSession).group === "string" && typeof (v as ClientSession).id === "string");

/** A long-context document: text, or a LangChain Document (its pageContent is used). */
const documentSchema = z.union([z.string(), z.object({ pageContent: z.string() })]);

const sampling = samplingSchema.shape;

/** The sampling knobs, with core's types and defaults; `stop` is core's stopStrings under LangChain's name. */
const samplingShape = {
  temperature: sampling.temperature,
  topP: sampling.topP,
  topK: sampling.topK,
  seed: sampling.seed,
  maxTokens: sampling.maxTokens,
  /** The answer ends before the first of these strings (merged with the call's `stop`). */
  stop: sampling.stopStrings,
};

/** Every ChatAPB option. */
export const chatApbFieldsSchema = z
  .object({
    /** A Hugging Face checkpoint folder; default: the shipped model (@apb/model-tiny). */
    model: z.string().min(1).default(() => modelTinyPath()),
    /** The name reported to LangSmith and in response_metadata; default: "apb-model-tiny" or the folder's name. */
    modelName: z.string().min(1).optional(),
    /** In-process hosts of the engine ChatAPB opens itself (ignored with engine, client or session). */
    hosts: z.number().int().min(1).max(64).default(1),
    backend: z.enum(["onnx", "reference"]).default("onnx"),
    threadsPerHost: z.number().int().min(1).max(256).optional(),
    /** An engine to run on (not closed by ChatAPB). */
    engine: z.custom<ApbEngine>((v) => v instanceof ApbEngine, "must be an ApbEngine from @apb/core").optional(),
    /** A job-layer client: requests run on the worker group `group` (not closed by ChatAPB). */
    client: z.custom<ApbClient>(isClient, "must be an ApbClient from @apb/jobs").optional(),
    group: z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/, "must be a worker group name (letters, digits, _ . -)").optional(),
    /** A prefilled context (use ChatAPB.fromSession): calls ask questions against it, with no prefill. */
    session: z.custom<ApbSession | ClientSession>(isSession, "must be an ApbSession or a ClientSession").optional(),
    /** How the context is split across hosts (undefined: the engine's defaults, full on one host, apb on several). */
    strategy: z.enum(["full", "ring", "star", "apb"]).optional(),
    anchor: z.number().int().min(0).optional(),
    passing: z.number().int().min(0).optional(),
    selection: z.enum(["retaining-heads", "query", "random"]).optional(),
    /** Where the question goes inside APB's anchor: right after `<s>` (the shipped model's format). */
    queryStart: z.number().int().min(0).default(QUERY_START),
    ...samplingShape,
    /** The long context, after the system messages (a call's `documents` come first). */
    documents: z.array(documentSchema).default([]),
    /** "auto": the tokenizer's chat template when it has one, else the data format (context, then question). */
    promptFormat: z.enum(["auto", "chat-template", "data"]).default("auto"),
    /** The data format's question segment: queryPrefix + question + querySuffix (the shipped model's defaults). */
    queryPrefix: z.string().default(QUERY_PREFIX),
    querySuffix: z.string().default(QUERY_SUFFIX),
    /** A host step that takes longer fails the request (in-process engines). */
    stepTimeoutMs: z.number().int().min(1).optional(),
  })
  .superRefine((o, ctx) => {
    const backends = (["engine", "client", "session"] as const).filter((k) => o[k] !== undefined);
    if (backends.length > 1) ctx.addIssue({ code: "custom", path: [backends[1]!], message: `give at most one of engine, client or session (got ${backends.join(" and ")})` });
    if (o.client !== undefined && o.group === undefined) ctx.addIssue({ code: "custom", path: ["group"], message: "a client needs the worker group to run on" });
    if (o.group !== undefined && o.client === undefined) ctx.addIssue({ code: "custom", path: ["group"], message: "a group needs a client (an ApbClient from @apb/jobs)" });
  });

export type ChatAPBFields = z.output<typeof chatApbFieldsSchema>;
/** What `new ChatAPB(...)` takes: the options above (all optional) plus LangChain's own (callbacks, tags, ...). */
export type ChatAPBInput = z.input<typeof chatApbFieldsSchema> & BaseChatModelParams;

/** Options that live objects carry and serialisation leaves out (engines, clients, sessions, document texts). */
const NOT_SERIALISED = new Set(["engine", "client", "session", "documents"]);

/** The option names `toJSON` keeps (LangChain writes them in snake_case). */
export const SERIALISED_KEYS: readonly string[] = Object.keys(chatApbFieldsSchema.shape).filter((k) => !NOT_SERIALISED.has(k));

/** What a single call may override: documents and sampling (core's checks without its defaults: unset keeps the model's). */
export const callOverridesSchema = z.object({
  documents: z.array(documentSchema).optional(),
  temperature: samplingShape.temperature.unwrap().optional(),
  topP: samplingShape.topP.unwrap().optional(),
  topK: samplingShape.topK.unwrap().optional(),
  seed: samplingShape.seed.unwrap().optional(),
  maxTokens: samplingShape.maxTokens.unwrap().optional(),
});

type CallOverrides = z.input<typeof callOverridesSchema>;
/** The names of the per-call options (for LangChain's callKeys). */
export const CALL_OVERRIDE_KEYS = Object.keys(callOverridesSchema.shape);

/** ChatAPB's call options: LangChain's (stop, signal, timeout, callbacks, ...) plus documents and sampling overrides. */
export interface ChatAPBCallOptions extends BaseChatModelCallOptions, CallOverrides {}

function firstIssue(e: z.ZodError): { field: string; message: string } {
  const issue = e.issues[0]!;
  return { field: issue.path.join(".") || "(options)", message: issue.message };
}

/** Validates constructor options. @throws ChatAPBConfigError naming the first bad field. */
export function parseChatApbFields(input: unknown): ChatAPBFields {
  const r = chatApbFieldsSchema.safeParse(input ?? {});
  if (r.success) return r.data;
  const { field, message } = firstIssue(r.error);
  throw new ChatAPBConfigError(`ChatAPB option ${field}: ${message}`, { field });
}

/** Validates a call's overrides. @throws InputError INPUT_INVALID naming the first bad field. */
export function parseCallOverrides(options: object): z.output<typeof callOverridesSchema> {
  const picked = Object.fromEntries(CALL_OVERRIDE_KEYS.filter((k) => k in options).map((k) => [k, (options as Record<string, unknown>)[k]]));
  const r = callOverridesSchema.safeParse(picked);
  if (r.success) return r.data;
  const { field, message } = firstIssue(r.error);
  throw new InputError("INPUT_INVALID", `ChatAPB call option ${field}: ${message}`, { field });
}

/** A document's text. */
export function documentText(d: z.output<typeof documentSchema>): string {
  return typeof d === "string" ? d : d.pageContent;
}
