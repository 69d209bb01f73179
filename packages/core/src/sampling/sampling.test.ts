// Sampler: greedy ties, seeded reproducibility, top-k/top-p support, option validation.
import { describe, expect, it } from "vitest";
import { InputError } from "../errors/index.js";
import { Prng } from "../util/prng.js";
import { Sampler, argmax, descendingOrder, parseSampling } from "./sampling.js";
import type { SamplingInput } from "./sampling.js";

/** The sampler as first written (a comparator sort of every id): the reference the fast one must equal draw for draw. */
class ReferenceSampler {
  private readonly rng: Prng;
  private readonly p: ReturnType<typeof parseSampling>;

  constructor(input: SamplingInput) {
    this.p = parseSampling(input);
    this.rng = new Prng(this.p.seed);
  }

  sample(logits: Float32Array): number {
    const p = this.p;
    if (p.temperature === 0) return argmax(logits);
    const order = Array.from(logits.keys()).filter((i) => !Number.isNaN(logits[i]!));
    order.sort((a, b) => logits[b]! - logits[a]! || a - b);
    const kept = p.topK > 0 ? order.slice(0, p.topK) : order;
    const maxL = logits[kept[0]!]!;
    const probs = kept.map((i) => Math.exp((logits[i]! - maxL) / p.temperature));
    const total = probs.reduce((a, b) => a + b, 0);
    let cut = kept.length;
    let acc = 0;
    for (let r = 0; r < kept.length; r++) {
      acc += probs[r]! / total;
      if (acc >= p.topP) {
        cut = r + 1;
        break;
      }
    }
    const mass = probs.slice(0, cut).reduce((a, b) => a + b, 0);
    let u = this.rng.next() * mass;
    for (let r = 0; r < cut; r++) {
      u -= probs[r]!;
      if (u < 0) return kept[r]!;
    }
    return kept[cut - 1]!;
  }
}

describe("sampling", () => {
  it("greedy picks the first maximum and ignores NaN", () => {
    expect(argmax(Float32Array.from([1, 3, 3, NaN]))).toBe(1);
    expect(new Sampler(parseSampling({})).sample(Float32Array.from([0, 2, 1]))).toBe(1);
  });

  it("is reproducible for a seed and follows the distribution", () => {
    const logits = Float32Array.from([0, Math.log(3), -100]);
    const draw = (seed: number): number[] => {
      const s = new Sampler(parseSampling({ temperature: 1, seed }));
      return Array.from({ length: 4000 }, () => s.sample(logits));
    };
    expect(draw(5)).toEqual(draw(5));
    const xs = draw(6);
    const p1 = xs.filter((x) => x === 1).length / xs.length;
    expect(p1).toBeGreaterThan(0.72);
    expect(p1).toBeLessThan(0.78);
    expect(xs.includes(2)).toBe(false);
  });

  it("top-p and top-k restrict the support", () => {
    const logits = Float32Array.from([3, 2, 1, 0]);
    const p = new Sampler(parseSampling({ temperature: 1, topP: 0.5, seed: 1 }));
    expect(new Set(Array.from({ length: 500 }, () => p.sample(logits)))).toEqual(new Set([0]));
    const k = new Sampler(parseSampling({ temperature: 5, topK: 2, seed: 1 }));
    expect(new Set(Array.from({ length: 500 }, () => k.sample(logits)))).toEqual(new Set([0, 1]));
  });

  it("orders ids by descending logit, ties (±0, equal infinities) to the lower id, NaN dropped", () => {
    const l = Float32Array.from([0, -0, NaN, Infinity, -Infinity, 2, Infinity, -1, 2, -Infinity, 1e-45, -1e-45]);
    expect(Array.from(descendingOrder(l))).toEqual([3, 6, 5, 8, 10, 0, 1, 11, 7, 4, 9]);
    expect(Array.from(descendingOrder(new Float32Array(0)))).toEqual([]);
    expect(Array.from(descendingOrder(Float32Array.from([NaN, NaN])))).toEqual([]);
  });

  it("draws exactly what the comparator-sort sampler draws, on fresh random logits with ties, NaN and infinities", () => {
    const seed = Date.now() % 1_000_000;
    const rng = new Prng(seed);
    for (let trial = 0; trial < 300; trial++) {
      const vocab = 1 + rng.int(trial < 20 ? 5000 : 300);
      const levels = 1 + rng.int(12); // few distinct values: many ties
      const logits = Float32Array.from({ length: vocab }, () => {
        const r = rng.next();
        if (r < 0.03) return NaN;
        if (r < 0.05) return r < 0.04 ? Infinity : -Infinity;
        if (r < 0.08) return -0;
        return rng.next() < 0.5 ? rng.int(levels) - levels / 2 : (rng.next() - 0.5) * 20;
      });
      const opts: SamplingInput = { temperature: [0.1, 0.7, 1, 3][rng.int(4)]!, topK: rng.next() < 0.5 ? 0 : 1 + rng.int(vocab + 3), topP: rng.next() < 0.4 ? 1 : 0.05 + rng.next() * 0.95, seed: rng.int(1000) };
      const fast = new Sampler(parseSampling(opts));
      const ref = new ReferenceSampler(opts);
      const finite = logits.some((x) => !Number.isNaN(x));
      for (let draw = 0; draw < 5; draw++) {
        const want = finite ? ref.sample(logits) : 0; // the reference returns undefined for all-NaN logits
        expect(fast.sample(logits), `seed ${seed}, trial ${trial}, draw ${draw}, ${JSON.stringify(opts)}`).toBe(want);
      }
    }
  });

  it("rejects bad options with InputError naming the field", () => {
    expect(() => parseSampling({ topP: 0 })).toThrow(InputError);
    expect(() => parseSampling({ maxTokens: -1 })).toThrow(/maxTokens/);
  });
});
