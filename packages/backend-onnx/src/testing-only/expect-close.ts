// The one comparison every numerical test here uses (STYLE.md G11): |actual − expected| ≤ atol + rtol·|expected|
// elementwise, failing with the first mismatches and their indices, the max errors, and any NaN.

import { expect } from "vitest";

/** Tolerances of one comparison. */
export interface Tolerance {
  readonly rtol: number;
  readonly atol: number;
}

/** Asserts that two arrays match elementwise; equal infinities match, NaN never does. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance, label = "values"): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  const bad: string[] = [];
  let numBad = 0;
  let maxAbs = 0;
  let maxRel = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (a === e) continue;
    const err = Math.abs(a - e);
    if (Number.isFinite(err)) {
      maxAbs = Math.max(maxAbs, err);
      maxRel = Math.max(maxRel, err / Math.max(Math.abs(e), 1e-30));
    }
    if (!(err <= tol.atol + tol.rtol * Math.abs(e))) {
      numBad += 1;
      if (bad.length < 8) bad.push(`  [${i}] got ${a}, want ${e} (|diff| ${err.toExponential(2)})`);
    }
  }
  const report = `${label}: ${numBad} of ${expected.length} outside atol ${tol.atol} + rtol ${tol.rtol}; max |diff| ${maxAbs.toExponential(2)}, max rel ${maxRel.toExponential(2)}\n${bad.join("\n")}`;
  expect(numBad, report).toBe(0);
}
