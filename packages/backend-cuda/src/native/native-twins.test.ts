// The C++ twins (<op>.ref.cpp, exposed on the addon's `ref`) against core's TypeScript reference code or brute force
// written here, on fresh random inputs: the twins are what the GPU check trusts, so they are checked on CI.
import { CpuTensor, Prng, argmax, bf16ToF32Into, f32ToBf16Bits, gatherHeadsCpu, maxPoolRows, mergePartials, queryScoresCpu, referenceAttention, ropeInvFreq, ropeTables, topKPerChannel } from "@apb/core";
import { describe, expect, it } from "vitest";
import { expectClose } from "../testing-only/index.js";
import { loadAddon } from "./load-addon.js";

const load = loadAddon();
// float32 twins with float64 sums vs float64 references: a few float32 roundings (≈6e-8 each) apart.
const TWIN_TOL = 1e-6;

describe.skipIf(!load.ok)("C++ twins vs TypeScript references", () => {
  const ref = load.ok ? load.addon.ref : (undefined as never);
  const rng = new Prng(Date.now() % 100_000);

  it("cast rounds through bfloat16 exactly like core's converter", () => {
    const x = Float32Array.from([...rng.normals(500, 10), 0, -0, Infinity, -Infinity, 1e-40, 3.4e38]);
    const out = new Float32Array(x.length);
    ref.cast({ out, in: x, count: x.length, through: 1 });
    const bits = Uint16Array.from(x, (v) => f32ToBf16Bits(v));
    const want = new Float32Array(x.length);
    bf16ToF32Into(bits, x.length, want, 0);
    expect(Array.from(out)).toEqual(Array.from(want));
  });

  it("rmsnorm, gemm, swiglu, silu, add, biasAdd match brute force", () => {
    const [rows, dim, n] = [3, 40, 7];
    const x = rng.normals(rows * dim, 2);
    const w = rng.normals(dim, 1);
    const out = new Float32Array(rows * dim);
    ref.rmsnorm({ out, x, weight: w, rows, dim, eps: 1e-5 });
    const want = Float32Array.from(x, (v, i) => {
      const r = Math.floor(i / dim);
      const ss = x.subarray(r * dim, (r + 1) * dim).reduce((a, b) => a + b * b, 0);
      return (v / Math.sqrt(ss / dim + 1e-5)) * w[i % dim]!;
    });
    expectClose(out, want, TWIN_TOL, "rmsnorm");
    const wm = rng.normals(n * dim, 1);
    const y = new Float32Array(rows * n);
    ref.gemm({ y, x, w: wm, m: rows, n, k: dim });
    expectClose(y, Float32Array.from({ length: rows * n }, (_, i) => x.subarray(Math.floor(i / n) * dim, Math.floor(i / n) * dim + dim).reduce((a, v, j) => a + v * wm[(i % n) * dim + j]!, 0)), TWIN_TOL, "gemm");
    const gu = rng.normals(rows * 2 * n, 2);
    const sw = new Float32Array(rows * n);
    ref.swiglu({ out: sw, gateUp: gu, rows, inter: n });
    const silu = (g: number): number => g / (1 + Math.exp(-g));
    expectClose(sw, Float32Array.from(sw, (_, i) => silu(gu[Math.floor(i / n) * 2 * n + (i % n)]!) * gu[Math.floor(i / n) * 2 * n + n + (i % n)]!), TWIN_TOL, "swiglu");
    const s = gu.slice();
    ref.silu({ x: s, count: s.length });
    expectClose(s, Float32Array.from(gu, silu), TWIN_TOL, "silu");
    const sum = new Float32Array(dim);
    ref.add({ out: sum, a: w, b: x, count: dim });
    ref.biasAdd({ x: sum, bias: w, rows: 1, cols: dim });
    expectClose(sum, Float32Array.from(w, (v, i) => 2 * v + x[i]!), TWIN_TOL, "add+biasAdd");
  });

  it("rope matches core's tables (Llama-3 scaling, large positions, strided input)", () => {
    const [rows, heads, dh] = [5, 2, 16];
    const stride = 4 * dh;
    const inCol = dh;
    const input = rng.normals(rows * stride, 1);
    const positions = Int32Array.from({ length: rows }, () => rng.int(130_000));
    const config = { headDim: dh, ropeTheta: 500_000, ropeScaling: { type: "llama3" as const, factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8192 } };
    const invFreq = ropeInvFreq(config);
    const out = new Float32Array(rows * heads * dh);
    ref.rope({ out, in: input, inStride: stride, inCol, positions, invFreq, rows, heads, dh });
    const { cos, sin } = ropeTables(invFreq, positions);
    const half = dh / 2;
    const want = new Float32Array(out.length);
    for (let t = 0; t < rows; t++) {
      for (let h = 0; h < heads; h++) {
        for (let i = 0; i < half; i++) {
          const x1 = input[t * stride + inCol + h * dh + i]!;
          const x2 = input[t * stride + inCol + h * dh + half + i]!;
          want[t * heads * dh + h * dh + i] = x1 * cos[t * half + i]! - x2 * sin[t * half + i]!;
          want[t * heads * dh + h * dh + half + i] = x2 * cos[t * half + i]! + x1 * sin[t * half + i]!;
        }
      }
    }
    expectClose(out, want, 1e-5, "rope"); // core's tables are float32: a few ulps of cos/sin apart
  });

  it("attention matches core's referenceAttention under APB masks", () => {
    const dims = { nq: 4, nkv: 2, dh: 8 };
    for (const [tq, tk, mask] of [
      [9, 9, { anchorRows: 0, offset: 0 }],
      [4 + 6, 4 + 5 + 6, { anchorRows: 4, offset: 5 }],
      [2, 11, { anchorRows: 0, offset: 11 }],
      [3, 0, { anchorRows: 0, offset: 0 }],
    ] as const) {
      const q = rng.normals(tq * dims.nq * dims.dh, 1);
      const k = rng.normals(tk * dims.nkv * dims.dh, 1);
      const v = rng.normals(tk * dims.nkv * dims.dh, 1);
      const out = new Float32Array(q.length);
      const lse = new Float32Array(tq * dims.nq);
      ref.attention({ out, lse, q, k, v, tq, tk, ...dims, ...mask });
      const cpu = (d: Float32Array, rows: number): CpuTensor => new CpuTensor(d, [rows, d.length / Math.max(rows, 1)]);
      const want = referenceAttention(cpu(q, tq), new CpuTensor(k, [tk, dims.nkv * dims.dh]), new CpuTensor(v, [tk, dims.nkv * dims.dh]), { dims, mask });
      expectClose(out, want.out, TWIN_TOL, `attention ${JSON.stringify(mask)}`);
      expectClose(lse, want.lse, TWIN_TOL, "lse");
    }
  });

  it("queryScores, gatherHeads, maxpool, topk, lseMerge and argmax match core", () => {
    const [nq, nkv, dh, rows] = [4, 2, 8, 30];
    const q = rng.normals(3 * nq * dh, 1);
    const k = rng.normals(rows * nkv * dh, 1);
    const qs = new Float32Array(rows * nkv);
    ref.queryScores({ out: qs, q, k, probes: 3, rows, nq, nkv, dh });
    expectClose(qs, queryScoresCpu(new CpuTensor(q, [3, nq * dh]), new CpuTensor(k, [rows, nkv * dh]), { nq, nkv, dh }), TWIN_TOL, "queryScores");
    const idx = Int32Array.from({ length: 5 * nkv }, () => rng.int(rows));
    const g = new Float32Array(5 * nkv * dh);
    ref.gatherHeads({ out: g, x: k, idx, rows: 5, srcRows: rows, nkv, dh });
    expect(Array.from(g)).toEqual(Array.from(gatherHeadsCpu(new CpuTensor(k, [rows, nkv * dh]), idx, { rows: 5, nkv }).data));
    const scores = Float32Array.from({ length: rows * nkv }, (_, i) => (i % 11 === 4 ? Number.NaN : Math.round(rng.normal() * 2) / 2));
    const pooled = new Float32Array(scores.length);
    ref.maxpool({ out: pooled, in: scores, rows, channels: nkv, kernel: 5 });
    expect(Array.from(pooled)).toEqual(Array.from(maxPoolRows(scores, rows, nkv, 5)));
    for (const [kk, maskLen] of [[7, 4], [rows, 10], [0, 0]] as const) {
      const top = new Int32Array(kk * nkv);
      ref.topk({ idx: top, scores, rows, channels: nkv, maskLen, k: kk });
      expect(Array.from(top)).toEqual(Array.from(topKPerChannel(scores, { numCandidates: rows, numChannels: nkv, maskLen, k: kk })));
    }
    const a = { out: rng.normals(6 * dh, 1), lse: Float32Array.from([1, -Infinity, 3, 0.5, -Infinity, 40]) };
    const b = { out: rng.normals(6 * dh, 1), lse: Float32Array.from([2, 4, -Infinity, -30, -Infinity, -2]) };
    const merged = { out: a.out.slice(), lse: a.lse.slice() };
    ref.lseMerge({ out: merged.out, lse: merged.lse, outB: b.out, lseB: b.lse, rows: 6, heads: 1, dh });
    const want = mergePartials([a, b], dh);
    expectClose(merged.out, want.out, TWIN_TOL, "lseMerge out");
    expectClose(merged.lse, want.lse, TWIN_TOL, "lseMerge lse");
    const logits = Float32Array.from([...rng.normals(20, 1), Number.NaN, 9, 9, -Infinity]);
    const am = new Int32Array(1);
    ref.argmax({ out: am, logits, rows: 1, vocab: logits.length });
    expect(am[0]).toBe(argmax(logits));
  });

  it("twins reject short arrays and bad sizes with a typed native error", () => {
    expect(() => ref.rmsnorm({ out: new Float32Array(2), x: new Float32Array(4), weight: new Float32Array(4), rows: 1, dim: 4, eps: 0 })).toThrow(
      expect.objectContaining({ code: "APB_CUDA_NATIVE", kind: "invalid-argument", op: "ref.rmsnorm" }),
    );
    expect(() => ref.topk({ idx: new Int32Array(8), scores: new Float32Array(4), rows: 2, channels: 2, maskLen: 0, k: 4 })).toThrow(expect.objectContaining({ kind: "invalid-argument" }));
  });
});
