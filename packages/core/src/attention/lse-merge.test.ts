// LSE merge (APB.md 9.4): splitting keys into parts and merging equals attention over the union, without NaN.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Prng } from "../util/prng.js";
import { mergePartials, mergePartialsNaive } from "./lse-merge.js";
import type { Partial } from "./lse-merge.js";

/** Attention of `rows` queries over keys [lo, hi) in float64 (one head). */
function attend(q: Float64Array[], k: Float64Array[], v: Float64Array[], lo: number, hi: number): Partial {
  const d = v[0]!.length;
  const out = new Float32Array(q.length * d);
  const lse = new Float32Array(q.length);
  q.forEach((qi, r) => {
    if (hi <= lo) {
      lse[r] = -Infinity;
      return;
    }
    const s: number[] = [];
    for (let j = lo; j < hi; j++) s.push(qi.reduce((a, x, t) => a + x * k[j]![t]!, 0));
    const m = Math.max(...s);
    const z = s.reduce((a, x) => a + Math.exp(x - m), 0);
    lse[r] = m + Math.log(z);
    for (let t = 0; t < d; t++) out[r * d + t] = s.reduce((a, x, jj) => a + (Math.exp(x - m) / z) * v[lo + jj]![t]!, 0);
  });
  return { out, lse };
}

describe("mergePartials", () => {
  it("equals attention over the union for any split, uneven and size-1 parts and empty parts included", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 10_000 }), (T, numParts, seed) => {
        const rng = new Prng(seed);
        const d = 4;
        const vec = (): Float64Array => Float64Array.from({ length: d }, () => rng.normal() * 2);
        const q = [vec(), vec()];
        const k = Array.from({ length: T }, vec);
        const v = Array.from({ length: T }, vec);
        const cuts = [0, ...Array.from({ length: numParts - 1 }, () => rng.int(T + 1)).sort((a, b) => a - b), T];
        const parts = cuts.slice(1).map((hi, i) => attend(q, k, v, cuts[i]!, hi));
        const whole = attend(q, k, v, 0, T);
        for (const merged of [mergePartials(parts, d), mergePartialsNaive(parts, d)]) {
          merged.out.forEach((x, i) => expect(x).toBeCloseTo(whole.out[i]!, 4));
          merged.lse.forEach((x, i) => expect(x).toBeCloseTo(whole.lse[i]!, 4));
        }
      }),
    );
  });

  it("stays finite with extreme log-sum-exps", () => {
    const a: Partial = { out: Float32Array.from([1, 2]), lse: Float32Array.from([1e30]) };
    const b: Partial = { out: Float32Array.from([3, 4]), lse: Float32Array.from([-1e30]) };
    const c: Partial = { out: Float32Array.from([5, 6]), lse: Float32Array.from([-Infinity]) };
    for (const parts of [[a, b, c], [c, b, a], [b, c]]) {
      const m = mergePartials(parts, 2);
      expect(m.out.every(Number.isFinite)).toBe(true);
      expect(Number.isNaN(m.lse[0])).toBe(false);
    }
    expect(Array.from(mergePartials([a, b], 2).out)).toEqual([1, 2]);
    expect(Array.from(mergePartials([c, c], 2).lse)).toEqual([-Infinity]);
    const half = mergePartials([{ out: Float32Array.from([0, 0]), lse: Float32Array.from([700]) }, { out: Float32Array.from([2, 2]), lse: Float32Array.from([700]) }], 2);
    expect(Array.from(half.out)).toEqual([1, 1]);
    expect(half.lse[0]).toBeCloseTo(700 + Math.log(2), 3);
  });
});
