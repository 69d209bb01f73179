// The reference backend against brute-force computations written independently here (dense masks, complex-number
// RoPE, explicit K/V repetition for GQA), on fresh random inputs from Prng.

import { describe, expect, it } from "vitest";
import { ApbError } from "../errors/apb-error.js";
import type { ModelConfig, ModelWeights, RetainingHeadWeights } from "../model/types.js";
import { CpuTensor } from "../tensor/tensor.js";
import { Prng } from "../util/prng.js";
import { ReferenceBackend } from "./reference-backend.js";

// The backend stores float32 and sums in float64; the brute force below is float64 throughout, so the only
// difference is float32 rounding of stored intermediates (~6e-8 relative each, a few chained): 1e-5 is loose.
const RTOL = 1e-5;
const ATOL = 1e-6;

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = { rtol: RTOL, atol: ATOL }): void {
  expect(actual.length).toBe(expected.length);
  const bad: string[] = [];
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const ok = a === e || Math.abs(a - e) <= tol.atol + tol.rtol * Math.abs(e);
    if (!ok && bad.length < 5) bad.push(`[${i}] got ${a}, want ${e}`);
  }
  expect(bad, bad.join("\n")).toEqual([]);
}

function tinyConfig(over: Partial<ModelConfig> = {}): ModelConfig {
  return {
    architecture: "llama",
    vocabSize: 13,
    hiddenSize: 16,
    intermediateSize: 24,
    numLayers: 2,
    numHeads: 4,
    numKvHeads: 2,
    headDim: 8,
    rmsNormEps: 1e-5,
    maxPositions: 4096,
    tieWordEmbeddings: false,
    qkvBias: true,
    ropeTheta: 10000,
    ropeScaling: undefined,
    bosTokenId: undefined,
    eosTokenIds: [],
    ...over,
  };
}

function randomWeights(c: ModelConfig, rng: Prng): ModelWeights {
  const { hiddenSize: d, intermediateSize: im, numHeads: nq, numKvHeads: nkv, headDim: dh } = c;
  const s = 0.3;
  const norm = (): Float32Array => Float32Array.from({ length: d }, () => 1 + 0.2 * rng.normal());
  const layers = Array.from({ length: c.numLayers }, () => ({
    inputNorm: norm(),
    wq: rng.normals(nq * dh * d, s),
    wk: rng.normals(nkv * dh * d, s),
    wv: rng.normals(nkv * dh * d, s),
    bq: c.qkvBias ? rng.normals(nq * dh, s) : undefined,
    bk: c.qkvBias ? rng.normals(nkv * dh, s) : undefined,
    bv: c.qkvBias ? rng.normals(nkv * dh, s) : undefined,
    wo: rng.normals(d * nq * dh, s),
    postNorm: norm(),
    wGate: rng.normals(im * d, s),
    wUp: rng.normals(im * d, s),
    wDown: rng.normals(d * im, s),
  }));
  return { embed: rng.normals(c.vocabSize * d, 1), layers, finalNorm: norm(), lmHead: rng.normals(c.vocabSize * d, s) };
}

function randomHeads(c: ModelConfig, rng: Prng, numOut: number): RetainingHeadWeights {
  const width = (c.numHeads + 2 * c.numKvHeads) * c.headDim;
  const hidden = 10;
  return { layers: Array.from({ length: c.numLayers }, () => ({ fc1: rng.normals(hidden * width, 0.2), fc2: rng.normals(numOut * hidden, 0.2), hidden, numOut })) };
}

function makeBackend(seed: number, over: Partial<ModelConfig> = {}): { be: ReferenceBackend; c: ModelConfig; w: ModelWeights; heads: RetainingHeadWeights; rng: Prng } {
  const rng = new Prng(seed);
  const c = tinyConfig(over);
  const w = randomWeights(c, rng);
  const heads = randomHeads(c, rng, c.numKvHeads);
  return { be: new ReferenceBackend({ config: c, weights: w, heads, threads: 1, host: 0, numHosts: 1 }), c, w, heads, rng };
}

/** Rows of a flat [rows, cols] array as number[][] (the brute force works on nested arrays). */
function toRows(a: ArrayLike<number>, cols: number): number[][] {
  const out: number[][] = [];
  for (let r = 0; r * cols < a.length; r++) out.push(Array.from({ length: cols }, (_, i) => a[r * cols + i]!));
  return out;
}

/** x · Wᵀ + b with W given as [out][in] nested arrays. */
function bruteLinear(x: number[][], w: Float32Array, spec: { inDim: number; b?: Float32Array | undefined }): number[][] {
  const wr = toRows(w, spec.inDim);
  return x.map((row) => wr.map((wo, o) => wo.reduce((acc, wv, i) => acc + wv * row[i]!, spec.b === undefined ? 0 : spec.b[o]!)));
}

function bruteRmsNorm(x: number[][], w: Float32Array, eps: number): number[][] {
  return x.map((row) => {
    const rms = Math.sqrt(row.reduce((a, v) => a + v * v, 0) / row.length + eps);
    return row.map((v, i) => (v / rms) * w[i]!);
  });
}

const silu = (v: number): number => v / (1 + Math.exp(-v));

/** RoPE as complex multiplication of (x_i + i·x_{i+dh/2}) by e^{i·pos·θ_i}, θ_i = base^(−2i/dh). */
function bruteRope(row: number[], spec: { heads: number; dh: number; pos: number; theta: number }): number[] {
  const out = row.slice();
  const half = spec.dh / 2;
  for (let h = 0; h < spec.heads; h++) {
    for (let i = 0; i < half; i++) {
      const ang = spec.pos * Math.pow(spec.theta, (-2 * i) / spec.dh);
      const re = row[h * spec.dh + i]!;
      const im = row[h * spec.dh + half + i]!;
      out[h * spec.dh + i] = re * Math.cos(ang) - im * Math.sin(ang);
      out[h * spec.dh + half + i] = re * Math.sin(ang) + im * Math.cos(ang);
    }
  }
  return out;
}

/** Dense attention: explicit 0/1 mask, K/V repeated per query head, softmax by plain sums in float64. */
function bruteAttention(q: CpuTensor, k: CpuTensor, v: CpuTensor, spec: { nq: number; nkv: number; dh: number; anchorRows: number; offset: number }): { out: number[]; lse: number[] } {
  const { nq, nkv, dh } = spec;
  const tq = q.numRows;
  const tk = k.numRows;
  const sees = (i: number, j: number): boolean => (i < spec.anchorRows ? j <= i : j <= i + spec.offset);
  const out: number[] = [];
  const lse: number[] = [];
  for (let i = 0; i < tq; i++) {
    for (let h = 0; h < nq; h++) {
      const kvHead = Math.floor((h * nkv) / nq);
      const w: number[] = [];
      for (let j = 0; j < tk; j++) {
        let s = 0;
        for (let d = 0; d < dh; d++) s += q.data[i * nq * dh + h * dh + d]! * k.data[j * nkv * dh + kvHead * dh + d]!;
        w.push(sees(i, j) ? Math.exp(s / Math.sqrt(dh)) : 0);
      }
      const z = w.reduce((a, b) => a + b, 0);
      lse.push(Math.log(z)); // log(0) = -Infinity for a row that sees nothing
      for (let d = 0; d < dh; d++) out.push(z === 0 ? 0 : w.reduce((a, p, j) => a + p * v.data[j * nkv * dh + kvHead * dh + d]!, 0) / z);
    }
  }
  return { out, lse };
}

function randTensor(rng: Prng, rows: number, cols: number, std = 1): CpuTensor {
  return new CpuTensor(rng.normals(rows * cols, std), [rows, cols]);
}

describe("ReferenceBackend attention", () => {
  const cases = [
    { name: "causal, GQA 4/2", nq: 4, nkv: 2, tq: 9, tk: 9, anchorRows: 0, offset: 0 },
    { name: "APB host: anchor 3, passing 4", nq: 4, nkv: 2, tq: 8, tk: 12, anchorRows: 3, offset: 4 },
    { name: "MQA 4/1 with anchor", nq: 4, nkv: 1, tq: 6, tk: 8, anchorRows: 2, offset: 2 },
    { name: "MHA 2/2, offset past the end", nq: 2, nkv: 2, tq: 5, tk: 7, anchorRows: 0, offset: 50 },
    { name: "decode: one row over a cache", nq: 4, nkv: 2, tq: 1, tk: 10, anchorRows: 0, offset: 9 },
    { name: "non-owner query: no mask", nq: 4, nkv: 2, tq: 3, tk: 6, anchorRows: 0, offset: 6 },
    { name: "fewer keys than rows", nq: 4, nkv: 2, tq: 7, tk: 3, anchorRows: 2, offset: 0 },
    { name: "no keys at all", nq: 4, nkv: 2, tq: 3, tk: 0, anchorRows: 1, offset: 0 },
    { name: "anchor rows beyond the keys", nq: 4, nkv: 2, tq: 6, tk: 4, anchorRows: 6, offset: 0 },
  ];
  for (const tc of cases) {
    it(`matches dense masked softmax: ${tc.name}`, async () => {
      const { be, rng } = makeBackend(100 + tc.tq * 7 + tc.tk, { numHeads: tc.nq, numKvHeads: tc.nkv });
      const dh = 8;
      const q = randTensor(rng, tc.tq, tc.nq * dh);
      const k = randTensor(rng, tc.tk, tc.nkv * dh);
      const v = randTensor(rng, tc.tk, tc.nkv * dh);
      const got = await be.attention(q, k, v, { anchorRows: tc.anchorRows, offset: tc.offset });
      const want = bruteAttention(q, k, v, { ...tc, dh });
      expect(got.out.shape).toEqual([tc.tq, tc.nq * dh]);
      expectClose(got.out.data, want.out);
      expectClose(got.lse, want.lse);
      expect(got.out.data.some(Number.isNaN) || got.lse.some(Number.isNaN)).toBe(false);
    });
  }

  it("anchor rows equal standalone causal attention over the anchor keys (APB.md 3.8)", async () => {
    const { be, rng } = makeBackend(7);
    const [a, p, l] = [4, 3, 5];
    const q = randTensor(rng, a + l, 32);
    const k = randTensor(rng, a + p + l, 16);
    const v = randTensor(rng, a + p + l, 16);
    const full = await be.attention(q, k, v, { anchorRows: a, offset: p });
    const anchorOnly = await be.attention(be.sliceRows(q, 0, a), be.sliceRows(k, 0, a), be.sliceRows(v, 0, a), { anchorRows: 0, offset: 0 });
    expectClose(full.out.data.subarray(0, a * 32), anchorOnly.out.data);
    expectClose(full.lse.subarray(0, a * 4), anchorOnly.lse);
  });

  it("rejects a negative mask offset and mismatched k/v", async () => {
    const { be, rng } = makeBackend(8);
    const q = randTensor(rng, 2, 32);
    const k = randTensor(rng, 3, 16);
    await expect(be.attention(q, k, k, { anchorRows: 0, offset: -1 })).rejects.toMatchObject({ code: "BACKEND_FAILED" });
    await expect(be.attention(q, k, randTensor(rng, 2, 16), { anchorRows: 0, offset: 0 })).rejects.toBeInstanceOf(ApbError);
  });
});

describe("ReferenceBackend attnIn", () => {
  it("matches brute-force rmsnorm, biased projections, complex-number RoPE and head scores", async () => {
    const { be, c, w, heads, rng } = makeBackend(21);
    const { hiddenSize: d, numHeads: nq, numKvHeads: nkv, headDim: dh } = c;
    const rows = 5;
    const hidden = randTensor(rng, rows, d, 2);
    const positions = Int32Array.from([0, 1, 7, 100, 3000]);
    const got = await be.attnIn(1, hidden, positions, true);
    const lw = w.layers[1]!;
    const x = bruteRmsNorm(toRows(hidden.data, d), lw.inputNorm, c.rmsNormEps);
    const q = bruteLinear(x, lw.wq, { inDim: d, b: lw.bq });
    const k = bruteLinear(x, lw.wk, { inDim: d, b: lw.bk });
    const v = bruteLinear(x, lw.wv, { inDim: d, b: lw.bv });
    const rope = (m: number[][], n: number): number[] => m.flatMap((r, t) => bruteRope(r, { heads: n, dh, pos: positions[t]!, theta: c.ropeTheta }));
    expectClose(got.q.data, rope(q, nq));
    expectClose(got.k.data, rope(k, nkv));
    expectClose(got.v.data, v.flat());
    const hl = heads.layers[1]!;
    const h1 = bruteLinear(q.map((r, t) => [...r, ...k[t]!, ...v[t]!]), hl.fc1, { inDim: (nq + 2 * nkv) * dh }).map((r) => r.map(silu));
    expectClose(got.scores!, bruteLinear(h1, hl.fc2, { inDim: hl.hidden }).flat());
    expect((await be.attnIn(0, hidden, positions, false)).scores).toBeUndefined();
  });

  it("RoPE keeps every head's norm and makes q(m)·k(n) depend only on m − n", async () => {
    for (const ropeScaling of [undefined, { type: "llama3" as const, factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 64 }]) {
      const { be, c, rng } = makeBackend(33, { qkvBias: false, ropeScaling });
      const dh = c.headDim;
      const hidden = randTensor(rng, 1, c.hiddenSize);
      const two = be.concatRows([hidden, hidden]);
      const at = async (m: number, n: number): Promise<number> => {
        const r = await be.attnIn(0, two, Int32Array.from([m, n]), false);
        let s = 0;
        for (let i = 0; i < dh; i++) s += r.q.data[i]! * r.k.data[c.numKvHeads * dh + i]!; // q head 0 of row 0 · k head 0 of row 1
        return s;
      };
      const base = await at(5, 2);
      for (const shift of [1, 17, 1000]) expectClose([await at(5 + shift, 2 + shift)], [base], { rtol: 1e-4, atol: 1e-5 });
      const unrotated = await be.attnIn(0, two, Int32Array.from([0, 0]), false);
      const rotated = await be.attnIn(0, two, Int32Array.from([0, 123]), false);
      const norms = (a: Float32Array, row: number): number[] =>
        Array.from({ length: c.numHeads }, (_, h) => Math.hypot(...a.subarray(row * c.numHeads * dh + h * dh, row * c.numHeads * dh + (h + 1) * dh)));
      expectClose(norms(rotated.q.data, 1), norms(unrotated.q.data, 1));
    }
  });

  it("fails when scores are asked for without retaining heads", async () => {
    const rng = new Prng(3);
    const c = tinyConfig();
    const be = new ReferenceBackend({ config: c, weights: randomWeights(c, rng), heads: undefined, threads: 1, host: 0, numHosts: 1 });
    await expect(be.attnIn(0, randTensor(rng, 2, c.hiddenSize), Int32Array.from([0, 1]), true)).rejects.toMatchObject({ code: "BACKEND_FAILED" });
  });
});

describe("ReferenceBackend MLP, embed, logits", () => {
  it("attnOut matches o-proj + residual + rmsnorm + SwiGLU + residual", async () => {
    const { be, c, w, rng } = makeBackend(41);
    const { hiddenSize: d, numHeads: nq, headDim: dh, intermediateSize: im } = c;
    const hidden = randTensor(rng, 4, d);
    const attn = randTensor(rng, 4, nq * dh);
    const lw = w.layers[0]!;
    const hRows = bruteLinear(toRows(attn.data, nq * dh), lw.wo, { inDim: nq * dh }).map((r, t) => r.map((x, i) => x + hidden.data[t * d + i]!));
    const x = bruteRmsNorm(hRows, lw.postNorm, c.rmsNormEps);
    const gate = bruteLinear(x, lw.wGate, { inDim: d });
    const up = bruteLinear(x, lw.wUp, { inDim: d });
    const act = gate.map((r, t) => r.map((g, i) => silu(g) * up[t]![i]!));
    const want = bruteLinear(act, lw.wDown, { inDim: im }).map((r, t) => r.map((y, i) => y + hRows[t]![i]!));
    expectClose((await be.attnOut(0, hidden, attn)).data, want.flat());
  });

  it("embed copies rows and logits apply the final norm and LM head", async () => {
    const { be, c, w, rng } = makeBackend(42);
    const d = c.hiddenSize;
    const emb = await be.embed(Int32Array.from([3, 0, 12]));
    expect(Array.from(emb.data.subarray(d, 2 * d))).toEqual(Array.from(w.embed.subarray(0, d)));
    expect(Array.from(emb.data.subarray(2 * d))).toEqual(Array.from(w.embed.subarray(12 * d, 13 * d)));
    const hidden = randTensor(rng, 3, d);
    const want = bruteLinear(bruteRmsNorm(toRows(hidden.data, d), w.finalNorm, c.rmsNormEps), w.lmHead, { inDim: d });
    expectClose(await be.logits(hidden), want.flat());
    await expect(be.embed(Int32Array.from([13]))).rejects.toMatchObject({ code: "BACKEND_FAILED" });
  });
});

describe("ReferenceBackend row and selection ops", () => {
  it("queryScores averages the group's query heads, then the probe rows, of ⟨k, q̄⟩", async () => {
    const { be, rng } = makeBackend(51);
    const [nq, nkv, dh] = [4, 2, 8];
    const q = randTensor(rng, 3, nq * dh);
    const k = randTensor(rng, 5, nkv * dh);
    const want: number[] = [];
    for (let t = 0; t < 5; t++) {
      for (let j = 0; j < nkv; j++) {
        let total = 0;
        for (let p = 0; p < 3; p++) {
          const qbar = Array.from({ length: dh }, (_, i) => (q.data[p * nq * dh + 2 * j * dh + i]! + q.data[p * nq * dh + (2 * j + 1) * dh + i]!) / 2);
          total += qbar.reduce((a, x, i) => a + x * k.data[t * nkv * dh + j * dh + i]!, 0);
        }
        want.push(total / 3);
      }
    }
    expectClose(await be.queryScores(q, k), want);
  });

  it("gatherHeads, concatRows and sliceRows copy the right rows", () => {
    const { be, rng } = makeBackend(52);
    const x = randTensor(rng, 6, 16); // nkv = 2, dh = 8
    const g = be.gatherHeads(x, Int32Array.from([5, 0, 2, 2]), 2);
    expect(g.shape).toEqual([2, 16]);
    expect(Array.from(g.data.subarray(0, 8))).toEqual(Array.from(x.data.subarray(5 * 16, 5 * 16 + 8)));
    expect(Array.from(g.data.subarray(8, 16))).toEqual(Array.from(x.data.subarray(8, 16)));
    expect(Array.from(g.data.subarray(16, 32))).toEqual(Array.from(x.data.subarray(32, 48)));
    expect(() => be.gatherHeads(x, Int32Array.from([6, 0]), 1)).toThrow(ApbError);
    const s = be.sliceRows(x, 2, 4);
    expect(s.shape).toEqual([2, 16]);
    expect(Array.from(s.data)).toEqual(Array.from(x.data.subarray(32, 64)));
    s.data[0] = 99;
    expect(x.data[32]).not.toBe(99);
    const cat = be.concatRows([s, be.sliceRows(x, 0, 0), be.sliceRows(x, 5, 6)]);
    expect(cat.shape).toEqual([3, 16]);
    expect(Array.from(cat.data.subarray(32))).toEqual(Array.from(x.data.subarray(80)));
    expect(() => be.sliceRows(x, 4, 7)).toThrow(ApbError);
    expect(() => be.upload(new Float32Array(5), [2, 3])).toThrow(ApbError);
    const src = Float32Array.from([1, 2, 3, 4]);
    const up = be.upload(src, [2, 2]);
    src[0] = 9;
    expect(up.data[0]).toBe(1);
  });
});
