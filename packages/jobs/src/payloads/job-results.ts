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

/** One document's answer in a corpus flow. */
export interface DocumentResult extends JobResult {
  readonly docId: string;
}

/** What a corpus parent returns: the children's answers merged. */
export interface CorpusAggregate {
  readonly numDocuments: number;
  /** docId → answer text, in docId order. */
  readonly answers: readonly { readonly docId: string; readonly text: string | null; readonly finishReason: FinishReason }[];
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
