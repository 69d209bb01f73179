// A small seeded random model for the backend checks (weights scaled by 1/√fan_in so activations stay O(1)), with
// optional q/k/v biases, Llama-3 RoPE scaling and retaining heads; and its copy rounded through bfloat16.

import { randomModel } from "@apb/core";
import type { ModelConfig, ModelWeights, RetainingHeadWeights } from "@apb/core";
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

/** The check model: core's random model with Llama-3 RoPE scaling and retaining heads (hidden 64, one score per KV head). */
export function checkModel(shape: CheckModelShape, seed: number): CheckModel {
  const m = randomModel({ ...shape, heads: { hidden: 64, numOut: shape.numKvHeads }, maxPositions: 1 << 18, ropeScaling: { type: "llama3", factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8192 } }, seed);
  return { config: m.config, weights: m.weights, heads: m.heads! };
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
