// A small seeded random model for the backend checks (weights scaled by 1/√fan_in so activations stay O(1)), with
// optional q/k/v biases, Llama-3 RoPE scaling and retaining heads; and its copy rounded through bfloat16.

import { Prng } from "@apb/core";
import type { LayerWeights, ModelConfig, ModelWeights, RetainingHeadWeights } from "@apb/core";
import { roundBf16 } from "./device-arrays.js";

export interface CheckModel {
  readonly config: ModelConfig;
  readonly weights: ModelWeights;
  readonly heads: RetainingHeadWeights;
}

/** Shape knobs of the check model. */
export interface CheckModelShape {
  readonly hiddenSize: number;
  readonly numHeads: number;
  readonly numKvHeads: number;
  readonly headDim: number;
  readonly intermediateSize: number;
  readonly vocabSize: number;
  readonly numLayers: number;
  readonly qkvBias: boolean;
}

function randomLayer(c: ModelConfig, rng: Prng): LayerWeights {
  const { hiddenSize: d, intermediateSize: im, numHeads: nq, numKvHeads: nkv, headDim: dh } = c;
  const lin = (out: number, inDim: number): Float32Array => rng.normals(out * inDim, 1 / Math.sqrt(inDim));
  const norm = (): Float32Array => Float32Array.from({ length: d }, () => 1 + 0.1 * rng.normal());
  return {
    inputNorm: norm(),
    wq: lin(nq * dh, d),
    wk: lin(nkv * dh, d),
    wv: lin(nkv * dh, d),
    bq: c.qkvBias ? rng.normals(nq * dh, 0.1) : undefined,
    bk: c.qkvBias ? rng.normals(nkv * dh, 0.1) : undefined,
    bv: c.qkvBias ? rng.normals(nkv * dh, 0.1) : undefined,
    wo: lin(d, nq * dh),
    postNorm: norm(),
    wGate: lin(im, d),
    wUp: lin(im, d),
    wDown: lin(d, im),
  };
}

export function checkModel(shape: CheckModelShape, seed: number): CheckModel {
  const rng = new Prng(seed);
  const config: ModelConfig = {
    architecture: shape.qkvBias ? "qwen2" : "llama",
    ...shape,
    rmsNormEps: 1e-5,
    maxPositions: 1 << 18,
    tieWordEmbeddings: false,
    ropeTheta: 500_000,
    ropeScaling: { type: "llama3", factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8192 },
    bosTokenId: undefined,
    eosTokenIds: [],
  };
  const d = config.hiddenSize;
  const weights: ModelWeights = {
    embed: rng.normals(config.vocabSize * d, 1),
    layers: Array.from({ length: config.numLayers }, () => randomLayer(config, rng)),
    finalNorm: Float32Array.from({ length: d }, () => 1 + 0.1 * rng.normal()),
    lmHead: rng.normals(config.vocabSize * d, 1 / Math.sqrt(d)),
  };
  const width = (config.numHeads + 2 * config.numKvHeads) * config.headDim;
  const hidden = 64;
  const numOut = config.numKvHeads;
  const heads = { layers: weights.layers.map(() => ({ fc1: rng.normals(hidden * width, 1 / Math.sqrt(width)), fc2: rng.normals(numOut * hidden, 1 / Math.sqrt(hidden)), hidden, numOut })) };
  return { config, weights, heads };
}

const roundOpt = (x: Float32Array | undefined): Float32Array | undefined => (x === undefined ? undefined : roundBf16(x));

/** The same model with every weight rounded through bfloat16 (what a bfloat16 device backend holds). */
export function roundedModel(m: CheckModel): CheckModel {
  const w = m.weights;
  const layers = w.layers.map((l) => ({
    inputNorm: roundBf16(l.inputNorm),
    wq: roundBf16(l.wq),
    wk: roundBf16(l.wk),
    wv: roundBf16(l.wv),
    bq: roundOpt(l.bq),
    bk: roundOpt(l.bk),
    bv: roundOpt(l.bv),
    wo: roundBf16(l.wo),
    postNorm: roundBf16(l.postNorm),
    wGate: roundBf16(l.wGate),
    wUp: roundBf16(l.wUp),
    wDown: roundBf16(l.wDown),
  }));
  const heads = { layers: m.heads.layers.map((h) => ({ ...h, fc1: roundBf16(h.fc1), fc2: roundBf16(h.fc2) })) };
  return { config: m.config, weights: { embed: roundBf16(w.embed), layers, finalNorm: roundBf16(w.finalNorm), lmHead: roundBf16(w.lmHead) }, heads };
}
