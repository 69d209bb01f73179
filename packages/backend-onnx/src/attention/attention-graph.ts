// The attention chunk graph: GQA scores as one batched MatMul per KV head against a fully visible key prefix
// (and optionally a biased diagonal band), ORT's fused row-wise Softmax, and the natural-log LSE recovered from the
// softmax's largest probability. No n×n matrix, no K/V repetition.

import { GraphBuilder, attrGraph, attrInt, attrInts } from "../graph/index.js";
import type { BuiltGraph } from "../graph/index.js";
import type { HeadDims } from "@apb/core";

const ROWS = "C";

/**
 * Additive bias for masked band keys. Finite on purpose: a band row whose keys are all masked then gets a uniform
 * softmax (no NaN) with lse ≈ −1e30, whose merge weight exp(−1e30 − lse) is exactly 0. Real scores are ≪ 1e30.
 */
export const MASKED_BIAS = -1e30;

interface PartResult {
  readonly o: string; // [nkv, g*C, dh], normalised over this part's keys
  readonly lse: string; // [nkv, g*C, 1]
}

/**
 * Attention of q3 [nkv, g*C, dh] (pre-scaled) over one block of key rows k/v [keys, nkv*dh].
 * lse = max(s) − ln(max(softmax(s))): the largest probability is exp(0)/Σexp(s − max) ≥ 1/keys, so this is exact
 * to float32 rounding and costs one extra read pass instead of a separate exp/sum over the scores.
 */
function attendPart(g: GraphBuilder, spec: { q3: string; k: string; v: string; dims: HeadDims; bias?: string }): PartResult {
  const { nkv, dh } = spec.dims;
  const kvShape = g.ints([0, nkv, dh]);
  const kT = g.op("Transpose", [g.op("Reshape", [spec.k, kvShape])], { attrs: [attrInts("perm", [1, 2, 0])] }); // [nkv, dh, keys]
  const v3 = g.op("Transpose", [g.op("Reshape", [spec.v, kvShape])], { attrs: [attrInts("perm", [1, 0, 2])] }); // [nkv, keys, dh]
  const raw = g.op("MatMul", [spec.q3, kT]); // [nkv, g*C, keys]
  const s = spec.bias === undefined ? raw : g.op("Add", [raw, spec.bias]);
  const rowMax = (x: string): string => g.op("ReduceMax", [x], { attrs: [attrInts("axes", [-1]), attrInt("keepdims", 1)] });
  const p = g.op("Softmax", [s], { attrs: [attrInt("axis", -1)] });
  const lse = g.op("Sub", [rowMax(s), g.op("Log", [rowMax(p)])]);
  return { o: g.op("MatMul", [p, v3]), lse };
}

/** Merges two normalised partial attentions by their LSEs (exact; weights ≤ 1, no overflow). */
function mergeParts(g: GraphBuilder, a: PartResult, b: PartResult): PartResult {
  const m = g.op("Max", [a.lse, b.lse]);
  const wa = g.op("Exp", [g.op("Sub", [a.lse, m])]);
  const wb = g.op("Exp", [g.op("Sub", [b.lse, m])]);
  const z = g.op("Add", [wa, wb]);
  const o = g.op("Div", [g.op("Add", [g.op("Mul", [a.o, wa]), g.op("Mul", [b.o, wb])]), z]);
  return { o, lse: g.op("Add", [m, g.op("Log", [z])]) };
}

/**
 * Loop over key blocks kblk/vblk [NB, BK, nkv*dh], merging each block into `init`. One block's scores
 * [nkv, g*C, BK] stay cache-sized, where one MatMul over the whole prefix would stream every pass through memory.
 */
function attendBlocks(g: GraphBuilder, spec: { q3: string; dims: HeadDims; init: PartResult }): PartResult {
  const { nkv, dh } = spec.dims;
  const kblk = g.input("kblk", ["NB", "BK", nkv * dh]);
  const vblk = g.input("vblk", ["NB", "BK", nkv * dh]);
  const numBlocks = g.op("Gather", [g.op("Shape", [kblk]), g.intScalar(0)]);
  const body = new GraphBuilder("key_block", g);
  const iter = body.input(body.fresh("iter"), [], "int64");
  const condIn = body.input(body.fresh("cond"), [], "bool");
  const state = { o: body.input(body.fresh("o"), [nkv, "GC", dh]), lse: body.input(body.fresh("lse"), [nkv, "GC", 1]) };
  const block = (x: string): string => body.op("Gather", [x, iter], { attrs: [attrInt("axis", 0)] }); // [BK, nkv*dh]
  const merged = mergeParts(body, state, attendPart(body, { q3: spec.q3, k: block(kblk), v: block(vblk), dims: spec.dims }));
  body.output(condIn, body.fresh("cond_out"), [], "bool");
  body.output(merged.o, body.fresh("o_out"), [nkv, "GC", dh]);
  body.output(merged.lse, body.fresh("lse_out"), [nkv, "GC", 1]);
  const [o, lse] = g.opN("Loop", [numBlocks, "", spec.init.o, spec.init.lse], { attrs: [attrGraph("body", body.graph())], numOutputs: 2 });
  return { o: o!, lse: lse! };
}

/** Which parts a chunk graph has besides the fully visible key rows kp/vp. */
export interface AttentionGraphKind {
  /** Key blocks kblk/vblk [NB, BK, nkv*dh] before kp, all fully visible, processed in a Loop. */
  readonly blocks: boolean;
  /** A diagonal band kb/vb [D, nkv*dh] after kp with bias [C, D]. */
  readonly band: boolean;
}

/**
 * Inputs: q [C, nq*dh]; kp/vp [P, nkv*dh] (keys every row sees, P ≥ 1); with `blocks` kblk/vblk; with `band`
 * kb/vb [D, nkv*dh] and bias [C, D] (0 visible / MASKED_BIAS). Outputs: out [C, nq*dh] and lse [C, nq].
 */
export function buildAttentionGraph(dims: HeadDims, kind: AttentionGraphKind): BuiltGraph {
  const { nq, nkv, dh } = dims;
  const group = nq / nkv;
  const g = new GraphBuilder(`attention${kind.blocks ? "_blocks" : ""}${kind.band ? "_band" : ""}`);
  const q = g.op("Mul", [g.input("q", [ROWS, nq * dh]), g.scalar(1 / Math.sqrt(dh))]);
  const q4 = g.op("Transpose", [g.op("Reshape", [q, g.ints([0, nkv, group, dh])])], { attrs: [attrInts("perm", [1, 2, 0, 3])] }); // [nkv, g, C, dh]
  const q3 = g.op("Reshape", [q4, g.ints([nkv, -1, dh])]); // [nkv, g*C, dh]: a query group shares its KV head's MatMul
  let r = attendPart(g, { q3, k: g.input("kp", ["P", nkv * dh]), v: g.input("vp", ["P", nkv * dh]), dims });
  if (kind.blocks) r = attendBlocks(g, { q3, dims, init: r });
  if (kind.band) {
    const bias = g.op("Tile", [g.input("bias", [ROWS, "D"]), g.ints([group, 1])]); // [g*C, D], broadcast over nkv
    r = mergeParts(g, r, attendPart(g, { q3, k: g.input("kb", ["D", nkv * dh]), v: g.input("vb", ["D", nkv * dh]), dims, bias }));
  }
  const toRows = (x: string, inner: number): string => {
    const x4 = g.op("Reshape", [x, g.ints([nkv, group, -1, inner])]); // [nkv, g, C, inner]
    return g.op("Reshape", [g.op("Transpose", [x4], { attrs: [attrInts("perm", [2, 0, 1, 3])] }), g.ints([-1, nq * inner])]);
  };
  g.output(toRows(r.o, dh), "out", [ROWS, nq * dh]);
  g.output(toRows(r.lse, 1), "lse", [ROWS, nq]);
  return g.build();
}
