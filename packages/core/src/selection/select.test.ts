// Selection invariants (APB.md 9.5): max-pool shape, anchor masking on every host, exactly l_p rows per head.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ApbError } from "../errors/index.js";
import { Prng } from "../util/prng.js";
import { allRows, expandScores, maxPoolRows, randomScores, topKPerChannel } from "./select.js";
import type { TopKSpec } from "./select.js";

/** The original max-pool loop: the reference maxPoolRows must match bit for bit. */
function maxPoolReference(scores: Float32Array, numRows: number, numChannels: number, kernel = 5): Float32Array {
  const r = (kernel - 1) / 2;
  const out = new Float32Array(scores.length);
  for (let t = 0; t < numRows; t++) {
    const lo = Math.max(0, t - r);
    const hi = Math.min(numRows - 1, t + r);
    for (let c = 0; c < numChannels; c++) {
      let m = -Infinity;
      for (let u = lo; u <= hi; u++) {
        const s = scores[u * numChannels + c]!;
        if (s > m) m = s;
      }
      out[t * numChannels + c] = m;
    }
  }
  return out;
}

/** The original full-sort top-k: the reference topKPerChannel must match exactly. */
function topKReference(scores: Float32Array, spec: TopKSpec): Int32Array {
  const { numCandidates: T, numChannels: C, maskLen, k } = spec;
  const idx = new Int32Array(k * C);
  const order = new Int32Array(T);
  const key = new Float64Array(T);
  for (let c = 0; c < C; c++) {
    for (let t = 0; t < T; t++) {
      const s = scores[t * C + c]!;
      key[t] = t < maskLen || Number.isNaN(s) ? -Infinity : s;
      order[t] = t;
    }
    order.sort((a, b) => (key[b]! - key[a]! || a - b) || 0);
    const chosen = order.subarray(0, k).slice().sort();
    for (let r = 0; r < k; r++) idx[r * C + c] = chosen[r]!;
  }
  return idx;
}

const SPECIALS = [NaN, Infinity, -Infinity, -0, 0];

/** Scores from a few small integers (many ties) with NaN, ±∞ and ±0 mixed in at rate `special`. */
function tiedScores(rng: Prng, n: number, levels: number, special: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.next() < special ? SPECIALS[rng.int(SPECIALS.length)]! : rng.int(levels) - (levels >> 1);
  return out;
}

/** Float bits, so that −0 differs from +0 and NaN equals NaN. */
const bitsOf = (a: Float32Array): number[] => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/** A fresh seed per run, printed in failure messages. */
const runSeed = (salt: number): number => (Date.now() + salt) >>> 0;

describe("maxPoolRows", () => {
  it("is a kernel-5 stride-1 same-length max-pool per channel", () => {
    const s = Float32Array.from([1, 9, 2, 3, 4, 5, 0, 0, 0, 7]);
    expect(Array.from(maxPoolRows(s, 10, 1))).toEqual([9, 9, 9, 9, 5, 5, 5, 7, 7, 7]);
    const two = Float32Array.from([1, 0, 0, 5, 3, 0]); // rows x 2 channels
    expect(Array.from(maxPoolRows(two, 3, 2))).toEqual([3, 5, 3, 5, 3, 5]);
  });

  it("skips NaN and keeps the sign of the lowest zero among equal maxima", () => {
    const s = Float32Array.from([NaN, NaN, NaN, -0, 0, -1, 0, -0]);
    expect(bitsOf(maxPoolRows(s, 8, 1, 1))).toEqual(bitsOf(Float32Array.from([-Infinity, -Infinity, -Infinity, -0, 0, -1, 0, -0])));
    expect(bitsOf(maxPoolRows(s, 8, 1))).toEqual(bitsOf(Float32Array.from([-Infinity, -0, -0, -0, -0, -0, 0, 0])));
  });

  it("matches the reference loop bit for bit on random shapes, kernels and ties", () => {
    const seed = runSeed(1);
    const rng = new Prng(seed);
    for (let it = 0; it < 400; it++) {
      const T = rng.int(301);
      const C = 1 + rng.int(9);
      const kernel = it % 2 === 0 ? 5 : 1 + 2 * rng.int(8);
      const scores = tiedScores(rng, T * C + rng.int(3), 1 + rng.int(6), rng.next() * 0.5);
      const msg = `seed ${seed} case ${it}: T=${T} C=${C} kernel=${kernel}`;
      expect(bitsOf(maxPoolRows(scores, T, C, kernel)), msg).toEqual(bitsOf(maxPoolReference(scores, T, C, kernel)));
    }
  });

  it("matches the reference loop at prefill size (T=10240, C=8)", () => {
    const seed = runSeed(2);
    const rng = new Prng(seed);
    for (const scores of [randomScores(10240, 8, seed), rng.normals(10240 * 8, 1), tiedScores(rng, 10240 * 8, 3, 0.2)]) {
      expect(bitsOf(maxPoolRows(scores, 10240, 8)), `seed ${seed}`).toEqual(bitsOf(maxPoolReference(scores, 10240, 8)));
    }
  });
});

describe("topKPerChannel", () => {
  it("never picks masked rows while enough unmasked rows exist, and returns exactly k per channel", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 1000 }), (T, C, seed) => {
        const rng = new Prng(seed);
        const mask = rng.int(T);
        const k = 1 + rng.int(T);
        const scores = rng.normals(T * C, 1);
        const idx = topKPerChannel(scores, { numCandidates: T, numChannels: C, maskLen: mask, k });
        expect(idx.length).toBe(k * C);
        for (let c = 0; c < C; c++) {
          const rows = Array.from({ length: k }, (_, r) => idx[r * C + c]!);
          expect(new Set(rows).size).toBe(k);
          expect(rows).toEqual([...rows].sort((a, b) => a - b));
          const maskedPicked = rows.filter((r) => r < mask).length;
          expect(maskedPicked).toBe(Math.max(0, k - (T - mask))); // masked rows only when k exceeds the rest
          // every unpicked unmasked row scores no higher than every picked unmasked row
          const picked = new Set(rows);
          const minPicked = Math.min(...rows.filter((r) => r >= mask).map((r) => scores[r * C + c]!));
          for (let t = mask; t < T; t++) if (!picked.has(t)) expect(scores[t * C + c]!).toBeLessThanOrEqual(minPicked);
        }
      }),
    );
  });

  it("treats NaN as the lowest score", () => {
    const idx = topKPerChannel(Float32Array.from([NaN, 1, 0.5]), { numCandidates: 3, numChannels: 1, maskLen: 0, k: 2 });
    expect(Array.from(idx)).toEqual([1, 2]);
  });

  it("handles k = 0, k = T and rejects k > T", () => {
    const s = Float32Array.from([3, 1, 2, 0]);
    expect(topKPerChannel(s, { numCandidates: 2, numChannels: 2, maskLen: 0, k: 0 }).length).toBe(0);
    expect(Array.from(topKPerChannel(s, { numCandidates: 2, numChannels: 2, maskLen: 1, k: 2 }))).toEqual([0, 0, 1, 1]);
    expect(() => topKPerChannel(s, { numCandidates: 2, numChannels: 2, maskLen: 0, k: 3 })).toThrow(ApbError);
  });

  it("breaks ties, −∞, NaN, ±0 and masked rows towards the lower row", () => {
    const s = Float32Array.from([5, NaN, -Infinity, -0, 0, 5, NaN, -0]);
    const top = (maskLen: number, k: number): number[] => Array.from(topKPerChannel(s, { numCandidates: 8, numChannels: 1, maskLen, k }));
    expect(top(0, 3)).toEqual([0, 3, 5]);
    expect(top(0, 5)).toEqual([0, 3, 4, 5, 7]);
    expect(top(0, 6)).toEqual([0, 1, 3, 4, 5, 7]);
    expect(top(1, 2)).toEqual([3, 5]);
    expect(top(6, 2)).toEqual([0, 7]);
  });

  it("matches the reference sort exactly on random shapes with many ties", () => {
    const seed = runSeed(3);
    const rng = new Prng(seed);
    for (let it = 0; it < 400; it++) {
      const T = rng.int(301);
      const C = 1 + rng.int(9);
      const spec = { numCandidates: T, numChannels: C, maskLen: rng.int(T + 4), k: rng.int(T + 1) };
      const scores = it % 4 === 0 ? rng.normals(T * C, 1) : tiedScores(rng, T * C, 1 + rng.int(6), rng.next() * 0.5);
      const msg = `seed ${seed} case ${it}: T=${T} C=${C} maskLen=${spec.maskLen} k=${spec.k}`;
      expect(Array.from(topKPerChannel(scores, spec)), msg).toEqual(Array.from(topKReference(scores, spec)));
    }
  });

  it("matches the reference sort at prefill size (T=10240, C=8, k=1024, maskLen=2048)", () => {
    const seed = runSeed(4);
    const rng = new Prng(seed);
    const spec = { numCandidates: 10240, numChannels: 8, maskLen: 2048, k: 1024 };
    const n = 10240 * 8;
    for (const scores of [randomScores(10240, 8, seed), rng.normals(n, 1), tiedScores(rng, n, 5, 0.3), new Float32Array(n).fill(NaN)]) {
      expect(Array.from(topKPerChannel(scores, spec)), `seed ${seed}`).toEqual(Array.from(topKReference(scores, spec)));
    }
  });
});

describe("helpers", () => {
  it("expands fewer scores to KV heads by repeat-interleave", () => {
    expect(Array.from(expandScores(Float32Array.from([1, 2, 3, 4]), 2, 2, 4))).toEqual([1, 1, 2, 2, 3, 3, 4, 4]);
  });
  it("seeds random scores reproducibly and differently per seed", () => {
    expect(randomScores(5, 2, 3)).toEqual(randomScores(5, 2, 3));
    expect(randomScores(5, 2, 3)).not.toEqual(randomScores(5, 2, 4));
  });
  it("lists all rows for ring passing", () => {
    expect(Array.from(allRows(2, 2, 2))).toEqual([2, 2, 3, 3]);
  });
});
