// What ApbClient takes and returns: connection options, requests (job payloads plus routing), submitted jobs.

import type { SamplingInput, StrategyOptions } from "@apb/core";
import type { DocumentResult, CorpusAggregate, JobPayloadInput } from "../payloads/index.js";

export interface ClientOptions {
  /** `redis://[user:password@]host[:port][/db]` or `rediss://`. */
  readonly redis: string;
  /** The workers' key prefix (default "apb"). */
  readonly prefix?: string;
  /** Attempts per job: runtime failures are retried with exponential backoff; user errors never (default 5). */
  readonly attempts?: number;
  /** First retry delay; doubles per attempt (default 1000 ms). */
  readonly backoffMs?: number;
  readonly signal?: AbortSignal;
}

/** A job in a queue (`apb submit` prints it; waitForJob follows it). */
export interface SubmittedJob {
  readonly queue: string;
  readonly jobId: string;
}

export type GenerateRequest = JobPayloadInput<"generate"> & { readonly group: string };
/** sessionId defaults to a random UUID. */
export type OpenSessionRequest = Omit<JobPayloadInput<"session.open">, "sessionId"> & { readonly group: string; readonly sessionId?: string };
export type AskRequest = Omit<JobPayloadInput<"session.ask">, "sessionId">;

/**
 * One document of a corpus. Its own `question` or `questions` replace the corpus's (e.g. questions about the
 * entities this document names).
 */
export interface CorpusDocument {
  readonly id: string;
  readonly text: string;
  readonly question?: string;
  readonly questions?: readonly string[];
}

/**
 * A corpus: one child job per document, any group takes them; the parent aggregates. Each document is asked
 * `question` (one-off: the question guides APB's selection) or `questions` (asked in order over ONE prefill of the
 * document, which is query-agnostic as a session's: N questions cost one prefill, and APB's passing blocks are
 * chosen without knowing them), either for every document here or per document.
 */
export interface CorpusRequest extends StrategyOptions {
  readonly documents: readonly CorpusDocument[];
  readonly question?: string;
  readonly questions?: readonly string[];
  readonly sampling?: SamplingInput;
}

/** A corpus flow in the queues. */
export interface SubmittedCorpus {
  readonly jobId: string;
  readonly documents: readonly { readonly docId: string; readonly jobId: string }[];
}

export interface CorpusResult {
  readonly jobId: string;
  /** In the order of the request's documents. */
  readonly results: readonly DocumentResult[];
  readonly aggregated: CorpusAggregate;
}
