// Multi-node building blocks shared by the layer graphs: RMSNorm, SiLU, linear layers and rotate-half RoPE.

import { attrFloat, attrInt } from "./graph-builder.js";
import type { GraphBuilder } from "./graph-builder.js";

/** RMSNorm over the last axis with float32 statistics (ORT's SimplifiedLayerNormalization kernel, ONNX domain). */
export function rmsNormOp(g: GraphBuilder, x: string, spec: { weight: string; eps: number }): string {
  return g.op("SimplifiedLayerNormalization", [x, spec.weight], { attrs: [attrInt("axis", -1), attrFloat("epsilon", spec.eps), attrInt("stash_type", 1)] });
}

/** silu(x) = x·sigmoid(x) (ORT fuses the pair). */
export function siluOp(g: GraphBuilder, x: string): string {
  return g.op("Mul", [x, g.op("Sigmoid", [x])]);
}

/** x · W (+ b) with W already in [in, out] layout, so MatMul needs no transpose. */
export function linearOp(g: GraphBuilder, x: string, spec: { weight: string; bias?: string | undefined }): string {
  const y = g.op("MatMul", [x, spec.weight]);
  return spec.bias === undefined ? y : g.op("Add", [y, spec.bias]);
}

/**
 * RoPE, HF rotate_half, on x: [T, heads*dh] with cos = [cos|cos] and sin = [−sin|sin], both [T, 1, dh]:
 * y = x·cos + [x2|x1]·sin, i.e. y1 = x1·cos − x2·sin and y2 = x2·cos + x1·sin.
 */
export function ropeOp(g: GraphBuilder, x: string, spec: { heads: number; dh: number; cos: string; sin: string }): string {
  const { heads, dh } = spec;
  const x3 = g.op("Reshape", [x, g.ints([0, heads, dh])]); // [T, heads, dh]
  const [x1, x2] = g.opN("Split", [x3, g.ints([dh / 2, dh / 2])], { attrs: [attrInt("axis", 2)], numOutputs: 2 });
  const rotated = g.op("Concat", [x2!, x1!], { attrs: [attrInt("axis", 2)] });
  const y = g.op("Add", [g.op("Mul", [x3, spec.cos]), g.op("Mul", [rotated, spec.sin])]);
  return g.op("Reshape", [y, g.ints([0, heads * dh])]);
}
