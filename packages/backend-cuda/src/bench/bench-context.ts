// What every phase of the GPU prefill bench shares: options, the virtual hosts on one backend, the result being filled
// in (saved after every row), the log, clocks, the device-memory probe and the deadline check.

import { Prng, buildTokens, planRequest } from "@apb/core";
import type { GroupPlan, RequestStrategy } from "@apb/core";
import { planReps, secondsLeft } from "./deadline.js";
import type { PrefillBenchOptions } from "./prefill-options.js";
import type { MemoryPeak, PrefillBenchResult } from "./prefill-result.js";
import type { TorchPrompt } from "./torch-results.js";
import type { VirtualHosts } from "./virtual-hosts.js";

export interface BenchClock {
  /** Monotonic milliseconds (intervals). */
  ms(): number;
  /** Wall-clock unix milliseconds (the deadline). */
  unixMs(): number;
}

export interface BenchContext {
  readonly o: PrefillBenchOptions;
  readonly vh: VirtualHosts;
  readonly result: PrefillBenchResult;
  readonly clock: BenchClock;
  /** PyTorch's bench prompt and logits: full-prefill runs use its ids and compare their logits. */
  readonly torch?: TorchPrompt;
  log(line: string): void;
  /** Device memory peaks since the last reset (then resets them when asked); undefined without a device. */
  memory(resetPeaks: boolean): MemoryPeak | undefined;
  /** Writes the result JSON (when --json was given). */
  save(): void;
}

/** Token ids for timing runs: uniform over the vocabulary, seeded (the values do not change the work). */
export function seededIds(length: number, vocab: number, seed: number): Int32Array {
  const rng = new Prng(seed);
  return Int32Array.from({ length }, () => rng.int(vocab));
}

/** The engine's plan for `ids` as a prompt (context = all but the last token, query = the last) under `strategy`. */
export function planPrompt(ctx: BenchContext, ids: Int32Array, strategy: RequestStrategy, numHosts: number): GroupPlan {
  const t = buildTokens({ ids }, undefined);
  return planRequest(t, strategy, { numHosts, hasRetainingHeads: false, maxPositions: ctx.vh.config.maxPositions });
}

/**
 * Timed runs that fit before the deadline for runs predicted at `predictedMs` (after one warm-up), at most `reps`;
 * logs and records a skip when none fits.
 */
export function repsThatFit(ctx: BenchContext, what: string, a: { predictedMs: number; reps: number }): number {
  const leftS = secondsLeft(ctx.o.deadline, ctx.o.reserve, ctx.clock.unixMs());
  const reps = planReps({ ...a, leftS });
  if (reps === 0) {
    const why = `${what}: predicted ${(a.predictedMs / 1000).toFixed(1)} s per run, ${leftS.toFixed(0)} s left before the deadline`;
    ctx.result.skipped.push(why);
    ctx.log(`skip ${why}`);
  } else if (reps < a.reps) {
    ctx.log(`${what}: ${reps} of ${a.reps} repetitions fit before the deadline`);
  }
  return reps;
}
