// Job payloads, one zod schema per job kind (STYLE.md G14): job data holds text or token ids, never tensors, and
// every field has a size cap so an oversized job is refused with a typed error before it reaches a group.

import { InputError, samplingSchema } from "@apb/core";
import { z } from "zod";
import { ID_PATTERN } from "../keys/index.js";

/** Size caps of job data (a job is a Redis hash; BullMQ copies it around). */
export const PAYLOAD_LIMITS = {
  /** Characters of a context (prompt or document text). */
  maxContextChars: 4 * 1024 * 1024,
  /** Token ids of a context. */
  maxContextIds: 262_144,
  maxQuestionChars: 64 * 1024,
  maxQuestionIds: 8_192,
  maxDocuments: 10_000,
  /** Questions of one corpus document (asked over one prefill). */
  maxQuestionsPerDocument: 256,
  /** A session lives at most this long without a question. */
  maxSessionTtlMs: 7 * 24 * 3600 * 1000,
} as const;

const L = PAYLOAD_LIMITS;
const tokenId = z.number().int().min(0).max(0x7fffffff);
const id = z.string().regex(ID_PATTERN, `must match ${ID_PATTERN.source}`);

/** How the context is split: the same knobs as ApbEngine's StrategyOptions. */
const strategyShape = {
  strategy: z.enum(["full", "ring", "star", "apb"]).optional(),
  anchor: z.number().int().min(0).optional(),
  passing: z.number().int().min(0).optional(),
  selection: z.enum(["retaining-heads", "query", "random"]).optional(),
  queryStart: z.number().int().min(0).optional(),
};

const contextShape = {
  prompt: z.string().min(1).max(L.maxContextChars).optional(),
  ids: z.array(tokenId).min(1).max(L.maxContextIds).optional(),
};

const questionText = z.string().min(1).max(L.maxQuestionChars);
/** Several questions over one prefill: asked in order, each answered on its own. */
const questionList = z.array(questionText).min(1).max(L.maxQuestionsPerDocument);

const questionShape = {
  question: questionText.optional(),
  questionIds: z.array(tokenId).min(1).max(L.maxQuestionIds).optional(),
};

const sampling = samplingSchema.prefault({});

function exactlyOne(a: string, b: string) {
  return (o: Record<string, unknown>, ctx: z.RefinementCtx): void => {
    if ((o[a] === undefined) === (o[b] === undefined)) ctx.addIssue({ code: "custom", path: [a], message: `give exactly one of ${a} or ${b}` });
  };
}

function atMostOne(a: string, b: string) {
  return (o: Record<string, unknown>, ctx: z.RefinementCtx): void => {
    if (o[a] !== undefined && o[b] !== undefined) ctx.addIssue({ code: "custom", path: [a], message: `give at most one of ${a} or ${b}` });
  };
}

/** A one-off request: context (+ optional question) in, answer out. */
export const generatePayloadSchema = z
  .strictObject({ ...contextShape, ...questionShape, ...strategyShape, sampling })
  .superRefine(exactlyOne("prompt", "ids"))
  .superRefine(atMostOne("question", "questionIds"));

/** Prefill a context once and keep it on the group (no question: selection is query-agnostic). */
export const sessionOpenPayloadSchema = z
  .strictObject({
    sessionId: id,
    ...contextShape,
    ...strategyShape,
    /** Closed automatically after this long without a question. */
    ttlMs: z.number().int().min(100).max(L.maxSessionTtlMs).default(30 * 60 * 1000),
  })
  .superRefine(exactlyOne("prompt", "ids"));

/** A question against an open session (served in order on the session's group). */
export const sessionAskPayloadSchema = z.strictObject({ sessionId: id, ...questionShape, sampling }).superRefine(exactlyOne("question", "questionIds"));

export const sessionClosePayloadSchema = z.strictObject({ sessionId: id });

/**
 * One document of a corpus flow (a child job): any group takes it. With `question`, a one-off generate (the
 * question is embedded in APB's anchor). With `questions`, the document is prefilled once without a question
 * (query-agnostic selection, as a session) and each question is asked of that prefill in order.
 */
export const corpusDocumentPayloadSchema = z
  .strictObject({
    docId: z.string().min(1).max(256),
    text: z.string().min(1).max(L.maxContextChars),
    question: questionText.optional(),
    questions: questionList.optional(),
    sampling,
    ...strategyShape,
  })
  .superRefine(exactlyOne("question", "questions"));

/** The parent of a corpus flow: aggregates its children's results (neither question field: per-document questions). */
export const corpusPayloadSchema = z
  .strictObject({
    question: questionText.optional(),
    questions: questionList.optional(),
    numDocuments: z.number().int().min(1).max(L.maxDocuments),
  })
  .superRefine(atMostOne("question", "questions"));

/** Job kinds (the BullMQ job name) and their payload schemas. */
export const JOB_SCHEMAS = {
  generate: generatePayloadSchema,
  "session.open": sessionOpenPayloadSchema,
  "session.ask": sessionAskPayloadSchema,
  "session.close": sessionClosePayloadSchema,
  "corpus.document": corpusDocumentPayloadSchema,
  corpus: corpusPayloadSchema,
} as const;

export type JobKind = keyof typeof JOB_SCHEMAS;
export type JobPayload<K extends JobKind> = z.output<(typeof JOB_SCHEMAS)[K]>;
export type JobPayloadInput<K extends JobKind> = z.input<(typeof JOB_SCHEMAS)[K]>;
export type GeneratePayload = JobPayload<"generate">;
export type SessionOpenPayload = JobPayload<"session.open">;
export type SessionAskPayload = JobPayload<"session.ask">;
export type CorpusDocumentPayload = JobPayload<"corpus.document">;

/** Fields whose size caps are context limits (PROMPT_TOO_LONG rather than INPUT_INVALID). */
const CONTEXT_FIELDS = new Set(["prompt", "ids", "text"]);

function isJobKind(name: string): name is JobKind {
  return Object.hasOwn(JOB_SCHEMAS, name);
}

/**
 * Validates a job's data against its kind's schema.
 * @throws InputError INPUT_INVALID for an unknown kind or a malformed field, PROMPT_TOO_LONG for a context over the caps.
 */
export function parsePayload<K extends JobKind>(kind: K, data: unknown): JobPayload<K>;
export function parsePayload(kind: string, data: unknown): JobPayload<JobKind>;
export function parsePayload(kind: string, data: unknown): JobPayload<JobKind> {
  if (!isJobKind(kind)) throw new InputError("INPUT_INVALID", `unknown job kind ${JSON.stringify(kind)}; the kinds are ${Object.keys(JOB_SCHEMAS).join(", ")}`);
  const r = JOB_SCHEMAS[kind].safeParse(data);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issue.path.join(".") || "(payload)";
  if (issue.code === "too_big" && CONTEXT_FIELDS.has(String(issue.path[0]))) {
    throw new InputError("PROMPT_TOO_LONG", `${kind} job: ${field} is longer than the job layer accepts (${issue.maximum}); split the context or use a corpus job`, { field, limit: Number(issue.maximum) });
  }
  throw new InputError("INPUT_INVALID", `${kind} job: ${field}: ${issue.message}`, { field });
}
