// The in-process executor: each slot (the local engine) takes the next document, extracts it whole and reports it;
// slots share one queue, so every document is taken exactly once.

import type { Answer } from "../answer/index.js";
import type { CorpusDocument } from "../corpus/index.js";
import type { DocumentExtraction } from "../extract/index.js";
import type { DocumentSink, ExtractionExecutor } from "./run-extraction.js";

/** One document at a time: a DocumentExtractor bound to an Answerer, or anything with its `extract`. */
export interface ExtractionSlot {
  readonly where: string;
  extract(text: string, opts: { signal?: AbortSignal; onAnswer?: (a: Answer) => void }): Promise<DocumentExtraction>;
}

/** The queue the slots share: the next document to take, and what every slot reports to. */
interface SharedQueue {
  readonly docs: readonly CorpusDocument[];
  next: number;
  readonly sink: DocumentSink;
  readonly signal?: AbortSignal;
}

async function drain(slot: ExtractionSlot, q: SharedQueue): Promise<void> {
  const { docs, sink, signal } = q;
  while (q.next < docs.length) {
    if (signal?.aborted) return;
    const doc = docs[q.next++]!;
    sink.start(doc.key, slot.where);
    let x: DocumentExtraction;
    try {
      x = await slot.extract(doc.text, { signal, onAnswer: (a) => sink.answer(doc.key, a) });
    } catch (err) {
      sink.fail(doc.key, err); // throws when the run must stop
      continue;
    }
    sink.done(doc.key, x, [slot.where]);
  }
}

/** Runs the queue over `slots` (one document per slot at a time). */
export function slotExecutor(slots: readonly ExtractionSlot[]): ExtractionExecutor {
  return {
    async run(queue, sink, signal) {
      const q: SharedQueue = { docs: queue, next: 0, sink, signal };
      const stopOthers = (err: unknown): never => {
        q.next = queue.length; // a fatal error: the other slots take no further document
        throw err;
      };
      const results = await Promise.allSettled(slots.map((slot) => drain(slot, q).catch(stopOthers)));
      const rejected = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (rejected !== undefined) throw rejected.reason;
    },
  };
}
