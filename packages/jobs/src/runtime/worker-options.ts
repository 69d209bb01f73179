// Every option of a worker process, its default and validation, defined once (STYLE.md G14).

import { ConfigError } from "./worker-errors.js";
import { z } from "zod";
import { ID_PATTERN, PREFIX_PATTERN } from "../keys/index.js";

export const workerOptionsSchema = z
  .object({
    /** `redis://[user:password@]host[:port][/db]` or `rediss://` for TLS. */
    redis: z.string().regex(/^rediss?:\/\//, "must start with redis:// or rediss://"),
    /** The worker group (letters, digits, `_.-`). */
    group: z.string().regex(ID_PATTERN),
    /** This process's host index; 0 leads. */
    host: z.number().int().min(0),
    /** Hosts in the group (processes started with the same group). */
    hosts: z.number().int().min(1).max(64),
    /** The checkpoint folder (config.json, safetensors, tokenizer, optional retaining heads). */
    model: z.string().min(1),
    backend: z.enum(["onnx", "reference", "cuda", "auto"]).default("onnx"),
    /** CPU threads of this host's backend. */
    threads: z.number().int().min(1).max(1024).default(1),
    /** Namespaces every key (BullMQ's, the transport's and the group's). */
    prefix: z.string().regex(PREFIX_PATTERN).default("apb"),
    heartbeatMs: z.number().int().min(50).default(500),
    /** A host silent this long counts as gone (its request fails, the leader pauses). */
    heartbeatTtlMs: z.number().int().min(200).default(2000),
    /** Longest wait for one exchange between hosts. */
    stepTimeoutMs: z.number().int().min(100).default(60_000),
    /** After a request failed, how long the other hosts get to report before they count as failed too. */
    graceMs: z.number().int().min(100).default(5000),
    /** How long a taken job waits for a missing member before it fails (and is retried). */
    groupWaitMs: z.number().int().min(0).default(30_000),
    /** On shutdown, how long the running job may finish before it is handed back (failed, to be retried). */
    drainMs: z.number().int().min(0).default(60_000),
    /** An expired session's record stays this long (SESSION_EXPIRED), then it is gone (SESSION_NOT_FOUND). */
    sessionTombstoneMs: z.number().int().min(1000).default(3600_000),
    /**
     * BullMQ lock of a running job (renewed at half of it from the free event loop). A killed leader's job is
     * retried once its lock has expired and a stalled check has run: within about lockDurationMs + stalledIntervalMs.
     */
    lockDurationMs: z.number().int().min(1000).default(30_000),
    /** How often BullMQ looks for stalled jobs (locks that expired: their leader died) and puts them back to wait. */
    stalledIntervalMs: z.number().int().min(500).default(30_000),
  })
  .refine((o) => o.host < o.hosts, { path: ["host"], message: "must be smaller than hosts" })
  .refine((o) => o.heartbeatMs * 2 <= o.heartbeatTtlMs, { path: ["heartbeatTtlMs"], message: "must be at least twice heartbeatMs" });

export type WorkerOptionsInput = z.input<typeof workerOptionsSchema>;
export type WorkerOptions = z.output<typeof workerOptionsSchema>;

/** @throws ConfigError naming the first bad option. */
export function parseWorkerOptions(input: WorkerOptionsInput): WorkerOptions {
  const r = workerOptionsSchema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issue.path.join(".");
  throw new ConfigError(`worker option ${field}: ${issue.message}`, { field });
}
