// Waits for one BullMQ job through QueueEvents: progress events, the finished value, or the typed error rebuilt
// from its failedReason; an aborted signal cancels the job (removed while it waits, else failed by its leader).

import { ApbError, InputError, TransportError } from "@apb/core";
import type { Queue, QueueEvents } from "bullmq";
import type { Redis } from "ioredis";
import { decodeJobError } from "../errors/index.js";
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
 * Resolves with the job's return value.
 * @throws the job's typed error (rebuilt by code); TransportError ABORTED when `signal` fires.
 */
export function waitForJob<T>(d: WaitDeps, jobId: string, o: CallOptions = {}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = (err: ApbError | undefined, value?: T): void => {
      if (settled) return;
      settled = true;
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
    d.events.on("completed", onCompleted).on("failed", onFailed).on("progress", onProgress);
    o.signal?.addEventListener("abort", onAbort, { once: true });
    if (o.signal?.aborted) return onAbort();
    void checkFinished(d, jobId).then(
      (r) => r !== undefined && (r.failed ? finish(decodeJobError(r.reason)) : finish(undefined, r.value as T)),
      (err: unknown) => finish(err instanceof ApbError ? err : new TransportError("TRANSPORT_CLOSED", `cannot read job ${jobId}: ${(err as Error).message}`, { cause: err })),
    );
  });
}

/** The job's outcome if it has already finished (events from before we listened are not replayed). */
async function checkFinished(d: WaitDeps, jobId: string): Promise<{ failed: boolean; reason?: string; value?: unknown } | undefined> {
  await d.events.waitUntilReady();
  const job = await d.queue.getJob(jobId);
  if (job === undefined) throw new InputError("INPUT_INVALID", `job ${jobId} is not in queue ${d.queue.name} (never added, or removed)`);
  const state = await job.getState();
  if (state !== "completed" && state !== "failed") return undefined;
  // Read the outcome after the state: the job may have finished between getJob and getState, and then the first
  // snapshot lacks its failedReason / returnvalue.
  const done = (await d.queue.getJob(jobId)) ?? job;
  return state === "completed" ? { failed: false, value: done.returnvalue } : { failed: true, reason: done.failedReason };
}
