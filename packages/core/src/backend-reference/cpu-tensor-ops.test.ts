// appendRowsCpu: the KV-cache growth the engine's decode steps use, against plain concatenation on fresh random rows.
import { describe, expect, it } from "vitest";
import { CpuTensor } from "../tensor/tensor.js";
import { Prng } from "../util/prng.js";
import { appendCapacityRows, appendRowsCpu, concatRowsCpu } from "./cpu-tensor-ops.js";

const rand = (rng: Prng, rows: number, width: number): CpuTensor => new CpuTensor(Float32Array.from({ length: rows * width }, () => rng.normal()), [rows, width]);

describe("appendRowsCpu", () => {
  it("equals concatenation step after step, reusing spare rows and growing past them", () => {
    const seed = Date.now() % 1_000_000;
    const rng = new Prng(seed);
    const storage = new WeakMap<CpuTensor, Float32Array>();
    const width = 1 + rng.int(9);
    let grown = rand(rng, rng.int(40), width);
    let want = grown;
    let regrown = 0;
    for (let step = 0; step < 2500; step++) {
      const extra = rand(rng, step % 97 === 0 ? 1 + rng.int(30) : 1, width);
      const before = grown.data.buffer;
      grown = appendRowsCpu(grown, extra, storage);
      want = concatRowsCpu([want, extra]);
      if (grown.data.buffer !== before) regrown += 1;
      expect(grown.shape, `seed ${seed}, step ${step}`).toEqual(want.shape);
    }
    expect(Array.from(grown.data)).toEqual(Array.from(want.data));
    // 1024 spare rows at first, then a sixteenth: a few reallocations for ~2600 rows, not one per step.
    expect(regrown).toBeGreaterThanOrEqual(2);
    expect(regrown).toBeLessThanOrEqual(4);
  });

  it("never writes into a base it did not grow (a sliced or uploaded tensor is copied first), and checks shapes", () => {
    const storage = new WeakMap<CpuTensor, Float32Array>();
    const base = new CpuTensor(Float32Array.from([1, 2, 3, 4]), [2, 2]);
    const out = appendRowsCpu(base, new CpuTensor(Float32Array.from([5, 6]), [1, 2]), storage);
    expect(Array.from(base.data)).toEqual([1, 2, 3, 4]);
    expect(Array.from(out.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(out.data.buffer.byteLength / 4).toBe(appendCapacityRows(3, 1) * 2);
    expect(() => appendRowsCpu(out, new CpuTensor(new Float32Array(3), [1, 3]), storage)).toThrow(expect.objectContaining({ code: "BACKEND_FAILED" }));
    expect(appendRowsCpu(new CpuTensor(new Float32Array(0), [0, 2]), new CpuTensor(new Float32Array(0), [0, 2]), storage).shape).toEqual([0, 2]);
  });
});
