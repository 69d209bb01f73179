// The engine's op profile (GenerateRequest.profile → GenerateResult.profile, summed over hosts) as the bench
// reports it: attention's share of all backend-op time.

import type { GenerateResult, RequestProfile } from "@apb/core";

/** Milliseconds spent in backend ops, summed over hosts. */
export type OpProfile = Pick<RequestProfile, "attentionMs" | "totalOpMs">;

/** The result's profile when the engine reported a usable one (asked for, and some op time measured). */
export function profileOf(result: GenerateResult): OpProfile | undefined {
  const p = result.profile;
  if (p === undefined || !(p.totalOpMs > 0)) return undefined;
  return { attentionMs: p.attentionMs, totalOpMs: p.totalOpMs };
}

/** Attention's share of op time in percent. */
export function attentionPercent(p: OpProfile | undefined): number | undefined {
  return p === undefined ? undefined : (100 * p.attentionMs) / p.totalOpMs;
}
