// One extraction run over a corpus: register it in the store, skip finished documents, extract the rest (one
// worker per extractor: the local engine, or one per worker group) and save each document in its own transaction.

import { TransportError, toApbError } from "@apb/core";
import type { ApbError } from "@apb/core";
import type { CorpusDocument } from "../corpus/index.js";
import { StoreError } from "../errors/index.js";
import type { DocumentExtraction, DocumentExtractor } from "../extract/index.js";
import type { GraphStore, RunPlan } from "../store/index.js";

/** What a run reports as it goes (the CLI draws its progress bar from these). */
export type RunEvent =
  | { readonly type: "planned"; readonly plan: RunPlan; readonly numDocuments: number }
  | { readonly type: "start"; readonly key: string; readonly where: string }
  | { readonly type: "answer"; readonly key: string; readonly numPromptTokens: number; readonly numGeneratedTokens: number }
  | { readonly type: "done"; readonly key: string; readonly extraction: DocumentExtraction }
  | { readonly type: "failed"; readonly key: string; readonly error: ApbError };

export interface RunOptions {
  readonly docs: readonly CorpusDocument[];
  readonly store: GraphStore;
  /** One per document processed at a time (a DocumentExtractor, or anything with its `extract`). */
  readonly extractors: readonly { readonly extractor: Pick<DocumentExtractor, "extract">; readonly where: string }[];
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
}

const interrupted = (): TransportError => new TransportError("ABORTED", "the run was interrupted; finished documents are saved, run again to go on");

/** Errors that end the whole run (the others are recorded on their document, which the next run retries). */
function fatal(e: ApbError): boolean {
  return e instanceof StoreError || e.code === "ABORTED";
}

class RunState {
  next = 0;
  numProcessed = 0;
  numTriples = 0;
  numPromptTokens = 0;
  numGeneratedTokens = 0;
  readonly failures: { key: string; code: string; message: string }[] = [];
}

async function worker(o: RunOptions, slot: RunOptions["extractors"][number], queue: readonly CorpusDocument[], st: RunState): Promise<void> {
  while (st.next < queue.length) {
    if (o.signal?.aborted) return;
    const doc = queue[st.next++]!;
    o.onEvent?.({ type: "start", key: doc.key, where: slot.where });
    try {
      const onAnswer = (a: { numPromptTokens: number; numGeneratedTokens: number }): void => o.onEvent?.({ type: "answer", key: doc.key, ...a });
      const x = await slot.extractor.extract(doc.text, { signal: o.signal, onAnswer });
      o.store.saveDocument(doc.key, x);
      st.numProcessed++;
      st.numTriples += x.triples.length;
      st.numPromptTokens += x.numPromptTokens;
      st.numGeneratedTokens += x.numGeneratedTokens;
      o.onEvent?.({ type: "done", key: doc.key, extraction: x });
    } catch (err) {
      const e = toApbError(err);
      if (o.signal?.aborted) throw interrupted();
      if (fatal(e)) throw e;
      o.store.markFailed(doc.key, { code: e.code, message: e.message });
      st.failures.push({ key: doc.key, code: e.code, message: e.message });
      o.onEvent?.({ type: "failed", key: doc.key, error: e });
    }
  }
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
  const results = await Promise.allSettled(o.extractors.map((slot) => worker(o, slot, queue, st)));
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (rejected !== undefined) throw toApbError(rejected.reason);
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
  };
}
