// A corpus as a BullMQ flow: a parent on the corpus queue, a child per document on the shared documents queue (any
// group leader takes them), retried with backoff; a child that fails for good fails the parent.

import { InputError } from "@apb/core";
import type { FlowProducer, JobsOptions, Queue, QueueEvents } from "bullmq";
import { decodeJobError } from "../errors/index.js";
import { QUEUES } from "../keys/index.js";
import { PAYLOAD_LIMITS, parsePayload } from "../payloads/index.js";
import type { DocumentResult } from "../payloads/index.js";
import type { CorpusRequest, CorpusResult, SubmittedCorpus } from "./client-types.js";
import { waitForJob } from "./job-waiter.js";
import type { CallOptions, WaitDeps } from "./job-waiter.js";

/** Validates every document and adds the flow. @throws InputError for a bad document (naming it) or too many. */
export async function addCorpusFlow(flow: FlowProducer, req: CorpusRequest, opts: JobsOptions): Promise<SubmittedCorpus> {
  const n = req.documents.length;
  if (n === 0 || n > PAYLOAD_LIMITS.maxDocuments) throw new InputError("INPUT_INVALID", `a corpus needs 1 to ${PAYLOAD_LIMITS.maxDocuments} documents, got ${n}`);
  const ids = new Set(req.documents.map((d) => d.id));
  if (ids.size !== n) throw new InputError("INPUT_INVALID", "document ids must be unique within a corpus");
  const { documents, question, sampling, ...strategy } = req;
  const children = documents.map((d) => ({
    name: "corpus.document",
    queueName: QUEUES.corpusDocuments,
    data: parsePayload("corpus.document", { docId: d.id, text: d.text, question, sampling, ...strategy }),
    opts: { ...opts, failParentOnFailure: true },
  }));
  const parent = parsePayload("corpus", { question, numDocuments: n });
  const node = await flow.add({ name: "corpus", queueName: QUEUES.corpus, data: parent, opts, children });
  const docs = (node.children ?? []).map((c) => ({ docId: (c.job.data as { docId: string }).docId, jobId: String(c.job.id) }));
  return { jobId: String(node.job.id), documents: docs };
}

/** The first document whose job failed for good (when its event was not seen). */
async function failedDocument(queue: Queue, c: SubmittedCorpus): Promise<{ docId: string; reason: string } | undefined> {
  for (const x of c.documents) {
    const job = await queue.getJob(x.jobId);
    if (job !== undefined && (await job.getState()) === "failed") return { docId: x.docId, reason: job.failedReason };
  }
  return undefined;
}

export interface CorpusDeps {
  readonly parent: WaitDeps;
  readonly documents: { readonly queue: Queue; readonly events: QueueEvents };
}

/**
 * Waits for the parent; reports each finished document; returns every document's result and the aggregate.
 * @throws the first failed document's typed error (data.docId names it) when the flow fails.
 */
export async function waitForCorpus(d: CorpusDeps, c: SubmittedCorpus, o: CallOptions = {}): Promise<CorpusResult> {
  const byJob = new Map(c.documents.map((x) => [x.jobId, x.docId]));
  let done = 0;
  let firstFailure: { docId: string; reason: string } | undefined;
  const onCompleted = (a: { jobId: string }): void => {
    const docId = byJob.get(a.jobId);
    if (docId === undefined) return;
    done += 1;
    o.onProgress?.({ phase: "document", done, total: c.documents.length, docId });
  };
  const onFailed = (a: { jobId: string; failedReason: string }): void => {
    const docId = byJob.get(a.jobId);
    if (docId !== undefined) firstFailure ??= { docId, reason: a.failedReason };
  };
  d.documents.events.on("completed", onCompleted).on("failed", onFailed);
  try {
    const aggregated = await waitForJob<CorpusResult["aggregated"]>(d.parent, c.jobId, { signal: o.signal }).catch(async (err: unknown) => {
      const failed = firstFailure ?? (await failedDocument(d.documents.queue, c));
      if (failed === undefined) throw err;
      const e = decodeJobError(failed.reason);
      throw Object.assign(e, { data: { ...(e.data ?? {}), docId: failed.docId } });
    });
    // Documents that finished before the events were read still get their progress event.
    for (done += 1; done <= c.documents.length; done++) o.onProgress?.({ phase: "document", done, total: c.documents.length });
    const parent = await d.parent.queue.getJob(c.jobId);
    const values = Object.values((await parent?.getChildrenValues<DocumentResult>()) ?? {});
    const byDoc = new Map(values.map((v) => [v.docId, v]));
    return { jobId: c.jobId, results: c.documents.map((x) => byDoc.get(x.docId)!).filter((v) => v !== undefined), aggregated };
  } finally {
    d.documents.events.off("completed", onCompleted).off("failed", onFailed);
  }
}
