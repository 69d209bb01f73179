// A corpus as a BullMQ flow: a parent on the corpus queue, a child per document on the shared documents queue (any
// group leader takes them), retried with backoff; a child that fails for good fails the parent.

import { InputError } from "@apb/core";
import type { FlowProducer, JobsOptions, Queue, QueueEvents } from "bullmq";
import { decodeJobError } from "../errors/index.js";
import { QUEUES } from "../keys/index.js";
import { PAYLOAD_LIMITS, parsePayload } from "../payloads/index.js";
import type { DocumentResult, JobPayload } from "../payloads/index.js";
import type { CorpusDocument, CorpusRequest, CorpusResult, SubmittedCorpus } from "./client-types.js";
import { waitForJob } from "./job-waiter.js";
import type { CallOptions, WaitDeps } from "./job-waiter.js";

/** What a document is asked: its own question(s), else the corpus's. @throws InputError naming the document. */
function questionsOf(d: CorpusDocument, req: CorpusRequest): { question?: string; questions?: string[] } {
  if (d.question !== undefined && d.questions !== undefined) throw new InputError("INPUT_INVALID", `document ${d.id}: give at most one of question or questions`, { docId: d.id });
  if (d.question !== undefined) return { question: d.question };
  if (d.questions !== undefined) return { questions: [...d.questions] };
  if (req.question === undefined && req.questions === undefined) throw new InputError("INPUT_INVALID", `document ${d.id} has nothing to answer: give the corpus a question or questions, or the document its own`, { docId: d.id });
  return req.question !== undefined ? { question: req.question } : { questions: [...req.questions!] };
}

/** A document's payload. @throws InputError naming the document. */
function documentPayload(d: CorpusDocument, req: CorpusRequest): JobPayload<"corpus.document"> {
  const { documents: _documents, question: _question, questions: _questions, sampling, ...strategy } = req;
  const asked = questionsOf(d, req);
  try {
    return parsePayload("corpus.document", { docId: d.id, text: d.text, ...asked, sampling, ...strategy });
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    throw new InputError(err.code as "INPUT_INVALID" | "PROMPT_TOO_LONG", `document ${d.id}: ${err.message}`, { ...(err.data ?? {}), docId: d.id });
  }
}

/** Validates every document and adds the flow. @throws InputError for a bad document (naming it) or too many. */
export async function addCorpusFlow(flow: FlowProducer, req: CorpusRequest, opts: JobsOptions): Promise<SubmittedCorpus> {
  const n = req.documents.length;
  if (n === 0 || n > PAYLOAD_LIMITS.maxDocuments) throw new InputError("INPUT_INVALID", `a corpus needs 1 to ${PAYLOAD_LIMITS.maxDocuments} documents, got ${n}`);
  const ids = new Set(req.documents.map((d) => d.id));
  if (ids.size !== n) throw new InputError("INPUT_INVALID", "document ids must be unique within a corpus");
  const children = req.documents.map((d) => ({
    name: "corpus.document",
    queueName: QUEUES.corpusDocuments,
    data: documentPayload(d, req),
    opts: { ...opts, failParentOnFailure: true },
  }));
  const parent = parsePayload("corpus", { question: req.question, questions: req.questions === undefined ? undefined : [...req.questions], numDocuments: n });
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
