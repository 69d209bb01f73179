// The distributed executor: documents go to worker groups as corpus flows (`@apb/jobs`), a batch of documents per
// flow and two flows in flight. Any group's leader takes any child and BullMQ retries failed ones; each child is
// followed on its own, so a document is saved (one transaction, through the sink) the moment its last child finishes.

import { toApbError } from "@apb/core";
import { QUEUES } from "@apb/jobs";
import type { CallOptions, CorpusRequest, SubmittedCorpus, SubmittedJob } from "@apb/jobs";
import type { Answer, AnswerSettings } from "../answer/index.js";
import { samplingOf, strategyOf } from "../answer/index.js";
import type { CorpusDocument } from "../corpus/index.js";
import type { DocumentExtractor } from "../extract/index.js";
import type { DocumentSink, ExtractionExecutor } from "../pipeline/index.js";
import { answersOf, batchChildren, checkChildren, childCount } from "./flow-batch.js";
import type { BatchDocument, ChildSpan, FlowMode } from "./flow-batch.js";

/** What the executor needs of ApbClient (a scripted port in the unit tests). */
export interface FlowPort {
  startCorpus(req: CorpusRequest, o?: { signal?: AbortSignal }): Promise<SubmittedCorpus>;
  waitForJob(job: SubmittedJob, o?: CallOptions): Promise<unknown>;
}

export interface FlowExecutorOptions {
  readonly port: FlowPort;
  readonly extractor: Pick<DocumentExtractor, "plan" | "finish" | "contextText">;
  /** Whether the context text starts with the template's BOS text (flowContextWithBos). */
  readonly withBos: boolean;
  /** mode `session`: a document's questions over one prefill; `generate`: a child per question. */
  readonly settings: AnswerSettings;
  /** Documents per corpus flow at most (children per flow also stay under the job layer's cap). */
  readonly batchSize: number;
  /** Flows in flight at once (default 2: the next one is queued while the last documents of the other finish). */
  readonly flowsInFlight?: number;
}

/** Children per flow at most (PAYLOAD_LIMITS.maxDocuments). */
const MAX_CHILDREN = 10_000;

/** A batch document's answers as its children finish. */
interface Pending {
  readonly doc: BatchDocument;
  readonly parts: (Answer[] | undefined)[];
  readonly where: Set<string>;
  remaining: number;
  failed: boolean;
}

/** One run of the executor: the queue, the batches taken so far, and the stop switch every wait listens to. */
class FlowRun {
  private next = 0;
  private firstError: { err: unknown } | undefined;
  readonly stop = new AbortController();

  constructor(
    private readonly o: FlowExecutorOptions,
    private readonly queue: readonly CorpusDocument[],
    private readonly sink: DocumentSink,
  ) {}

  private get mode(): FlowMode {
    return this.o.settings.mode;
  }

  /** Ends the run with `err` (the first one wins): no further batch, every wait cancels its job. */
  halt(err: unknown): void {
    this.firstError ??= { err };
    this.stop.abort();
  }

  /** Takes batches until the queue is empty or the run stops; another lane works alongside. */
  async lane(): Promise<void> {
    while (this.next < this.queue.length && !this.stop.signal.aborted) {
      try {
        await this.runBatch(this.takeBatch());
      } catch (err) {
        this.halt(err);
      }
    }
  }

  /** @throws the error that ended the run */
  rethrow(): void {
    if (this.firstError !== undefined) throw this.firstError.err;
  }

  /**
   * The next batch: planned documents with something to ask, checked as the job layer will check them. Documents
   * without candidates are saved at once; documents whose children the job layer would refuse fail alone.
   */
  private takeBatch(): BatchDocument[] {
    const out: BatchDocument[] = [];
    let children = 0;
    while (this.next < this.queue.length && out.length < this.o.batchSize) {
      const d = this.queue[this.next]!;
      const plan = this.o.extractor.plan(d.text);
      const n = childCount(plan.questions.length, this.mode);
      if (out.length > 0 && children + n > MAX_CHILDREN) break;
      this.next++;
      this.sink.start(d.key, "corpus flow");
      if (n === 0) {
        this.sink.done(d.key, this.o.extractor.finish(plan, []), []);
        continue;
      }
      const doc = { key: d.key, plan, contextText: this.o.extractor.contextText(d.text, this.o.withBos) };
      try {
        checkChildren(doc, this.mode, this.request());
      } catch (err) {
        this.sink.fail(d.key, err);
        continue;
      }
      out.push(doc);
      children += n;
    }
    return out;
  }

  /** Sampling and strategy of every child; queryStart only where a question goes into the anchor (generate). */
  private request(): Omit<CorpusRequest, "documents"> {
    const s = this.o.settings;
    return { sampling: samplingOf(s), ...strategyOf(s), ...(this.mode === "generate" ? { queryStart: s.queryStart } : {}) };
  }

  /** Submits one flow and follows each child; resolves when every child has settled. @throws the sink's fatal errors */
  private async runBatch(docs: readonly BatchDocument[]): Promise<void> {
    if (docs.length === 0) return;
    const { documents, spans } = batchChildren(docs, this.mode);
    let submitted: SubmittedCorpus;
    try {
      submitted = await this.o.port.startCorpus({ documents, ...this.request() }, { signal: this.stop.signal });
    } catch (err) {
      for (const d of docs) this.sink.fail(d.key, err);
      return;
    }
    const pending: Pending[] = docs.map((doc) => ({ doc, parts: [], where: new Set(), remaining: childCount(doc.plan.questions.length, this.mode), failed: false }));
    const follows = submitted.documents.map((c) => this.follow(c.jobId, spans.get(c.docId)!, pending).catch((err: unknown) => this.halt(err)));
    await Promise.all(follows);
  }

  /** Waits for one child; saves its document when this was the document's last child. @throws the sink's fatal errors */
  private async follow(jobId: string, span: ChildSpan, pending: readonly Pending[]): Promise<void> {
    const p = pending[span.doc]!;
    let got: { answers: Answer[]; group: string };
    try {
      got = answersOf(await this.o.port.waitForJob({ queue: QUEUES.corpusDocuments, jobId }, { signal: this.stop.signal }), span, this.mode);
    } catch (err) {
      if (this.stop.signal.aborted && this.firstError !== undefined) return; // stopped by another failure: leave it pending
      if (!p.failed) this.sink.fail(p.doc.key, toApbError(err));
      p.failed = true;
      return;
    }
    if (p.failed) return;
    p.parts[span.part] = got.answers;
    p.where.add(got.group);
    if (--p.remaining > 0) return;
    const x = this.o.extractor.finish(p.doc.plan, p.parts.flatMap((a) => a ?? []));
    this.sink.answer(p.doc.key, { numPromptTokens: x.numPromptTokens, numGeneratedTokens: x.numGeneratedTokens });
    this.sink.done(p.doc.key, x, [...p.where].sort());
  }
}

/** Runs documents as corpus flows on worker groups. */
export class FlowExecutor implements ExtractionExecutor {
  constructor(private readonly o: FlowExecutorOptions) {}

  async run(queue: readonly CorpusDocument[], sink: DocumentSink, signal?: AbortSignal): Promise<void> {
    const r = new FlowRun(this.o, queue, sink);
    const onAbort = (): void => r.stop.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    if (signal?.aborted) onAbort();
    try {
      await Promise.all(Array.from({ length: this.o.flowsInFlight ?? 2 }, () => r.lane()));
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
    r.rethrow();
  }
}
