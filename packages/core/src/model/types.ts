// The normalised model description every backend consumes: config fields and weight arrays in HF layout.

/** RoPE scaling variants we implement. */
export type RopeScaling =
  | { readonly type: "llama3"; readonly factor: number; readonly lowFreqFactor: number; readonly highFreqFactor: number; readonly originalMaxPositions: number }
  | { readonly type: "linear"; readonly factor: number };

/** A model's shape and numerics, normalised from HF config.json (see model/config.ts). */
export interface ModelConfig {
  readonly architecture: "llama" | "mistral" | "qwen2";
  readonly vocabSize: number;
  readonly hiddenSize: number;
  readonly intermediateSize: number;
  readonly numLayers: number;
  readonly numHeads: number;
  readonly numKvHeads: number;
  readonly headDim: number;
  readonly rmsNormEps: number;
  readonly maxPositions: number;
  readonly tieWordEmbeddings: boolean;
  /** q/k/v projections carry biases (Qwen2; Llama with attention_bias). */
  readonly qkvBias: boolean;
  readonly ropeTheta: number;
  readonly ropeScaling: RopeScaling | undefined;
  readonly bosTokenId: number | undefined;
  readonly eosTokenIds: readonly number[];
}

/** One decoder layer's weights, HF layout: linear weights are [out, in], y = x · Wᵀ (+ b). */
export interface LayerWeights {
  readonly inputNorm: Float32Array; // [d]
  readonly wq: Float32Array; // [nq*dh, d]
  readonly wk: Float32Array; // [nkv*dh, d]
  readonly wv: Float32Array; // [nkv*dh, d]
  readonly bq: Float32Array | undefined; // [nq*dh]
  readonly bk: Float32Array | undefined; // [nkv*dh]
  readonly bv: Float32Array | undefined; // [nkv*dh]
  readonly wo: Float32Array; // [d, nq*dh]
  readonly postNorm: Float32Array; // [d]
  readonly wGate: Float32Array; // [I, d]
  readonly wUp: Float32Array; // [I, d]
  readonly wDown: Float32Array; // [d, I]
}

/** All weights of a decoder-only model, as float32. `lmHead` is `embed` itself when tied. */
export interface ModelWeights {
  readonly embed: Float32Array; // [V, d]
  readonly layers: readonly LayerWeights[];
  readonly finalNorm: Float32Array; // [d]
  readonly lmHead: Float32Array; // [V, d]
}

/** One layer of Locret/APB retaining heads: s = fc2(silu(fc1([q|k|v]))) on pre-RoPE projections. */
export interface RetainingHeadLayer {
  readonly fc1: Float32Array; // [hidden, (nq + 2*nkv) * dh]
  readonly fc2: Float32Array; // [numOut, hidden]
  readonly hidden: number;
  /** Scores per token; equals nkv, or fewer (then repeated across KV heads, as the Spava copy does). */
  readonly numOut: number;
}

export interface RetainingHeadWeights {
  readonly layers: readonly RetainingHeadLayer[];
}
