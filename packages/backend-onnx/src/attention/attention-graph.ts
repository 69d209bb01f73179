// The attention chunk graph: GQA scores against a fully visible key prefix (and optionally a biased diagonal band),
// a max-shifted softmax kept unnormalised until the end, and the natural-log LSE. No n×n matrix, no K/V repetition.

import { GraphBuilder, attrInt, attrInts } from "../graph/index.js";
import type { BuiltGraph } from "../graph/index.js";
import type { HeadDims } from "@apb/core";

const ROWS = "C";

interface Part {
  readonly scores: string; // [nkv, g, C, keys], scaled (and biased)
  readonly values: string; // [nkv, 1, keys, dh]
}

/** K rows [keys, nkv*dh] → [nkv, 1, dh, keys]; V rows → [nkv, 1, keys, dh]. The 1 broadcasts over the query group. */
function keyValue(g: GraphBuilder, spec: { k: string; v: string; dims: HeadDims }): { kT: string; v4: string } {
  const { nkv, dh } = spec.dims;
  const shape = g.ints([0, nkv, 1, dh]);
  const kT = g.op("Transpose", [g.op("Reshape", [spec.k, shape])], { attrs: [attrInts("perm", [1, 2, 3, 0])] });
  const v4 = g.op("Transpose", [g.op("Reshape", [spec.v, shape])], { attrs: [attrInts("perm", [1, 2, 0, 3])] });
  return { kT, v4 };
}

function rowMax(g: GraphBuilder, s: string): string {
  return g.op("ReduceMax", [s], { attrs: [attrInts("axes", [-1]), attrInt("keepdims", 1)] });
}

/** exp(s − m) summed over keys and multiplied into V: returns [l, o] with l [nkv,g,C,1], o [nkv,g,C,dh]. */
function expPart(g: GraphBuilder, part: Part, m: string): { l: string; o: string } {
  const e = g.op("Exp", [g.op("Sub", [part.scores, m])]);
  const l = g.op("ReduceSum", [e, g.ints([-1])], { attrs: [attrInt("keepdims", 1)] });
  return { l, o: g.op("MatMul", [e, part.values]) };
}

/**
 * Inputs: q [C, nq*dh], kp/vp [P, nkv*dh] (keys every row sees), and with `withBand` also kb/vb [D, nkv*dh] and
 * bias [C, D] (0 / −∞). Outputs: out [C, nq*dh] and lse [C, nq]. Every row must see at least one prefix key (P ≥ 1),
 * so the running max is finite and no NaN can appear.
 */
export function buildAttentionGraph(dims: HeadDims, withBand: boolean): BuiltGraph {
  const { nq, nkv, dh } = dims;
  const group = nq / nkv;
  const g = new GraphBuilder(withBand ? "attention_band" : "attention");
  const q = g.op("Mul", [g.input("q", [ROWS, nq * dh]), g.scalar(1 / Math.sqrt(dh))]);
  const q4 = g.op("Transpose", [g.op("Reshape", [q, g.ints([0, nkv, group, dh])])], { attrs: [attrInts("perm", [1, 2, 0, 3])] }); // [nkv, g, C, dh]
  const pre = keyValue(g, { k: g.input("kp", ["P", nkv * dh]), v: g.input("vp", ["P", nkv * dh]), dims });
  const parts: Part[] = [{ scores: g.op("MatMul", [q4, pre.kT]), values: pre.v4 }];
  if (withBand) {
    const band = keyValue(g, { k: g.input("kb", ["D", nkv * dh]), v: g.input("vb", ["D", nkv * dh]), dims });
    const scores = g.op("Add", [g.op("MatMul", [q4, band.kT]), g.input("bias", [ROWS, "D"])]);
    parts.push({ scores, values: band.v4 });
  }
  const m = parts.map((p) => rowMax(g, p.scores)).reduce((a, b) => g.op("Max", [a, b]));
  const sums = parts.map((p) => expPart(g, p, m));
  const l = sums.map((s) => s.l).reduce((a, b) => g.op("Add", [a, b]));
  const o = g.op("Div", [sums.map((s) => s.o).reduce((a, b) => g.op("Add", [a, b])), l]);
  const lse = g.op("Add", [m, g.op("Log", [l])]); // [nkv, g, C, 1]
  const toRows = (x: string, width: number): string =>
    g.op("Reshape", [g.op("Transpose", [x], { attrs: [attrInts("perm", [2, 0, 1, 3])] }), g.ints([-1, width])]);
  g.output(toRows(o, nq * dh), "out", [ROWS, nq * dh]);
  g.output(toRows(lse, nq), "lse", [ROWS, nq]);
  return g.build();
}
