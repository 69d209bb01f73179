// The Answerer contract: one context, several questions, answer texts back (the local engine implements it), and
// the settings every question of a run shares, locally or in a corpus flow on worker groups.

import type { Selection, Strategy } from "@apb/core";

/**
 * How questions meet the context. `session`: prefill the document once, ask every entity against the resident KV
 * (query-agnostic APB selection); on worker groups, a corpus document with `questions`. `generate`: one request per
 * entity with the question in APB's anchor (better passing blocks, one prefill per entity); on worker groups, a
 * corpus child per entity. `auto`: locally, session for exact strategies (full, ring) and generate for apb/star; on
 * worker groups (whose size the client does not know) session.
 */
export const ASK_MODES = ["auto", "session", "generate"] as const;
export type AskMode = (typeof ASK_MODES)[number];

/** Strategy knobs and sampling shared by every question of a run. */
export interface AnswerSettings {
  readonly mode: Exclude<AskMode, "auto">;
  readonly strategy?: Strategy;
  readonly anchor?: number;
  readonly passing?: number;
  readonly selection?: Selection;
  readonly queryStart: number;
  readonly maxTokens: number;
  readonly stopTokenIds: readonly number[];
  readonly stopStrings: readonly string[];
}

export interface AnswerRequest {
  /** The context as token ids (BOS included when the template asks for it). */
  readonly contextIds: Int32Array;
  /** One question per entity, as token ids. */
  readonly questions: readonly Int32Array[];
  readonly signal?: AbortSignal;
}

/** One question's answer and what it cost in tokens. */
export interface Answer {
  readonly text: string;
  /** Tokens prefilled or run as the query for this question (the context counts once per prefill). */
  readonly numPromptTokens: number;
  readonly numGeneratedTokens: number;
}

/** Answers the questions of one document, in order; `onAnswer` fires as each one finishes (progress). */
export interface Answerer {
  /** Where it runs ("local"). */
  readonly where: string;
  answerAll(req: AnswerRequest, onAnswer?: (a: Answer) => void): Promise<Answer[]>;
}

/** The mode `auto` picks: a session (one prefill) when the strategy is exact, else generate (question in the anchor). */
export function resolveAskMode(mode: AskMode, strategy: Strategy | undefined, numHosts: number): Exclude<AskMode, "auto"> {
  if (mode !== "auto") return mode;
  const effective = strategy ?? (numHosts === 1 ? "full" : "apb");
  return effective === "full" || effective === "ring" ? "session" : "generate";
}

/** Sampling of every question: greedy, the template's length and stop strings, the model's end-of-sequence ids. */
export function samplingOf(s: AnswerSettings): { maxTokens: number; temperature: number; stopTokenIds: number[]; stopStrings: string[] } {
  return { maxTokens: s.maxTokens, temperature: 0, stopTokenIds: [...s.stopTokenIds], stopStrings: [...s.stopStrings] };
}

/** The strategy fields of a request (undefined ones left out, so the engine's defaults apply). */
export function strategyOf(s: AnswerSettings): { strategy?: Strategy; anchor?: number; passing?: number; selection?: Selection } {
  return { strategy: s.strategy, anchor: s.anchor, passing: s.passing, selection: s.selection };
}
