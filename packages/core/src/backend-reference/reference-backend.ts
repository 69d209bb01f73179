// The reference backend: every Backend op in plain TypeScript over CpuTensor, float32 storage with float64 sums.
// It is the oracle the other backends are tested against, so it favours the obvious computation over speed.

import type { AttentionMask, AttentionResult, AttnInput, Backend, BackendFactory, BackendInit } from "../backend/backend.js";
import type { LayerWeights, ModelConfig, ModelWeights, RetainingHeadWeights } from "../model/types.js";
import { ropeInvFreq, ropeTables } from "../model/rope.js";
import { CpuTensor } from "../tensor/tensor.js";
import { CpuBackendBase } from "./cpu-backend-base.js";
import { checkRowSize, ensure } from "./cpu-tensor-ops.js";
import type { HeadDims } from "./cpu-tensor-ops.js";
import { referenceAttention } from "./reference-attention.js";
import { addInPlace, linear, rmsNorm, ropeInPlace, siluInPlace, swigluInPlace } from "./reference-math.js";
import { checkBackendInit } from "./weight-checks.js";

/** Backend on plain TypeScript loops. Tensors are CpuTensor, 2-D [rows, features]. */
export class ReferenceBackend extends CpuBackendBase implements Backend<CpuTensor> {
  readonly name = "reference";
  private readonly config: ModelConfig;
  private readonly weights: ModelWeights;
  private readonly heads: RetainingHeadWeights | undefined;
  private readonly invFreq: Float64Array;
  protected readonly dims: HeadDims;

  /** @throws BackendError / ModelError when the init is inconsistent (see checkBackendInit). */
  constructor(init: BackendInit) {
    super();
    checkBackendInit(init);
    this.config = init.config;
    this.weights = init.weights;
    this.heads = init.heads;
    this.invFreq = ropeInvFreq(init.config);
    this.dims = { nq: init.config.numHeads, nkv: init.config.numKvHeads, dh: init.config.headDim };
  }

  async embed(ids: Int32Array): Promise<CpuTensor> {
    const d = this.config.hiddenSize;
    const out = new Float32Array(ids.length * d);
    for (let t = 0; t < ids.length; t++) {
      const id = ids[t]!;
      ensure(Number.isInteger(id) && id >= 0 && id < this.config.vocabSize, "embed", `token id ${id} outside [0, ${this.config.vocabSize})`);
      out.set(this.weights.embed.subarray(id * d, (id + 1) * d), t * d);
    }
    return new CpuTensor(out, [ids.length, d]);
  }

  async attnIn(layer: number, hidden: CpuTensor, positions: Int32Array, withScores: boolean): Promise<AttnInput<CpuTensor>> {
    const lw = this.layer(layer);
    const { nq, nkv, dh } = this.dims;
    const d = this.config.hiddenSize;
    checkRowSize("attnIn hidden", hidden, d);
    const rows = hidden.numRows;
    ensure(positions.length === rows, "attnIn", `${positions.length} positions for ${rows} rows`);
    const x = rmsNorm(hidden.data, lw.inputNorm, this.config.rmsNormEps);
    const q = linear(x, rows, { w: lw.wq, b: lw.bq, inDim: d, outDim: nq * dh });
    const k = linear(x, rows, { w: lw.wk, b: lw.bk, inDim: d, outDim: nkv * dh });
    const v = linear(x, rows, { w: lw.wv, b: lw.bv, inDim: d, outDim: nkv * dh });
    const scores = withScores ? this.headScores(layer, { q, k, v, rows }) : undefined;
    const tables = ropeTables(this.invFreq, positions);
    ropeInPlace(q, nq, dh, tables);
    ropeInPlace(k, nkv, dh, tables);
    return {
      q: new CpuTensor(q, [rows, nq * dh]),
      k: new CpuTensor(k, [rows, nkv * dh]),
      v: new CpuTensor(v, [rows, nkv * dh]),
      scores,
    };
  }

  async attention(q: CpuTensor, k: CpuTensor, v: CpuTensor, mask: AttentionMask): Promise<AttentionResult<CpuTensor>> {
    const { out, lse } = referenceAttention(q, k, v, { dims: this.dims, mask });
    return { out: new CpuTensor(out, [q.numRows, this.dims.nq * this.dims.dh]), lse };
  }

  async attnOut(layer: number, hidden: CpuTensor, attn: CpuTensor): Promise<CpuTensor> {
    const lw = this.layer(layer);
    const { nq, dh } = this.dims;
    const { hiddenSize: d, intermediateSize: im } = this.config;
    checkRowSize("attnOut hidden", hidden, d);
    checkRowSize("attnOut attn", attn, nq * dh);
    const rows = hidden.numRows;
    ensure(attn.numRows === rows, "attnOut", `hidden has ${rows} rows, attn ${attn.numRows}`);
    const h = addInPlace(linear(attn.data, rows, { w: lw.wo, b: undefined, inDim: nq * dh, outDim: d }), hidden.data);
    const x = rmsNorm(h, lw.postNorm, this.config.rmsNormEps);
    const gate = linear(x, rows, { w: lw.wGate, b: undefined, inDim: d, outDim: im });
    const up = linear(x, rows, { w: lw.wUp, b: undefined, inDim: d, outDim: im });
    const down = linear(swigluInPlace(gate, up), rows, { w: lw.wDown, b: undefined, inDim: im, outDim: d });
    return new CpuTensor(addInPlace(down, h), [rows, d]);
  }

  async logits(hidden: CpuTensor): Promise<Float32Array> {
    const { hiddenSize: d, vocabSize: vocab } = this.config;
    checkRowSize("logits hidden", hidden, d);
    const x = rmsNorm(hidden.data, this.weights.finalNorm, this.config.rmsNormEps);
    return linear(x, hidden.numRows, { w: this.weights.lmHead, b: undefined, inDim: d, outDim: vocab });
  }

  async close(): Promise<void> {
    // Nothing native to release.
  }

  private layer(layer: number): LayerWeights {
    const lw = this.weights.layers[layer];
    ensure(Number.isInteger(layer) && lw !== undefined, "layer", `layer ${layer} outside [0, ${this.config.numLayers})`);
    return lw;
  }

  /** s = fc2(silu(fc1([q|k|v]))) on the pre-RoPE projections → [rows, numOut]. */
  private headScores(layer: number, pre: { q: Float32Array; k: Float32Array; v: Float32Array; rows: number }): Float32Array {
    const hl = this.heads?.layers[layer];
    ensure(hl !== undefined, "attnIn", "retaining-head scores asked for, but the backend has no retaining heads");
    const { nq, nkv, dh } = this.dims;
    const width = (nq + 2 * nkv) * dh;
    const qkv = new Float32Array(pre.rows * width);
    for (let t = 0; t < pre.rows; t++) {
      qkv.set(pre.q.subarray(t * nq * dh, (t + 1) * nq * dh), t * width);
      qkv.set(pre.k.subarray(t * nkv * dh, (t + 1) * nkv * dh), t * width + nq * dh);
      qkv.set(pre.v.subarray(t * nkv * dh, (t + 1) * nkv * dh), t * width + (nq + nkv) * dh);
    }
    const hidden = siluInPlace(linear(qkv, pre.rows, { w: hl.fc1, b: undefined, inDim: width, outDim: hl.hidden }));
    return linear(hidden, pre.rows, { w: hl.fc2, b: undefined, inDim: hl.hidden, outDim: hl.numOut });
  }
}

/** BackendFactory for the reference backend. */
export const createReferenceBackend: BackendFactory = async (init: BackendInit) => new ReferenceBackend(init);
