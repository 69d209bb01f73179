// Conformance (STYLE.md G11 level 2): every Backend op on the onnx backend against the reference backend, on fresh
// random inputs, with attention under many mask shapes and chunkings.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CpuTensor, Prng, ReferenceBackend } from "@apb/core";
import type { AttentionMask } from "@apb/core";
import { randomModel } from "@apb/core";
import type { RandomModelShape } from "@apb/core";
import { expectClose } from "../testing-only/index.js";
import { OnnxBackend } from "./onnx-backend.js";
import type { OnnxBackendOptions } from "./onnx-backend.js";

// Measured max |diff| vs the float64-summing reference on these O(1) inputs: ~1e-6 for projections, ~5e-7 for
// attention, ~1.5e-6 for a two-layer chain (float32 sums of ≤ 200 terms lose ~√K·2⁻²⁴ of their scale).
// Each threshold keeps ~10× margin over that and stays far below what a wrong weight, layout or mask gives (O(0.1..1)).
const PROJ_TOL = { rtol: 1e-5, atol: 1e-5 };
const ATTN_TOL = { rtol: 1e-5, atol: 5e-6 };
const CHAIN_TOL = { rtol: 1e-4, atol: 2e-5 };
// Row copies and the shared selection code are bit-exact.
const EXACT = { rtol: 0, atol: 0 };

const SHAPE: RandomModelShape = {
  vocabSize: 50,
  hiddenSize: 64,
  intermediateSize: 96,
  numLayers: 2,
  numHeads: 4,
  numKvHeads: 2,
  headDim: 16,
  qkvBias: true,
  heads: { hidden: 24, numOut: 2 },
};

interface Pair {
  readonly onnx: OnnxBackend;
  readonly ref: ReferenceBackend;
  readonly model: ReturnType<typeof randomModel>;
}

async function makePair(shape: RandomModelShape, seed: number, options: OnnxBackendOptions = {}): Promise<Pair> {
  const model = randomModel(shape, seed);
  const init = { config: model.config, weights: model.weights, heads: model.heads, threads: 2, host: 0, numHosts: 1 };
  const onnx = await OnnxBackend.create(init, options);
  return { onnx, ref: new ReferenceBackend(init), model };
}

const rand = (rng: Prng, rows: number, cols: number, std = 1): CpuTensor => new CpuTensor(rng.normals(rows * cols, std), [rows, cols]);

describe("onnx backend conformance: layer ops", () => {
  let p: Pair;
  beforeAll(async () => {
    p = await makePair(SHAPE, 11);
  });
  afterAll(async () => p.onnx.close());

  it("embed copies the embedding rows exactly", async () => {
    const ids = Int32Array.from([0, 49, 7, 7, 23]);
    expectClose((await p.onnx.embed(ids)).data, (await p.ref.embed(ids)).data, EXACT, "embed");
    await expect(p.onnx.embed(Int32Array.from([50]))).rejects.toMatchObject({ code: "BACKEND_FAILED" });
  });

  for (const tc of [
    { layer: 0, rows: 1, withScores: true, pos: [0] },
    { layer: 1, rows: 13, withScores: true, pos: null },
    { layer: 1, rows: 6, withScores: false, pos: [100000, 3, 5, 4096, 0, 77] },
  ]) {
    it(`attnIn layer ${tc.layer}, ${tc.rows} rows, scores ${tc.withScores}`, async () => {
      const rng = new Prng(1000 + tc.rows);
      const hidden = rand(rng, tc.rows, SHAPE.hiddenSize);
      const positions = Int32Array.from(tc.pos ?? Array.from({ length: tc.rows }, () => rng.int(8192)));
      const got = await p.onnx.attnIn(tc.layer, hidden, positions, tc.withScores);
      const want = await p.ref.attnIn(tc.layer, hidden, positions, tc.withScores);
      for (const key of ["q", "k", "v"] as const) {
        expect(got[key].shape).toEqual(want[key].shape);
        expectClose(got[key].data, want[key].data, PROJ_TOL, key);
      }
      if (tc.withScores) expectClose(got.scores!, want.scores!, PROJ_TOL, "scores");
      else expect(got.scores).toBeUndefined();
    });
  }

  it("attnOut and logits", async () => {
    const rng = new Prng(2001);
    const hidden = rand(rng, 9, SHAPE.hiddenSize);
    const attn = rand(rng, 9, SHAPE.numHeads * SHAPE.headDim);
    for (const layer of [0, 1]) expectClose((await p.onnx.attnOut(layer, hidden, attn)).data, (await p.ref.attnOut(layer, hidden, attn)).data, PROJ_TOL, `attnOut ${layer}`);
    expectClose(await p.onnx.logits(hidden), await p.ref.logits(hidden), PROJ_TOL, "logits");
  });

  it("row-chunked runs (rowChunk 4: uneven last chunk) match the reference on every row-wise op", async () => {
    const chunked = await OnnxBackend.create({ config: p.model.config, weights: p.model.weights, heads: p.model.heads, threads: 1, host: 0, numHosts: 1 }, { rowChunk: 4 });
    try {
      const rng = new Prng(2003);
      const hidden = rand(rng, 11, SHAPE.hiddenSize);
      const attn = rand(rng, 11, SHAPE.numHeads * SHAPE.headDim);
      const positions = Int32Array.from(Array.from({ length: 11 }, () => rng.int(4096)));
      const got = await chunked.attnIn(1, hidden, positions, true);
      const want = await p.ref.attnIn(1, hidden, positions, true);
      for (const key of ["q", "k", "v"] as const) expectClose(got[key].data, want[key].data, PROJ_TOL, `chunked ${key}`);
      expectClose(got.scores!, want.scores!, PROJ_TOL, "chunked scores");
      expectClose((await chunked.attnOut(0, hidden, attn)).data, (await p.ref.attnOut(0, hidden, attn)).data, PROJ_TOL, "chunked attnOut");
      expectClose(await chunked.logits(hidden), await p.ref.logits(hidden), PROJ_TOL, "chunked logits");
    } finally {
      await chunked.close();
    }
  });

  it("zero-row inputs give empty outputs", async () => {
    const empty = CpuTensor.zeros([0, SHAPE.hiddenSize]);
    const r = await p.onnx.attnIn(0, empty, new Int32Array(0), true);
    expect([r.q.shape, r.k.shape, r.scores!.length]).toEqual([[0, 64], [0, 32], 0]);
    expect((await p.onnx.attnOut(0, empty, CpuTensor.zeros([0, 64]))).shape).toEqual([0, 64]);
    expect((await p.onnx.logits(empty)).length).toBe(0);
  });

  it("queryScores, gatherHeads, concatRows, sliceRows, upload/download", async () => {
    const rng = new Prng(2002);
    const q = rand(rng, 3, 64);
    const k = rand(rng, 20, 32);
    expectClose(await p.onnx.queryScores(q, k), await p.ref.queryScores(q, k), EXACT, "queryScores");
    const idx = Int32Array.from({ length: 10 }, () => rng.int(20));
    expectClose(p.onnx.gatherHeads(k, idx, 5).data, p.ref.gatherHeads(k, idx, 5).data, EXACT, "gatherHeads");
    expectClose(p.onnx.concatRows([k, p.onnx.sliceRows(k, 2, 3)]).data, p.ref.concatRows([k, p.ref.sliceRows(k, 2, 3)]).data, EXACT, "concatRows");
    expectClose(p.onnx.sliceRows(k, 4, 9).data, p.ref.sliceRows(k, 4, 9).data, EXACT, "sliceRows");
    const up = p.onnx.upload(k.data, k.shape);
    expectClose(await p.onnx.download(up), k.data, EXACT, "roundtrip");
  });

  it("one full layer chain matches end to end", async () => {
    const ids = Int32Array.from({ length: 21 }, (_, i) => (i * 7) % 50);
    const positions = Int32Array.from({ length: 21 }, (_, i) => i);
    const run = async (be: OnnxBackend | ReferenceBackend): Promise<Float32Array> => {
      let h = await be.embed(ids);
      for (let layer = 0; layer < 2; layer++) {
        const a = await be.attnIn(layer, h, positions, false);
        const att = await be.attention(a.q, a.k, a.v, { anchorRows: 0, offset: 0 });
        h = await be.attnOut(layer, h, att.out);
      }
      return be.logits(h);
    };
    expectClose(await run(p.onnx), await run(p.ref), CHAIN_TOL, "chain logits");
  });
});

interface AttnCase {
  readonly name: string;
  readonly tq: number;
  readonly tk: number;
  readonly mask: AttentionMask;
  readonly tiling?: OnnxBackendOptions;
  readonly heads?: readonly [number, number];
  /** Standard deviation of q and k (default 1); 6 makes scaled scores ~±100, so every softmax row is one-hot-ish. */
  readonly std?: number;
}

// Small tilings force many chunks (16 rows: uneven last chunks for row counts not divisible by 16) and the key-block
// loop (blocks of 8-24 keys), so every graph variant runs on sizes the reference can check quickly.
const SMALL = { attentionChunkRows: 16, attentionBlockKeys: 8 };
const ATTN_CASES: readonly AttnCase[] = [
  { name: "causal, one chunk", tq: 37, tk: 37, mask: { anchorRows: 0, offset: 0 } },
  { name: "causal, 16-row chunks (16+16+5), key blocks", tq: 37, tk: 37, mask: { anchorRows: 0, offset: 0 }, tiling: SMALL },
  { name: "APB host: anchor 20, passing 24, local 30", tq: 50, tk: 74, mask: { anchorRows: 20, offset: 24 }, tiling: SMALL },
  { name: "APB host, default tiling", tq: 50, tk: 74, mask: { anchorRows: 20, offset: 24 } },
  { name: "APB host, blocks of 24 keys", tq: 150, tk: 250, mask: { anchorRows: 50, offset: 50 }, tiling: { attentionBlockKeys: 24 } },
  { name: "offset ≥ numKeys: no mask", tq: 10, tk: 8, mask: { anchorRows: 0, offset: 8 } },
  { name: "offset ≥ numKeys, key blocks", tq: 10, tk: 80, mask: { anchorRows: 0, offset: 80 }, tiling: SMALL },
  { name: "decode: Tq = 1", tq: 1, tk: 40, mask: { anchorRows: 0, offset: 39 } },
  { name: "decode: Tq = 1, key blocks (40 = 4·8 + 8)", tq: 1, tk: 40, mask: { anchorRows: 0, offset: 39 }, tiling: SMALL },
  { name: "non-owner query pass", tq: 5, tk: 30, mask: { anchorRows: 0, offset: 30 } },
  { name: "owner query pass", tq: 7, tk: 57, mask: { anchorRows: 0, offset: 50 }, tiling: SMALL },
  { name: "keys fewer than rows", tq: 40, tk: 10, mask: { anchorRows: 3, offset: 0 }, tiling: SMALL },
  { name: "rows with no key (numKeys = 0)", tq: 4, tk: 0, mask: { anchorRows: 1, offset: 0 } },
  { name: "anchor rows beyond the keys", tq: 30, tk: 12, mask: { anchorRows: 30, offset: 0 }, tiling: SMALL },
  { name: "all rows anchor rows", tq: 5, tk: 20, mask: { anchorRows: 10, offset: 3 } },
  { name: "MQA 4/1", tq: 33, tk: 45, mask: { anchorRows: 8, offset: 12 }, tiling: SMALL, heads: [4, 1] },
  { name: "MHA 2/2", tq: 19, tk: 19, mask: { anchorRows: 0, offset: 0 }, heads: [2, 2] },
  { name: "group of 4: 8/2", tq: 20, tk: 300, mask: { anchorRows: 0, offset: 280 }, tiling: SMALL, heads: [8, 2] },
  { name: "long causal, default tiling", tq: 300, tk: 300, mask: { anchorRows: 0, offset: 0 } },
  { name: "peaked scores (~±100), key blocks", tq: 40, tk: 70, mask: { anchorRows: 10, offset: 20 }, tiling: SMALL, std: 6 },
];

describe("onnx backend conformance: attention", () => {
  for (const tc of ATTN_CASES) {
    it(tc.name, async () => {
      const [nq, nkv] = tc.heads ?? [4, 2];
      const p = await makePair({ ...SHAPE, numLayers: 1, numHeads: nq, numKvHeads: nkv, heads: undefined }, 5, tc.tiling);
      try {
        const rng = new Prng(tc.tq * 1000 + tc.tk);
        const dh = SHAPE.headDim;
        const q = rand(rng, tc.tq, nq * dh, tc.std);
        const k = rand(rng, tc.tk, nkv * dh, tc.std);
        const v = rand(rng, tc.tk, nkv * dh);
        const got = await p.onnx.attention(q, k, v, tc.mask);
        const want = await p.ref.attention(q, k, v, tc.mask);
        expect(got.out.shape).toEqual(want.out.shape);
        expectClose(got.out.data, want.out.data, ATTN_TOL, "out");
        expectClose(got.lse, want.lse, ATTN_TOL, "lse");
        expect(got.out.data.some(Number.isNaN) || got.lse.some(Number.isNaN)).toBe(false);
      } finally {
        await p.onnx.close();
      }
    });
  }
});

describe("onnx backend errors", () => {
  it("fails typed on missing heads, bad layers, bad shapes and after close", async () => {
    const p = await makePair({ ...SHAPE, numLayers: 1, heads: undefined }, 3);
    const rng = new Prng(4);
    const hidden = rand(rng, 2, SHAPE.hiddenSize);
    await expect(p.onnx.attnIn(0, hidden, Int32Array.from([0, 1]), true)).rejects.toMatchObject({ code: "BACKEND_FAILED" });
    await expect(p.onnx.attnIn(1, hidden, Int32Array.from([0, 1]), false)).rejects.toMatchObject({ code: "BACKEND_FAILED" });
    await expect(p.onnx.attnOut(0, hidden, rand(rng, 3, 64))).rejects.toMatchObject({ code: "BACKEND_FAILED" });
    await p.onnx.close();
    await p.onnx.close();
    await expect(p.onnx.logits(hidden)).rejects.toMatchObject({ code: "BACKEND_FAILED" });
  });

  it("rejects weights of the wrong size at creation", async () => {
    const m = randomModel({ ...SHAPE, numLayers: 1, heads: undefined }, 9);
    const weights = { ...m.weights, finalNorm: new Float32Array(3) };
    await expect(OnnxBackend.create({ config: m.config, weights, heads: undefined, threads: 1, host: 0, numHosts: 1 })).rejects.toMatchObject({ code: "TENSOR_SHAPE" });
  });
});
