// Messages of a group's Redis streams (STYLE.md G8: a discriminated union with a version field): announcements
// from the leader to its members, and each host's done/failed report for a request.

import { TransportError, samplingSchema } from "@apb/core";
import type { HostRequestResult, SerializedApbError } from "@apb/core";
import { z } from "zod";
import { ID_PATTERN } from "../keys/index.js";
import { encodedPlanSchema } from "./plan-codec.js";

export const GROUP_MESSAGE_VERSION = 1;

const requestKey = z.string().regex(ID_PATTERN);
const errorSchema = z.object({ code: z.string(), message: z.string(), data: z.record(z.string(), z.unknown()).optional() });
const modeSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("generate") }),
  z.object({ kind: z.literal("prefill"), session: z.string().regex(ID_PATTERN) }),
  z.object({ kind: z.literal("ask"), session: z.string().regex(ID_PATTERN) }),
]);

/** Leader → members, on the group's announcement stream. */
export const announcementSchema = z.discriminatedUnion("kind", [
  /** Start a request on every host, in lock-step through the Redis transport. */
  z.object({ v: z.literal(1), kind: z.literal("run"), requestKey, plan: encodedPlanSchema, sampling: samplingSchema, mode: modeSchema, stepTimeoutMs: z.number().int().min(1) }),
  /** Stop a request now (a member vanished, the client gave up). */
  z.object({ v: z.literal(1), kind: z.literal("abort"), requestKey }),
  /** Drop one session's cache. */
  z.object({ v: z.literal(1), kind: z.literal("closeSession"), session: z.string().regex(ID_PATTERN) }),
  /** Drop every session's cache (the group lost a host, or the leader restarted). */
  z.object({ v: z.literal(1), kind: z.literal("resetSessions") }),
]);

export type Announcement = z.output<typeof announcementSchema>;

const resultSchema = z.object({
  tokens: z.array(z.number().int()),
  finishReason: z.enum(["stop", "length"]),
  timings: z.object({ prefillMs: z.number(), queryMs: z.number(), decodeMs: z.number() }),
  cacheRows: z.object({ prefill: z.number(), query: z.number(), end: z.number() }),
});

/** Host → leader, on the request's status stream. */
export const hostReportSchema = z.discriminatedUnion("kind", [
  z.object({ v: z.literal(1), kind: z.literal("done"), host: z.number().int().min(0), instance: z.string(), result: resultSchema }),
  z.object({ v: z.literal(1), kind: z.literal("failed"), host: z.number().int().min(0), instance: z.string(), error: errorSchema }),
]);

export type HostReport = z.output<typeof hostReportSchema>;
/** A host's result as reported (no logits or caches cross Redis). */
export type ReportedResult = z.output<typeof resultSchema>;

/** What a host's request ended with. */
export type HostOutcome = { readonly kind: "done"; readonly result: ReportedResult } | { readonly kind: "failed"; readonly error: SerializedApbError };

export function outcomeOf(r: HostRequestResult): HostOutcome {
  return { kind: "done", result: { tokens: r.tokens, finishReason: r.finishReason, timings: r.timings, cacheRows: r.cacheRows } };
}

/** The single field of a stream entry that carries a message. */
export const MESSAGE_FIELD = "m";

/** Parses a stream entry's fields. @throws TransportError FRAME_INVALID naming the stream. */
export function decodeMessage<S extends z.ZodType>(schema: S, fields: readonly string[], what: string): z.output<S> {
  const at = fields.indexOf(MESSAGE_FIELD);
  let json: unknown;
  try {
    json = JSON.parse(at >= 0 && at % 2 === 0 ? (fields[at + 1] ?? "") : "");
  } catch {
    throw new TransportError("FRAME_INVALID", `a ${what} entry is not JSON`);
  }
  const r = schema.safeParse(json);
  if (!r.success) throw new TransportError("FRAME_INVALID", `a ${what} entry is malformed: ${r.error.issues[0]!.path.join(".")}: ${r.error.issues[0]!.message}`);
  return r.data;
}
