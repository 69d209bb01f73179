// A GroupPlan as JSON for the announcement stream: Int32Arrays as base64 (little-endian), every field checked on
// the way back so a member never runs a malformed plan.

import { TransportError } from "@apb/core";
import type { GroupPlan, HostPlan } from "@apb/core";
import { z } from "zod";

const ints = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/);
const count = z.number().int().min(0);
const selection = z.enum(["retaining-heads", "query", "random"]);

const hostPlanSchema = z.object({
  host: count,
  numHosts: count,
  ids: ints,
  positions: ints,
  anchorLen: count,
  localLen: count,
  numPad: count,
  localStart: count,
  probeLen: count,
  passingLen: count,
  passingMode: z.enum(["none", "all", "select"]),
  selection,
  selectMaskLen: count,
  numPassingRows: count,
});

export const encodedPlanSchema = z.object({
  strategy: z.enum(["full", "ring", "star", "apb"]),
  numHosts: count,
  numContext: count,
  blockLen: count,
  anchorLen: count,
  passingLen: count,
  numPad: count,
  queryStart: count,
  selection,
  hosts: z.array(hostPlanSchema),
  query: ints,
  queryPositions: ints,
});

export type EncodedPlan = z.output<typeof encodedPlanSchema>;

function encodeInts(a: Int32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");
}

function decodeInts(s: string): Int32Array {
  const b = Buffer.from(s, "base64");
  if (b.byteLength % 4 !== 0) throw new TransportError("FRAME_INVALID", `an announced plan holds ${b.byteLength} bytes of int32 data`);
  const out = new Int32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}

export function encodePlan(p: GroupPlan): EncodedPlan {
  return {
    ...p,
    hosts: p.hosts.map((h) => ({ ...h, ids: encodeInts(h.ids), positions: encodeInts(h.positions) })),
    query: encodeInts(p.query),
    queryPositions: encodeInts(p.queryPositions),
  };
}

export function decodePlan(e: EncodedPlan): GroupPlan {
  const hosts: HostPlan[] = e.hosts.map((h) => ({ ...h, ids: decodeInts(h.ids), positions: decodeInts(h.positions) }));
  return { ...e, hosts, query: decodeInts(e.query), queryPositions: decodeInts(e.queryPositions) };
}
