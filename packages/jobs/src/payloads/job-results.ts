// What jobs return: small JSON (text, tokens, timings), never tensors.

import type { FinishReason, HostTimings, Strategy } from "@apb/core";

/** The answer of a generate, session.ask or corpus.document job. */
export interface JobResult {
  readonly tokens: number[];
  /** Decoded text cut before a stop string; null without a tokenizer. */
  readonly text: string | null;
  readonly finishReason: FinishReason;
  /** The owner host's timings. */
  readonly timings: HostTimings;
  readonly promptTokens: number;
  readonly strategy: Strategy;
  /** The group that ran it and its number of hosts. */
  readonly group: string;
  readonly hosts: number;
}

/** What session.open returns. */
export interface SessionOpened {
  readonly sessionId: string;
  readonly group: string;
  readonly hosts: number;
  readonly numContextTokens: number;
  readonly prefillMs: number;
  readonly ttlMs: number;
}

/** The answer to one of a document's `questions` (asked over the document's one prefill). */
export interface QuestionAnswer {
  readonly question: string;
  readonly tokens: number[];
  /** Decoded text cut before a stop string; null without a tokenizer. */
  readonly text: string | null;
  readonly finishReason: FinishReason;
  /** The owner host's timings of this question (prefillMs is 0: the prefill is the document's). */
  readonly timings: HostTimings;
  /** Tokens of the question's query segment. */
  readonly questionTokens: number;
}

/**
 * One document's answer in a corpus flow. With `questions`, `answers` holds one entry per question in order, and
 * the JobResult fields summarise them: `tokens` concatenated, `text` the texts joined by newlines, `finishReason`
 * "length" if any answer ran out of tokens, `timings` the one prefill plus every question's query and decode,
 * `promptTokens` the document plus every question.
 */
export interface DocumentResult extends JobResult {
  readonly docId: string;
  readonly answers?: readonly QuestionAnswer[];
}

/** One document in a corpus aggregate. */
export interface AggregatedAnswer {
  readonly docId: string;
  readonly text: string | null;
  readonly finishReason: FinishReason;
  readonly answers?: readonly { readonly question: string; readonly text: string | null; readonly finishReason: FinishReason }[];
}

/** What a corpus parent returns: the children's answers merged. */
export interface CorpusAggregate {
  readonly numDocuments: number;
  /** docId → answer text, in docId order; `answers` per question for a document asked several. */
  readonly answers: readonly AggregatedAnswer[];
  readonly numTokens: number;
  readonly numPromptTokens: number;
  /** Documents per group that ran them. */
  readonly groups: Record<string, number>;
}

/** Progress a job reports (BullMQ job progress). */
export interface JobProgress {
  readonly phase: "queued" | "prefill" | "query" | "decode" | "document";
  readonly done: number;
  readonly total: number;
  /** Decode: the tokens so far. */
  readonly tokens?: readonly number[];
  /** Corpus: the document that moved. */
  readonly docId?: string;
}
