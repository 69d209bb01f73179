// Selection invariants (APB.md 9.5): max-pool shape, anchor masking on every host, exactly l_p rows per head.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Prng } from "../util/prng.js";
import { allRows, expandScores, maxPoolRows, randomScores, topKPerChannel } from "./select.js";

describe("maxPoolRows", () => {
  it("is a kernel-5 stride-1 same-length max-pool per channel", () => {
    const s = Float32Array.from([1, 9, 2, 3, 4, 5, 0, 0, 0, 7]);
    expect(Array.from(maxPoolRows(s, 10, 1))).toEqual([9, 9, 9, 9, 5, 5, 5, 7, 7, 7]);
    const two = Float32Array.from([1, 0, 0, 5, 3, 0]); // rows x 2 channels
    expect(Array.from(maxPoolRows(two, 3, 2))).toEqual([3, 5, 3, 5, 3, 5]);
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
