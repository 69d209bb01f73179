// One job on the leader: its request key (one per attempt), progress, cancellation (the client's cancel key, BullMQ's
// signal, a shutdown hand-back), and running planned requests on the group.

import { TransportError } from "@apb/core";
import type { GroupPlan, RunMode, SamplingParams } from "@apb/core";
import type { Job } from "bullmq";
import type { ReportedResult } from "../group/index.js";
import { GroupRequest } from "./group-request.js";
import type { LeaderGroup } from "./group-request.js";
import { JobProgressReporter } from "./job-progress.js";

const CANCEL_POLL_MS = 500;

/**
 * A request key from a job id and how often the job was started: letters, digits, `_.-` only. BullMQ counts a
 * start also when the attempt ends by a stall (a killed leader) or a hand-back, which do not count as attempts
 * made, so every start gets keys of its own and never meets a dead start's streams.
 */
export function requestKeyOf(queueTag: string, jobId: string, started: number): string {
  return `${queueTag}${jobId.replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 100)}.${started}`;
}

export class JobContext {
  readonly requestKey: string;
  private readonly controller = new AbortController();
  private readonly progress: JobProgressReporter;
  private cancelTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly g: LeaderGroup,
    readonly job: Job,
    queueTag: string,
    bullSignal: AbortSignal | undefined,
  ) {
    this.requestKey = requestKeyOf(queueTag, String(job.id), job.attemptsStarted);
    this.progress = new JobProgressReporter(job);
    bullSignal?.addEventListener("abort", () => this.abort(new TransportError("ABORTED", "the job was cancelled in the queue")), { once: true });
    this.watchCancelKey(job.queueName, String(job.id));
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Fails the running request with `reason` (ABORTED: not retried; others: retried). */
  abort(reason: TransportError): void {
    if (!this.controller.signal.aborted) this.controller.abort(reason);
  }

  /**
   * Runs one planned request on the group, after waiting (bounded) for missing members. A job that runs several
   * requests (a document's prefill and questions) names each with its own `part` (letters, digits): its own keys.
   * @throws TransportError HOST_FAILED when the group is not whole in time; the request's root error.
   */
  async run(a: { plan: GroupPlan; sampling: SamplingParams; mode: RunMode; part?: string }): Promise<ReportedResult> {
    const o = this.g.services.options;
    this.signal.throwIfAborted();
    if (!(await this.g.members.waitWhole(o.groupWaitMs, this.signal))) {
      this.signal.throwIfAborted();
      throw new TransportError("HOST_FAILED", `group ${o.group} did not become whole within ${o.groupWaitMs} ms`);
    }
    this.progress.expect(a.mode.kind === "prefill" ? 0 : a.sampling.maxTokens);
    const { part, ...request } = a;
    const req = new GroupRequest(this.g, {
      requestKey: part === undefined ? this.requestKey : `${this.requestKey}-${part}`,
      ...request,
      signal: this.signal,
      onProgress: (p) => this.progress.onProgress(p),
      onToken: (t, i) => this.progress.onToken(t, i),
    });
    return req.run();
  }

  /** Stops watching for a cancel and deletes the cancel key (set by a client that gave up on this job). */
  dispose(): void {
    clearInterval(this.cancelTimer);
    void this.g.services.redis.unlink(this.g.services.keys.cancel(this.job.queueName, String(this.job.id))).catch(() => undefined);
  }

  private watchCancelKey(queue: string, jobId: string): void {
    const s = this.g.services;
    const key = s.keys.cancel(queue, jobId);
    this.cancelTimer = setInterval(() => {
      s.redis.exists(key).then(
        (n) => n === 1 && this.abort(new TransportError("ABORTED", `job ${jobId} was cancelled by its client`)),
        () => undefined,
      );
    }, CANCEL_POLL_MS);
  }
}
