// Sampler: greedy ties, seeded reproducibility, top-k/top-p support, option validation.
import { describe, expect, it } from "vitest";
import { InputError } from "../errors/index.js";
import { Sampler, argmax, parseSampling } from "./sampling.js";

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

  it("rejects bad options with InputError naming the field", () => {
    expect(() => parseSampling({ topP: 0 })).toThrow(InputError);
    expect(() => parseSampling({ maxTokens: -1 })).toThrow(/maxTokens/);
  });
});
