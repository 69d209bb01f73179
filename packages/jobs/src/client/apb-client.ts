// The job layer's client (STYLE.md G15: one class): generate, context sessions and corpus flows as BullMQ jobs on
// worker groups; typed errors rebuilt by code; an AbortSignal on every call.

import { randomUUID } from "node:crypto";
import { SessionError } from "@apb/core";
import { FlowProducer, Queue, QueueEvents } from "bullmq";
import type { JobsOptions } from "bullmq";
import type { Redis } from "ioredis";
import { closeRedis, connectRedis } from "../connection/index.js";
import { JobKeys, QUEUES } from "../keys/index.js";
import { throwIfAborted } from "../errors/index.js";
import { parsePayload } from "../payloads/index.js";
import type { JobKind, JobPayloadInput, JobResult, SessionOpened } from "../payloads/index.js";
import { readSessionRecord } from "../runtime/session-registry.js";
import { ClientSession } from "./client-session.js";
import type { SessionPort } from "./client-session.js";
import type { ClientOptions, CorpusRequest, CorpusResult, GenerateRequest, OpenSessionRequest, SubmittedCorpus, SubmittedJob } from "./client-types.js";
import { addCorpusFlow, waitForCorpus } from "./corpus-flow.js";
import { waitForJob } from "./job-waiter.js";
import type { CallOptions, WaitDeps } from "./job-waiter.js";

type GroupKind = Exclude<JobKind, "corpus" | "corpus.document">;

export class ApbClient {
  private readonly queues = new Map<string, { queue: Queue; events: QueueEvents }>();
  private flow: FlowProducer | undefined;
  private readonly jobOptions: JobsOptions;
  private readonly port: SessionPort;

  private constructor(
    private readonly redis: Redis,
    readonly keys: JobKeys,
    o: ClientOptions,
  ) {
    this.jobOptions = {
      attempts: o.attempts ?? 5,
      backoff: { type: "exponential", delay: o.backoffMs ?? 1000 },
      removeOnComplete: { age: 3600, count: 1000 },
      removeOnFail: { age: 24 * 3600, count: 1000 },
    };
    this.port = {
      ask: (id, group, req, co) => this.run<JobResult>("session.ask", group, { ...req, sessionId: id }, co),
      close: async (id, group, co) => void (await this.run("session.close", group, { sessionId: id }, co)),
    };
  }

  /** @throws TransportError TRANSPORT_CLOSED when Redis cannot be reached; InputError for a bad prefix. */
  static async connect(o: ClientOptions): Promise<ApbClient> {
    const keys = new JobKeys(o.prefix ?? "apb");
    return new ApbClient(await connectRedis(o.redis, { name: "apb-client", signal: o.signal }), keys, o);
  }

  /**
   * Runs a context (+ question) on a group; progress reports prefill layers and decoded tokens.
   * @throws InputError (bad or oversized payload), PlanError, TransportError (HOST_FAILED after every retry, ABORTED).
   */
  generate(req: GenerateRequest, o: CallOptions = {}): Promise<JobResult> {
    const { group, ...data } = req;
    return this.run<JobResult>("generate", group, data, o);
  }

  /** Prefills a context on a group once; ask it many times. @throws as generate. */
  async openSession(req: OpenSessionRequest, o: CallOptions = {}): Promise<ClientSession> {
    const { group, sessionId, ...data } = req;
    const opened = await this.run<SessionOpened>("session.open", group, { ...data, sessionId: sessionId ?? randomUUID() }, o);
    return new ClientSession(this.port, opened.sessionId, opened.group, opened.numContextTokens);
  }

  /** A handle on a session another client opened. @throws SessionError SESSION_NOT_FOUND when there is no record. */
  async session(id: string, o: { signal?: AbortSignal } = {}): Promise<ClientSession> {
    throwIfAborted(o.signal, `looking up session ${id}`);
    const rec = await readSessionRecord(this.redis, this.keys, id);
    if (rec === undefined) throw new SessionError("SESSION_NOT_FOUND", `no session ${id}: it was never opened, or it was closed`, { session: id });
    return new ClientSession(this.port, id, rec.group, rec.numContext);
  }

  /** Adds a job to a group's queue after validating it (no waiting). @throws InputError for a bad payload. */
  async submit<K extends GroupKind>(kind: K, group: string, data: JobPayloadInput<K>, o: { signal?: AbortSignal } = {}): Promise<SubmittedJob> {
    throwIfAborted(o.signal, `submitting a ${kind} job`);
    const payload = parsePayload(kind, data);
    const { queue } = this.queueOf(this.keys.groupQueue(group));
    const job = await queue.add(kind, payload, this.jobOptions);
    return { queue: queue.name, jobId: String(job.id) };
  }

  /** Follows a submitted job to its result. @throws its typed error; TransportError ABORTED (the job is cancelled). */
  waitForJob<T = unknown>(job: SubmittedJob, o: CallOptions = {}): Promise<T> {
    return waitForJob<T>(this.waitDeps(job.queue), job.jobId, o);
  }

  /** Adds a corpus flow (no waiting). @throws InputError naming a bad document. */
  async startCorpus(req: CorpusRequest, o: { signal?: AbortSignal } = {}): Promise<SubmittedCorpus> {
    throwIfAborted(o.signal, "submitting a corpus");
    this.flow ??= new FlowProducer({ connection: this.redis, prefix: this.keys.bullPrefix }).on("error", () => undefined);
    // Listen before adding, so waitForCorpus sees the documents' events.
    await Promise.all([QUEUES.corpus, QUEUES.corpusDocuments].map((q) => this.queueOf(q).events.waitUntilReady()));
    return addCorpusFlow(this.flow, req, this.jobOptions);
  }

  /** Follows a corpus flow: a progress event per finished document, then every result and the aggregate. */
  waitForCorpus(c: SubmittedCorpus, o: CallOptions = {}): Promise<CorpusResult> {
    return waitForCorpus({ parent: this.waitDeps(QUEUES.corpus), documents: this.queueOf(QUEUES.corpusDocuments) }, c, o);
  }

  /** startCorpus + waitForCorpus. */
  async submitCorpus(req: CorpusRequest, o: CallOptions = {}): Promise<CorpusResult & { jobId: string }> {
    const c = await this.startCorpus(req, o);
    return this.waitForCorpus(c, o);
  }

  private async run<T>(kind: GroupKind, group: string, data: unknown, o: CallOptions): Promise<T> {
    const job = await this.submit(kind, group, data as JobPayloadInput<typeof kind>, o);
    return this.waitForJob<T>(job, o);
  }

  private queueOf(name: string): { queue: Queue; events: QueueEvents } {
    let q = this.queues.get(name);
    if (q === undefined) {
      const opts = { connection: this.redis, prefix: this.keys.bullPrefix };
      q = { queue: new Queue(name, opts), events: new QueueEvents(name, opts) };
      // Reconnects are ioredis's; waits fail through their own paths (a lost job: JobLostError at the next check).
      q.events.on("error", () => undefined);
      q.queue.on("error", () => undefined);
      q.events.setMaxListeners(0); // one listener per concurrent wait
      this.queues.set(name, q);
    }
    return q;
  }

  private waitDeps(queue: string): WaitDeps {
    return { ...this.queueOf(queue), redis: this.redis, keys: this.keys };
  }

  async close(): Promise<void> {
    const all = [...this.queues.values()];
    this.queues.clear();
    await Promise.all(all.flatMap((q) => [q.events.close(), q.queue.close()]));
    await this.flow?.close();
    await closeRedis(this.redis);
  }
}
