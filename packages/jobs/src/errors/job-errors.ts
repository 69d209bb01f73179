// Errors across BullMQ (STYLE.md G7): a failed job's reason is the root ApbError serialised as {code, message, data},
// rebuilt by code at the client; user errors are UnrecoverableError so BullMQ does not retry them.

import { ApbError, TransportError, deserializeError, toApbError } from "@apb/core";
import type { ApbErrorCode, SerializedApbError } from "@apb/core";
import { UnrecoverableError } from "bullmq";
import { z } from "zod";

const serializedSchema = z.object({
  code: z.string().regex(/^[A-Z_]{1,64}$/),
  message: z.string(),
  data: z.record(z.string(), z.unknown()).optional(),
});

/** A failed attempt that BullMQ may retry: its message is the serialised root error. */
export class RetryableJobError extends ApbError {
  constructor(readonly root: SerializedApbError) {
    super(root.code, encodeJobError(root));
    this.name = "RetryableJobError";
  }
}

/**
 * A job that vanished from Redis while a client waited for it: Redis restarted without persistence (or lost its
 * data), or someone removed the job. Code TRANSPORT_CLOSED (a runtime failure: submitting again may succeed);
 * data names the queue and job.
 */
export class JobLostError extends TransportError {
  constructor(queue: string, jobId: string) {
    super("TRANSPORT_CLOSED", `job ${jobId} vanished from queue ${queue} while it was waited for: Redis lost it (restarted without persistence?) or it was removed; submit it again`, {
      data: { queue, jobId, lost: true },
    });
    this.name = "JobLostError";
  }
}

/** The wire form of an error in a BullMQ failedReason. */
export function encodeJobError(e: SerializedApbError): string {
  return JSON.stringify(e.data === undefined ? { code: e.code, message: e.message } : { code: e.code, message: e.message, data: e.data });
}

/**
 * Rebuilds the typed error of a failed job from its failedReason (by code, never by message text). A reason that is
 * not ours (BullMQ's own, e.g. a stalled job) becomes HOST_FAILED with that text.
 */
export function decodeJobError(failedReason: string | undefined): ApbError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(failedReason ?? "");
  } catch {
    parsed = undefined;
  }
  const r = serializedSchema.safeParse(parsed);
  if (r.success) return deserializeError(r.data as SerializedApbError);
  return new ApbError("HOST_FAILED", `the job failed in the queue: ${failedReason ?? "no reason given"}`, { data: { failedReason } });
}

/** Codes that never get better by retrying: the user's input, and a client that gave up. */
function unrecoverable(e: ApbError): boolean {
  return e.isUserError || e.code === "ABORTED";
}

/** What a job processor throws for `err`: UnrecoverableError for user errors, a retryable error otherwise. */
export function toBullFailure(err: unknown): Error {
  const e = toApbError(err);
  const root = e instanceof RetryableJobError ? e.root : e.toJSON();
  return unrecoverable(deserializeError(root)) ? new UnrecoverableError(encodeJobError(root)) : new RetryableJobError(root);
}

/** The code of a serialised error, for tests and logs. */
export function jobErrorCode(failedReason: string | undefined): ApbErrorCode {
  return decodeJobError(failedReason).code;
}

/** Throws TransportError ABORTED (typed, unlike AbortSignal.throwIfAborted's DOMException) when `signal` fired. */
export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new TransportError("ABORTED", `${what} was aborted`, { cause: signal.reason });
}
