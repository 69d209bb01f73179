// Fitting timed runs into a GPU session's deadline: predict a run from the last measured length, then keep only the
// repetitions (after one warm-up) that still fit, so a cut session leaves whole rows instead of a killed one.

/** Prefill time grows a little faster than linearly over 8K-128K (attention's quadratic share rises): ~L^1.7. */
export const GROWTH_EXPONENT = 1.7;

/** Predicted ms of one run at `length`, from the previous measured length (or a first guess scaled from 8K). */
export function predictMs(length: number, prev: { length: number; ms: number } | undefined, firstGuessMsAt8k: number): number {
  const base = prev ?? { length: 8192, ms: firstGuessMsAt8k };
  return base.ms * (length / base.length) ** GROWTH_EXPONENT;
}

/** Seconds left before the deadline minus a reserve (Infinity without a deadline). */
export function secondsLeft(deadlineS: number, reserveS: number, nowMs: number): number {
  return deadlineS > 0 ? deadlineS - reserveS - nowMs / 1000 : Infinity;
}

/** Timed runs (after one warm-up) that fit in `leftS`, at most `reps`; 0 when not even warm-up + 1 run fits. */
export function planReps(a: { predictedMs: number; reps: number; leftS: number }): number {
  let reps = a.reps;
  while (reps > 0 && ((1 + reps) * a.predictedMs) / 1000 > a.leftS) reps -= 1;
  return reps;
}

/** Median of a non-empty list (mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
