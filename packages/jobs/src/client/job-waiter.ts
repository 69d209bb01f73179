// Waits for one BullMQ job through QueueEvents: progress events, the finished value, or the typed error rebuilt
// from its failedReason; an aborted signal cancels the job (removed while it waits, else failed by its leader).

import { ApbError, InputError, TransportError } from "@apb/core";
import type { Queue, QueueEvents } from "bullmq";
import type { Redis } from "ioredis";
import { JobLostError, decodeJobError } from "../errors/index.js";
import type { JobKeys } from "../keys/index.js";
import type { JobProgress } from "../payloads/index.js";

/** Per-call options of every client method. */
export interface CallOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: JobProgress) => void;
}

/** What the waiter needs of the client. */
export interface WaitDeps {
  readonly queue: Queue;
  readonly events: QueueEvents;
  readonly redis: Redis;
  readonly keys: JobKeys;
}

/** A client that gives up: remove the job if it still waits, else ask its leader to fail it (a short-lived key). */
export async function cancelJob(d: WaitDeps, jobId: string): Promise<void> {
  const job = await d.queue.getJob(jobId);
  if (job === undefined) return;
  try {
    await job.remove();
  } catch {
    await d.redis.set(d.keys.cancel(d.queue.name, jobId), "1", "PX", 30_000);
  }
}

function aborted(signal: AbortSignal, jobId: string): ApbError {
  return new TransportError("ABORTED", `waiting for job ${jobId} was aborted; the job was cancelled`, { cause: signal.reason });
}

/**
 * How often a wait re-reads its job's state (one small script): a job that vanished from Redis (a restart without
 * persistence) fails the wait with JobLostError instead of hanging it, and a finish whose event was missed while
 * the connection was down still ends the wait.
 */
export const RECHECK_MS = 2000;

type Outcome = { failed: boolean; reason?: string; value?: unknown } | undefined;

/**
 * Resolves with the job's return value.
 * @throws the job's typed error (rebuilt by code); TransportError ABORTED when `signal` fires; JobLostError
 * (TRANSPORT_CLOSED) when the job vanishes from Redis; InputError when there is no such job at the start.
 */
export function waitForJob<T>(d: WaitDeps, jobId: string, o: CallOptions = {}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let checking = false;
    const finish = (err: ApbError | undefined, value?: T): void => {
      if (settled) return;
      settled = true;
      clearInterval(timer);
      d.events.off("completed", onCompleted).off("failed", onFailed).off("progress", onProgress);
      o.signal?.removeEventListener("abort", onAbort);
      if (err !== undefined) reject(err);
      else resolve(value as T);
    };
    const onCompleted = (a: { jobId: string; returnvalue: unknown }): void => void (a.jobId === jobId && finish(undefined, a.returnvalue as T));
    const onFailed = (a: { jobId: string; failedReason: string }): void => void (a.jobId === jobId && finish(decodeJobError(a.failedReason)));
    const onProgress = (a: { jobId: string; data: unknown }): void => void (a.jobId === jobId && !settled && o.onProgress?.(a.data as JobProgress));
    const onAbort = (): void => {
      finish(aborted(o.signal!, jobId));
      void cancelJob(d, jobId).catch(() => undefined);
    };
    const settle = (r: Outcome): void => void (r !== undefined && (r.failed ? finish(decodeJobError(r.reason)) : finish(undefined, r.value as T)));
    /** The first check's read errors end the wait; later ones are retried at the next tick. */
    const check = (first: boolean): void => {
      if (settled || checking) return;
      checking = true;
      void checkFinished(d, jobId, first)
        .then(settle, (err: unknown) => {
          if (err instanceof ApbError) finish(err);
          else if (first) finish(new TransportError("TRANSPORT_CLOSED", `cannot read job ${jobId}: ${(err as Error).message}`, { cause: err }));
        })
        .finally(() => (checking = false));
    };
    d.events.on("completed", onCompleted).on("failed", onFailed).on("progress", onProgress);
    o.signal?.addEventListener("abort", onAbort, { once: true });
    const timer = setInterval(() => check(false), RECHECK_MS);
    if (o.signal?.aborted) return onAbort();
    check(true);
  });
}

/**
 * The job's outcome if it has already finished (events from before we listened are not replayed).
 * @throws InputError when `first` and the job does not exist; JobLostError when it no longer does.
 */
async function checkFinished(d: WaitDeps, jobId: string, first: boolean): Promise<Outcome> {
  if (first) await d.events.waitUntilReady();
  const state = await d.queue.getJobState(jobId);
  if (state === "unknown") {
    if (first) throw new InputError("INPUT_INVALID", `job ${jobId} is not in queue ${d.queue.name} (never added, or removed)`);
    throw new JobLostError(d.queue.name, jobId);
  }
  if (state !== "completed" && state !== "failed") return undefined;
  // Read the outcome after the state: the job may have finished between the two reads.
  const done = await d.queue.getJob(jobId);
  if (done === undefined) throw new JobLostError(d.queue.name, jobId);
  return state === "completed" ? { failed: false, value: done.returnvalue } : { failed: true, reason: done.failedReason };
}
