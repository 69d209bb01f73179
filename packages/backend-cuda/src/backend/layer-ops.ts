// The Backend ops' device work: each enqueues its kernels on the context's stream inside an OpScope (temporaries
// freed at the end, stream-ordered; outputs freed on failure). Ops that return host data resolve once the stream has
// finished them; attnIn / attnOut resolve once enqueued unless `awaitOps` is on.

import type { AttentionMask, AttentionResult, AttnInput, ModelConfig } from "@apb/core";
import { dtypeCode, withScope } from "../device/index.js";
import type { CudaTensor, DeviceDType, DeviceOps, OpScope } from "../device/index.js";
import type { AttentionRouteCode } from "../native/index.js";
import type { DeviceModel } from "./device-model.js";

/** What every op needs: the device, the weights, the shapes, the storage type, and GEMM path bookkeeping. */
export interface LayerContext {
  readonly dev: DeviceOps;
  readonly model: DeviceModel;
  readonly config: ModelConfig;
  readonly dt: DeviceDType;
  /** Which GEMM implementations ran so far (reported by the check). */
  readonly gemmPaths: Set<string>;
  /** Attention route asked for (0 = our kernel, 1 = cuDNN where it can run) and the routes that ran so far. */
  readonly attentionRoute: AttentionRouteCode;
  readonly attentionPaths: Set<string>;
  /** Whether attnIn / attnOut / embed wait for their GPU work (backend option awaitOps; the bench's profiles turn it on). */
  awaitOps: boolean;
}

/** y = x · wᵀ; y's dtype picks the output type (float32 for logits and head scores). */
function gemm(lc: LayerContext, y: CudaTensor, x: CudaTensor, w: CudaTensor): void {
  const path = lc.dev.run("gemm", {
    y: y.buffer,
    outType: dtypeCode(y.dtype),
    x: x.buffer,
    w: w.buffer,
    m: x.numRows,
    n: w.shape[0]!,
    k: w.shape[1]!,
    inType: dtypeCode(x.dtype),
  });
  lc.gemmPaths.add(path);
}

function rmsnorm(lc: LayerContext, out: CudaTensor, x: CudaTensor, weight: CudaTensor): void {
  const dim = weight.numel;
  lc.dev.run("rmsnorm", { out: out.buffer, x: x.buffer, weight: weight.buffer, rows: x.numRows, dim, eps: lc.config.rmsNormEps, dtype: dtypeCode(lc.dt) });
}

function addInto(lc: LayerContext, out: CudaTensor, other: CudaTensor): void {
  lc.dev.run("add", { out: out.buffer, a: out.buffer, b: other.buffer, count: out.numel, dtype: dtypeCode(lc.dt) });
}

/** Raw retaining-head scores fc2(silu(fc1([q|k|v]))) from the pre-RoPE qkv block → [rows, numOut] float32. */
function headScores(lc: LayerContext, s: OpScope, layer: number, qkv: CudaTensor): CudaTensor {
  const heads = lc.model.layers[layer]!.heads!;
  const rows = qkv.numRows;
  const h1 = s.temp([rows, heads.hidden], lc.dt);
  gemm(lc, h1, qkv, heads.fc1);
  lc.dev.run("silu", { x: h1.buffer, count: h1.numel, dtype: dtypeCode(lc.dt) });
  const scores = s.temp([rows, heads.numOut], "float32");
  gemm(lc, scores, h1, heads.fc2);
  return scores;
}

/** x = rmsnorm(hidden); [q|k|v] = x·Wqkvᵀ (+b); optional head scores; RoPE on q and k; v copied out. */
export function attnInOnDevice(lc: LayerContext, layer: number, hidden: CudaTensor, a: { positions: Int32Array; withScores: boolean }): Promise<AttnInput<CudaTensor>> {
  const { numHeads: nq, numKvHeads: nkv, headDim: dh, hiddenSize: d } = lc.config;
  const lw = lc.model.layers[layer]!;
  const width = (nq + 2 * nkv) * dh;
  const rows = hidden.numRows;
  return withScope(lc.dev, async (s) => {
    const x = s.temp([rows, d], lc.dt);
    rmsnorm(lc, x, hidden, lw.inputNorm);
    const qkv = s.temp([rows, width], lc.dt);
    gemm(lc, qkv, x, lw.wqkv);
    if (lw.bqkv !== undefined) lc.dev.run("biasAdd", { x: qkv.buffer, bias: lw.bqkv.buffer, rows, cols: width, dtype: dtypeCode(lc.dt) });
    const scores = a.withScores ? headScores(lc, s, layer, qkv) : undefined;
    const positions = s.raw(a.positions);
    const rope = (out: CudaTensor, inCol: number, heads: number): void =>
      lc.dev.run("rope", { out: out.buffer, in: qkv.buffer, inStride: width, inCol, positions, invFreq: lc.model.invFreq, rows, heads, dh, dtype: dtypeCode(lc.dt) });
    const q = s.out([rows, nq * dh], lc.dt);
    rope(q, 0, nq);
    const k = s.out([rows, nkv * dh], lc.dt);
    rope(k, nq * dh, nkv);
    const v = s.out([rows, nkv * dh], lc.dt);
    lc.dev.copyColumns(v, qkv, { col: (nq + nkv) * dh, width: nkv * dh, srcCols: width });
    const downloaded = scores === undefined ? undefined : await lc.dev.download(scores);
    if (lc.awaitOps) await lc.dev.fence("attnIn");
    return { q, k, v, scores: downloaded };
  });
}

/** Masked GQA attention with the LSE per row and head. */
export function attentionOnDevice(lc: LayerContext, qkv: { q: CudaTensor; k: CudaTensor; v: CudaTensor }, mask: AttentionMask): Promise<AttentionResult<CudaTensor>> {
  const { numHeads: nq, numKvHeads: nkv, headDim: dh } = lc.config;
  const tq = qkv.q.numRows;
  return withScope(lc.dev, async (s) => {
    const out = s.out([tq, nq * dh], lc.dt);
    const lse = s.temp([tq, nq], "float32");
    const ran = lc.dev.run("attention", {
      route: lc.attentionRoute,
      out: out.buffer,
      lse: lse.buffer,
      q: qkv.q.buffer,
      k: qkv.k.buffer,
      v: qkv.v.buffer,
      tq,
      tk: qkv.k.numRows,
      nq,
      nkv,
      dh,
      anchorRows: mask.anchorRows,
      offset: mask.offset,
      dtype: dtypeCode(lc.dt),
    });
    lc.attentionPaths.add(ran);
    return { out, lse: await lc.dev.download(lse) };
  });
}

/** h = hidden + attn·Woᵀ; returns h + down(silu(gate(x))·up(x)) with x = rmsnorm(h). */
export function attnOutOnDevice(lc: LayerContext, layer: number, hidden: CudaTensor, attn: CudaTensor): Promise<CudaTensor> {
  const { hiddenSize: d, intermediateSize: im } = lc.config;
  const lw = lc.model.layers[layer]!;
  const rows = hidden.numRows;
  return withScope(lc.dev, async (s) => {
    const h = s.temp([rows, d], lc.dt);
    gemm(lc, h, attn, lw.wo);
    addInto(lc, h, hidden);
    const x = s.temp([rows, d], lc.dt);
    rmsnorm(lc, x, h, lw.postNorm);
    const gateUp = s.temp([rows, 2 * im], lc.dt);
    gemm(lc, gateUp, x, lw.wGateUp);
    const act = s.temp([rows, im], lc.dt);
    lc.dev.run("swiglu", { out: act.buffer, gateUp: gateUp.buffer, rows, inter: im, dtype: dtypeCode(lc.dt) });
    const y = s.out([rows, d], lc.dt);
    gemm(lc, y, act, lw.wDown);
    addInto(lc, y, h);
    if (lc.awaitOps) await lc.dev.fence("attnOut");
    return y;
  });
}

/** Final rmsnorm and LM head on every row into a float32 temporary [rows, vocab]. */
function logitsTemp(lc: LayerContext, s: OpScope, hidden: CudaTensor): CudaTensor {
  const rows = hidden.numRows;
  const x = s.temp([rows, lc.config.hiddenSize], lc.dt);
  rmsnorm(lc, x, hidden, lc.model.finalNorm);
  const y = s.temp([rows, lc.config.vocabSize], "float32");
  gemm(lc, y, x, lc.model.lmHead);
  return y;
}

/** Final rmsnorm and LM head on every row → float32 [rows, vocab]. */
export function logitsOnDevice(lc: LayerContext, hidden: CudaTensor): Promise<Float32Array> {
  return withScope(lc.dev, async (s) => lc.dev.download(logitsTemp(lc, s, hidden)));
}

/** Greedy sampling on the device: the logits as in logitsOnDevice, then each row's argmax; only the ids come back. */
export function greedyTokensOnDevice(lc: LayerContext, hidden: CudaTensor): Promise<Int32Array> {
  const rows = hidden.numRows;
  return withScope(lc.dev, async (s) => {
    const y = logitsTemp(lc, s, hidden);
    const ids = s.raw(new Int32Array(rows));
    lc.dev.run("argmax", { out: ids, logits: y.buffer, rows, vocab: lc.config.vocabSize });
    return lc.dev.downloadInts(ids, rows);
  });
}

/** Training-free selection scores → float32 [rows, nkv]. */
export function queryScoresOnDevice(lc: LayerContext, q: CudaTensor, k: CudaTensor): Promise<Float32Array> {
  const { numHeads: nq, numKvHeads: nkv, headDim: dh } = lc.config;
  return withScope(lc.dev, async (s) => {
    const out = s.temp([k.numRows, nkv], "float32");
    lc.dev.run("queryScores", { out: out.buffer, q: q.buffer, k: k.buffer, probes: q.numRows, rows: k.numRows, nq, nkv, dh, dtype: dtypeCode(lc.dt) });
    return lc.dev.download(out);
  });
}
