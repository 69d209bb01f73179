// The one place that builds the job layer's Redis key and queue names (STYLE.md G9): `<prefix>:<concept>:<id>`.
// BullMQ's keys live under `<prefix>:bull`; the transport's request keys under the same `<prefix>` (its own concepts).

import { InputError } from "@apb/core";

/** Group ids, session ids, request ids: no braces, colons, spaces or `*` (hash tags and SCAN patterns stay intact). */
export const ID_PATTERN = /^[A-Za-z0-9_.-]{1,128}$/;
/** Prefixes may contain colons (`tenant:apb`); the transport accepts the same. */
export const PREFIX_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

/** @throws InputError when `value` cannot be part of a key. */
export function checkId(what: string, value: string): string {
  if (!ID_PATTERN.test(value)) throw new InputError("INPUT_INVALID", `${what} ${JSON.stringify(value)} must match ${ID_PATTERN.source}`);
  return value;
}

/** Queue names (BullMQ adds its own `<bullPrefix>:<queue>:` keys). */
export const QUEUES = {
  /** Corpus children (one document each); every group leader consumes it. */
  corpusDocuments: "corpus-doc",
  /** Corpus parents (aggregation); every group leader consumes it. */
  corpus: "corpus",
} as const;

/** Key and queue names under one prefix. */
export class JobKeys {
  constructor(readonly prefix: string) {
    if (!PREFIX_PATTERN.test(prefix)) throw new InputError("INPUT_INVALID", `key prefix ${JSON.stringify(prefix)} must match ${PREFIX_PATTERN.source}`);
  }

  /** BullMQ's `prefix` option: its keys are `<prefix>:bull:<queue>:...`. */
  get bullPrefix(): string {
    return `${this.prefix}:bull`;
  }

  /** The queue a group's leader takes generate and session jobs from. */
  groupQueue(group: string): string {
    return `group-${checkId("group id", group)}`;
  }

  /** A host's liveness: a string value (instance) set with PX and refreshed while the process runs. */
  heartbeat(group: string, host: number): string {
    return `${this.prefix}:heartbeat:${checkId("group id", group)}:${host}`;
  }

  /** The group's announcement stream: the leader writes each request there, members read it with XREAD BLOCK. */
  announce(group: string): string {
    return `${this.prefix}:announce:${checkId("group id", group)}`;
  }

  /** Each host's done/failed report for one request (deleted by the leader when the request ends). */
  status(group: string, request: string): string {
    return `${this.prefix}:status:${checkId("group id", group)}:{${checkId("request id", request)}}`;
  }

  /** A context session's record (hash): its group, context length, expiry, state. */
  session(id: string): string {
    return `${this.prefix}:session:${checkId("session id", id)}`;
  }

  /** Set by a client that gave up on a running job; the leader fails that job's request. */
  cancel(queue: string, jobId: string): string {
    return `${this.prefix}:cancel:${queue}:${jobId}`;
  }

  /** SCAN MATCH pattern of every key under the prefix (BullMQ's and the transport's included). */
  get matchAll(): string {
    return `${this.prefix}:*`;
  }

  /** SCAN MATCH pattern of BullMQ's keys. */
  get matchBull(): string {
    return `${this.bullPrefix}:*`;
  }
}
