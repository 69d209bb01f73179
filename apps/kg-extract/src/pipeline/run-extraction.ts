// One extraction run over a corpus: register it in the store, skip finished documents, hand the rest to an executor
// (local slots, or corpus flows on worker groups) and save each document in its own transaction as it finishes.

import { TransportError, toApbError } from "@apb/core";
import type { ApbError } from "@apb/core";
import type { CorpusDocument } from "../corpus/index.js";
import { StoreError } from "../errors/index.js";
import type { DocumentExtraction } from "../extract/index.js";
import type { GraphStore, RunPlan } from "../store/index.js";

/** What a run reports as it goes (the CLI draws its progress bar from these). */
export type RunEvent =
  | { readonly type: "planned"; readonly plan: RunPlan; readonly numDocuments: number }
  | { readonly type: "start"; readonly key: string; readonly where: string }
  | { readonly type: "answer"; readonly key: string; readonly numPromptTokens: number; readonly numGeneratedTokens: number }
  | { readonly type: "done"; readonly key: string; readonly extraction: DocumentExtraction; readonly where: readonly string[] }
  | { readonly type: "failed"; readonly key: string; readonly error: ApbError };

/** Tokens of one answered question (or of a whole document, when that is all an executor learns). */
export interface AnswerTokens {
  readonly numPromptTokens: number;
  readonly numGeneratedTokens: number;
}

/** Where an executor reports each document. `done` and `fail` throw the errors that must end the run. */
export interface DocumentSink {
  start(key: string, where: string): void;
  answer(key: string, a: AnswerTokens): void;
  /** Saves the document (one transaction). `where`: the places that answered it. @throws StoreError (fatal) */
  done(key: string, x: DocumentExtraction, where: readonly string[]): void;
  /** Records the document as failed. @throws the error when it ends the run (StoreError, ABORTED / the interrupt) */
  fail(key: string, err: unknown): void;
}

/** Runs the model over documents: the local engine (slot-executor.ts) or corpus flows (src/flow). */
export interface ExtractionExecutor {
  /**
   * Extracts every document of `queue`, reporting each one to `sink` exactly once (done or failed), and resolves
   * when all are reported. @throws the first error `sink` threw (after stopping its other work)
   */
  run(queue: readonly CorpusDocument[], sink: DocumentSink, signal?: AbortSignal): Promise<void>;
}

export interface RunOptions {
  readonly docs: readonly CorpusDocument[];
  readonly store: GraphStore;
  readonly executor: ExtractionExecutor;
  readonly signal?: AbortSignal;
  readonly onEvent?: (e: RunEvent) => void;
}

export interface RunSummary {
  readonly numDocuments: number;
  /** Finished in an earlier run (same content hash): skipped. */
  readonly numSkipped: number;
  readonly numProcessed: number;
  readonly numFailed: number;
  readonly numTriples: number;
  readonly numPromptTokens: number;
  readonly numGeneratedTokens: number;
  readonly elapsedMs: number;
  readonly failures: readonly { readonly key: string; readonly code: string; readonly message: string }[];
  /** Documents each place worked on ("local", or a worker group's name; a document split over groups counts for each). */
  readonly groups: Readonly<Record<string, number>>;
}

const interrupted = (): TransportError => new TransportError("ABORTED", "the run was interrupted; finished documents are saved, run again to go on");

/** Errors that end the whole run (the others are recorded on their document, which the next run retries). */
function fatal(e: ApbError): boolean {
  return e instanceof StoreError || e.code === "ABORTED";
}

class RunState {
  numProcessed = 0;
  numTriples = 0;
  numPromptTokens = 0;
  numGeneratedTokens = 0;
  readonly failures: { key: string; code: string; message: string }[] = [];
  readonly groups: Record<string, number> = {};
}

/** The sink that saves into the store and counts. */
function storeSink(o: RunOptions, st: RunState): DocumentSink {
  return {
    start: (key, where) => o.onEvent?.({ type: "start", key, where }),
    answer: (key, a) => o.onEvent?.({ type: "answer", key, numPromptTokens: a.numPromptTokens, numGeneratedTokens: a.numGeneratedTokens }),
    done(key, x, where) {
      o.store.saveDocument(key, x);
      st.numProcessed++;
      st.numTriples += x.triples.length;
      st.numPromptTokens += x.numPromptTokens;
      st.numGeneratedTokens += x.numGeneratedTokens;
      for (const w of where) st.groups[w] = (st.groups[w] ?? 0) + 1;
      o.onEvent?.({ type: "done", key, extraction: x, where });
    },
    fail(key, err) {
      const e = toApbError(err);
      if (o.signal?.aborted) throw interrupted();
      if (fatal(e)) throw e;
      o.store.markFailed(key, { code: e.code, message: e.message });
      st.failures.push({ key, code: e.code, message: e.message });
      o.onEvent?.({ type: "failed", key, error: e });
    },
  };
}

/**
 * Runs the extraction. A document that fails is marked failed and the run goes on; Ctrl-C (the signal) and store
 * failures stop it, leaving every finished document saved.
 * @throws StoreError; TransportError ABORTED when the signal fires
 */
export async function runExtraction(o: RunOptions): Promise<RunSummary> {
  const started = performance.now();
  const plan = o.store.planRun(o.docs);
  o.onEvent?.({ type: "planned", plan, numDocuments: o.docs.length });
  const wanted = new Set(plan.toProcess);
  const queue = o.docs.filter((d) => wanted.has(d.key));
  const st = new RunState();
  try {
    await o.executor.run(queue, storeSink(o, st), o.signal);
  } catch (err) {
    throw o.signal?.aborted ? interrupted() : toApbError(err);
  }
  if (o.signal?.aborted) throw interrupted();
  return {
    numDocuments: o.docs.length,
    numSkipped: plan.numDone,
    numProcessed: st.numProcessed,
    numFailed: st.failures.length,
    numTriples: st.numTriples,
    numPromptTokens: st.numPromptTokens,
    numGeneratedTokens: st.numGeneratedTokens,
    elapsedMs: performance.now() - started,
    failures: st.failures,
    groups: st.groups,
  };
}
