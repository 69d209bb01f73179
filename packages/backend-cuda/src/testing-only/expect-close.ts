// Test assertion over the package's one comparison (check/compare.ts): fails with the first differing elements.
import { expect } from "vitest";
import { compareArrays } from "../check/compare.js";

export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, relL2: number, label = "values"): void {
  const c = compareArrays(actual, expected, { relL2 });
  expect(c.ok, `${label}: relL2 ${c.relL2} (max |diff| ${c.maxAbs}), NaN ${c.numNaN}, inf mismatches ${c.numInfMismatch}\n${c.first.join("\n")}`).toBe(true);
}
