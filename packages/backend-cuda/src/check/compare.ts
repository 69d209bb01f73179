// The one numerical comparison of this package (STYLE.md G11, METHOD.md): relative L2 error ‖a − e‖ / ‖e‖ plus the
// largest absolute difference; NaN never passes, equal infinities match (an LSE of −∞ for a row without keys).

/** Named thresholds; each value is justified where it is defined. */
export interface Tolerance {
  /** Largest allowed ‖actual − expected‖₂ / ‖expected‖₂. */
  readonly relL2: number;
}

export interface Comparison {
  readonly ok: boolean;
  readonly relL2: number;
  readonly maxAbs: number;
  readonly numNaN: number;
  /** Elements where one side is infinite and the other is not (or of the other sign). */
  readonly numInfMismatch: number;
  /** The first few differing elements, for the report. */
  readonly first: readonly string[];
}

/** Compares two arrays of the same length by relative L2 error. */
export function compareArrays(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance): Comparison {
  if (actual.length !== expected.length) {
    return { ok: false, relL2: Infinity, maxAbs: Infinity, numNaN: 0, numInfMismatch: 0, first: [`length ${actual.length}, expected ${expected.length}`] };
  }
  let diff2 = 0;
  let ref2 = 0;
  let maxAbs = 0;
  let numNaN = 0;
  let numInfMismatch = 0;
  const first: string[] = [];
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(a) || Number.isNaN(e)) {
      numNaN += 1;
      if (first.length < 5) first.push(`[${i}] got ${a}, want ${e}`);
      continue;
    }
    if (!Number.isFinite(e) || !Number.isFinite(a)) {
      if (a !== e) {
        numInfMismatch += 1;
        if (first.length < 5) first.push(`[${i}] got ${a}, want ${e}`);
      }
      continue;
    }
    const d = Math.abs(a - e);
    diff2 += d * d;
    ref2 += e * e;
    if (d > maxAbs) maxAbs = d;
    if (d > 0 && first.length < 5 && d > 10 * tol.relL2 * Math.max(Math.abs(e), 1e-3)) first.push(`[${i}] got ${a}, want ${e}`);
  }
  const relL2 = ref2 > 0 ? Math.sqrt(diff2 / ref2) : Math.sqrt(diff2);
  return { ok: numNaN === 0 && numInfMismatch === 0 && relL2 <= tol.relL2, relL2, maxAbs, numNaN, numInfMismatch, first };
}

/** Exact comparison (indices, token ids). */
export function compareExact(actual: ArrayLike<number>, expected: ArrayLike<number>): Comparison {
  let bad = 0;
  const first: string[] = [];
  const n = Math.max(actual.length, expected.length);
  for (let i = 0; i < n; i++) {
    if (actual[i] !== expected[i]) {
      bad += 1;
      if (first.length < 5) first.push(`[${i}] got ${actual[i]}, want ${expected[i]}`);
    }
  }
  return { ok: bad === 0 && actual.length === expected.length, relL2: bad === 0 ? 0 : bad / Math.max(1, n), maxAbs: 0, numNaN: 0, numInfMismatch: 0, first };
}
