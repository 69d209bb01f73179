// Per-layer ONNX graphs with the layer's weights as initializers: attnIn (norm, fused QKV, RoPE), retaining heads,
// attnOut (o-proj, residual, norm, SwiGLU MLP, residual), and the final norm + LM head. Rows are a symbolic dim "T".

import type { LayerWeights, ModelConfig, ModelWeights, RetainingHeadLayer } from "@apb/core";
import { GraphBuilder, linearOp, rmsNormOp, ropeOp, siluOp, attrInt } from "../graph/index.js";
import type { BuiltGraph } from "../graph/index.js";
import { concatVectors, stackTransposed, transposed } from "./weight-layout.js";

const ROWS = "T";

/**
 * attnIn for one layer. Inputs: hidden [T, d], cos [T, dh] = [cos|cos], sin [T, dh] = [−sin|sin].
 * Outputs: q [T, nq*dh] and k [T, nkv*dh] post-RoPE, v [T, nkv*dh], qkv [T, (nq+2nkv)*dh] pre-RoPE (for the heads).
 */
export function buildAttnInGraph(config: ModelConfig, lw: LayerWeights, layer: number): BuiltGraph {
  const { hiddenSize: d, numHeads: nq, numKvHeads: nkv, headDim: dh } = config;
  const g = new GraphBuilder(`attn_in_${layer}`);
  const hidden = g.input("hidden", [ROWS, d]);
  const cos = g.op("Unsqueeze", [g.input("cos", [ROWS, dh]), g.ints([1])]);
  const sin = g.op("Unsqueeze", [g.input("sin", [ROWS, dh]), g.ints([1])]);
  const x = rmsNormOp(g, hidden, { weight: g.weight("input_norm", lw.inputNorm, [d]), eps: config.rmsNormEps });
  const width = (nq + 2 * nkv) * dh;
  const wqkv = stackTransposed([{ w: lw.wq, outDim: nq * dh }, { w: lw.wk, outDim: nkv * dh }, { w: lw.wv, outDim: nkv * dh }], d);
  const bias = lw.bq !== undefined && lw.bk !== undefined && lw.bv !== undefined ? g.weight("bqkv", concatVectors([lw.bq, lw.bk, lw.bv]), [width]) : undefined;
  const qkv = linearOp(g, x, { weight: g.weight("wqkv", wqkv, [d, width]), bias });
  const [q, k, v] = g.opN("Split", [qkv, g.ints([nq * dh, nkv * dh, nkv * dh])], { attrs: [attrInt("axis", 1)], numOutputs: 3 });
  g.output(ropeOp(g, q!, { heads: nq, dh, cos, sin }), "q", [ROWS, nq * dh]);
  g.output(ropeOp(g, k!, { heads: nkv, dh, cos, sin }), "k", [ROWS, nkv * dh]);
  g.output(v!, "v", [ROWS, nkv * dh]);
  g.output(qkv, "qkv", [ROWS, width]);
  return g.build();
}

/** Retaining heads: qkv [T, (nq+2nkv)*dh] pre-RoPE → scores [T, numOut] = fc2(silu(fc1(qkv))). */
export function buildHeadsGraph(config: ModelConfig, hl: RetainingHeadLayer, layer: number): BuiltGraph {
  const width = (config.numHeads + 2 * config.numKvHeads) * config.headDim;
  const g = new GraphBuilder(`heads_${layer}`);
  const qkv = g.input("qkv", [ROWS, width]);
  const h = siluOp(g, linearOp(g, qkv, { weight: g.weight("fc1", transposed(hl.fc1, { outDim: hl.hidden, inDim: width }), [width, hl.hidden]) }));
  const s = linearOp(g, h, { weight: g.weight("fc2", transposed(hl.fc2, { outDim: hl.numOut, inDim: hl.hidden }), [hl.hidden, hl.numOut]) });
  g.output(s, "scores", [ROWS, hl.numOut]);
  return g.build();
}

/** attnOut: h = hidden + attn·Woᵀ; out = h + down(silu(gate(x))·up(x)), x = rmsnorm(h). Inputs hidden [T, d], attn [T, nq*dh]. */
export function buildAttnOutGraph(config: ModelConfig, lw: LayerWeights, layer: number): BuiltGraph {
  const { hiddenSize: d, intermediateSize: im, numHeads: nq, headDim: dh } = config;
  const g = new GraphBuilder(`attn_out_${layer}`);
  const hidden = g.input("hidden", [ROWS, d]);
  const attn = g.input("attn", [ROWS, nq * dh]);
  const wo = g.weight("wo", transposed(lw.wo, { outDim: d, inDim: nq * dh }), [nq * dh, d]);
  const h = g.op("Add", [hidden, linearOp(g, attn, { weight: wo })]);
  const x = rmsNormOp(g, h, { weight: g.weight("post_norm", lw.postNorm, [d]), eps: config.rmsNormEps });
  const gate = linearOp(g, x, { weight: g.weight("w_gate", transposed(lw.wGate, { outDim: im, inDim: d }), [d, im]) });
  const up = linearOp(g, x, { weight: g.weight("w_up", transposed(lw.wUp, { outDim: im, inDim: d }), [d, im]) });
  const act = g.op("Mul", [siluOp(g, gate), up]);
  const down = linearOp(g, act, { weight: g.weight("w_down", transposed(lw.wDown, { outDim: d, inDim: im }), [im, d]) });
  g.output(g.op("Add", [h, down]), "out", [ROWS, d]);
  return g.build();
}

/** Final norm and LM head: hidden [T, d] → logits [T, vocab]. */
export function buildLogitsGraph(config: ModelConfig, weights: ModelWeights): BuiltGraph {
  const { hiddenSize: d, vocabSize: vocab } = config;
  const g = new GraphBuilder("logits");
  const x = rmsNormOp(g, g.input("hidden", [ROWS, d]), { weight: g.weight("final_norm", weights.finalNorm, [d]), eps: config.rmsNormEps });
  const lm = g.weight("lm_head", transposed(weights.lmHead, { outDim: vocab, inDim: d }), [d, vocab]);
  g.output(linearOp(g, x, { weight: lm }), "logits", [ROWS, vocab]);
  return g.build();
}
