// A batch of documents as one corpus flow's children, and the children's results back as per-question answers:
// `session` sends a document's questions as its `questions` (one prefill, asked in order; 256 per child at most),
// `generate` one child per question (`question`, embedded in APB's anchor). Results are zod-checked (Redis is a boundary).

import { PAYLOAD_LIMITS, parsePayload } from "@apb/jobs";
import type { CorpusDocument as FlowDocument } from "@apb/jobs";
import { z } from "zod";
import type { Answer } from "../answer/index.js";
import { FlowError } from "../errors/index.js";
import type { DocumentPlan } from "../extract/index.js";

export type FlowMode = "session" | "generate";

/** A planned document of a batch: its key, what it is asked, and the context as the worker will tokenise it. */
export interface BatchDocument {
  readonly key: string;
  readonly plan: DocumentPlan;
  readonly contextText: string;
}

/** Which questions of which batch document one child job asks (a contiguous run, in order). */
export interface ChildSpan {
  /** Index of the document in the batch. */
  readonly doc: number;
  /** Index of the child among its document's children. */
  readonly part: number;
  readonly first: number;
  readonly count: number;
}

/** Questions one child asks at most: the job layer's cap in session mode, one in generate mode. */
export function questionsPerChild(mode: FlowMode): number {
  return mode === "session" ? PAYLOAD_LIMITS.maxQuestionsPerDocument : 1;
}

/** How many children a document with `numQuestions` questions becomes (0: nothing to ask). */
export function childCount(numQuestions: number, mode: FlowMode): number {
  return Math.ceil(numQuestions / questionsPerChild(mode));
}

/** A child's id: unique in its flow by the (document, part) prefix; the key makes it readable in Redis. */
function childId(doc: number, part: number, key: string): string {
  return `${doc}.${part}:${key}`.slice(0, 256);
}

/** The flow documents (children) of a batch and, per child id, the questions it asks. */
export function batchChildren(docs: readonly BatchDocument[], mode: FlowMode): { documents: FlowDocument[]; spans: Map<string, ChildSpan> } {
  const per = questionsPerChild(mode);
  const documents: FlowDocument[] = [];
  const spans = new Map<string, ChildSpan>();
  docs.forEach((d, doc) => {
    for (let part = 0, first = 0; first < d.plan.questions.length; part++, first += per) {
      const id = childId(doc, part, d.key);
      const asked = d.plan.questions.slice(first, first + per);
      documents.push(mode === "session" ? { id, text: d.contextText, questions: asked } : { id, text: d.contextText, question: asked[0]! });
      spans.set(id, { doc, part, first, count: asked.length });
    }
  });
  return { documents, spans };
}

/**
 * Checks a document's children as the job layer will (sizes, caps) before anything is queued, so one bad document
 * fails alone instead of failing its whole batch's submission.
 * @throws InputError (INPUT_INVALID, PROMPT_TOO_LONG for a text over the job layer's cap) from parsePayload
 */
export function checkChildren(d: BatchDocument, mode: FlowMode, request: Record<string, unknown>): void {
  const { documents } = batchChildren([d], mode);
  for (const c of documents) parsePayload("corpus.document", { ...request, docId: c.id, text: c.text, question: c.question, questions: c.questions });
}

const tokenIds = z.array(z.number().int());

/** The fields of a DocumentResult (`@apb/jobs`) kg-extract reads; other fields are allowed. */
export const documentResultSchema = z.object({
  docId: z.string(),
  text: z.string().nullable(),
  tokens: tokenIds,
  promptTokens: z.number().int().min(0),
  group: z.string(),
  answers: z.array(z.object({ text: z.string().nullable(), tokens: tokenIds, questionTokens: z.number().int().min(0) })).optional(),
});

/**
 * A child's result as one Answer per question of its span. Token counts follow the local engine's: a prefill's
 * context counts on its first question, every question counts its own tokens.
 * @throws FlowError INTERNAL for a result that is not a document result, or has the wrong number of answers
 */
export function answersOf(value: unknown, span: ChildSpan, mode: FlowMode): { answers: Answer[]; group: string } {
  const r = documentResultSchema.safeParse(value);
  if (!r.success) throw new FlowError("INTERNAL", `a worker returned an unreadable document result: ${r.error.issues[0]!.path.join(".")}: ${r.error.issues[0]!.message}`);
  const v = r.data;
  if (mode === "generate") return { group: v.group, answers: [{ text: v.text ?? "", numPromptTokens: v.promptTokens, numGeneratedTokens: v.tokens.length }] };
  if (v.answers === undefined || v.answers.length !== span.count) {
    throw new FlowError("INTERNAL", `document result ${v.docId} has ${v.answers?.length ?? "no"} answers for ${span.count} questions`, { docId: v.docId });
  }
  const contextTokens = v.promptTokens - v.answers.reduce((n, a) => n + a.questionTokens, 0);
  const answers = v.answers.map((a, i) => ({ text: a.text ?? "", numPromptTokens: (i === 0 ? contextTokens : 0) + a.questionTokens, numGeneratedTokens: a.tokens.length }));
  return { group: v.group, answers };
}
