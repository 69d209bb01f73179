// The attention oracle: the AttentionMask prefix rule, and masked GQA attention with natural-log LSE in float64.

import { numVisibleKeys } from "../backend/backend.js";
import type { AttentionMask } from "../backend/backend.js";
import type { CpuTensor } from "../tensor/tensor.js";
import { checkRowSize, ensure } from "./cpu-tensor-ops.js";
import type { HeadDims } from "./cpu-tensor-ops.js";

/**
 * Validates q/k/v shapes and the mask for attention.
 * @throws BackendError BACKEND_FAILED on a shape mismatch or a negative / fractional mask field.
 */
export function checkAttentionInputs(q: CpuTensor, k: CpuTensor, v: CpuTensor, spec: { dims: HeadDims; mask: AttentionMask }): void {
  const { dims, mask } = spec;
  ensure(dims.nq % dims.nkv === 0, "attention", `nq ${dims.nq} is not a multiple of nkv ${dims.nkv}`);
  checkRowSize("attention q", q, dims.nq * dims.dh);
  checkRowSize("attention k", k, dims.nkv * dims.dh);
  checkRowSize("attention v", v, dims.nkv * dims.dh);
  ensure(k.numRows === v.numRows, "attention", `k has ${k.numRows} rows, v has ${v.numRows}`);
  const okField = (n: number): boolean => Number.isInteger(n) && n >= 0;
  ensure(okField(mask.anchorRows) && okField(mask.offset), "attention", `mask fields must be non-negative integers, got ${JSON.stringify(mask)}`);
}

/**
 * out[i, h] = Σ_t softmax_t(q_i,h · k_t,j / √dh) v_t,j over the visible keys t, with j = h / (nq/nkv);
 * lse[i, h] = m + ln Σ exp(s − m). A row that sees no key gets out = 0 and lse = −Infinity.
 * q: [Tq, nq*dh], k/v: [Tk, nkv*dh] → out [Tq, nq*dh], lse [Tq, nq].
 */
export function referenceAttention(q: CpuTensor, k: CpuTensor, v: CpuTensor, spec: { dims: HeadDims; mask: AttentionMask }): { out: Float32Array; lse: Float32Array } {
  checkAttentionInputs(q, k, v, spec);
  const { nq, nkv, dh } = spec.dims;
  const tq = q.numRows;
  const tk = k.numRows;
  const out = new Float32Array(tq * nq * dh);
  const lse = new Float32Array(tq * nq);
  const scores = new Float64Array(tk);
  const acc = new Float64Array(dh);
  const scale = 1 / Math.sqrt(dh);
  for (let i = 0; i < tq; i++) {
    const vis = numVisibleKeys(i, spec.mask, tk);
    for (let h = 0; h < nq; h++) {
      const j = Math.floor(h / (nq / nkv));
      const r = attendOneHead({ q: q.data, k: k.data, v: v.data }, { qOff: (i * nq + h) * dh, kvOff: j * dh, kvStride: nkv * dh, dh, vis, scale }, scores, acc);
      lse[i * nq + h] = r;
      for (let d = 0; d < dh; d++) out[(i * nq + h) * dh + d] = acc[d]!;
    }
  }
  return { out, lse };
}

interface HeadRow {
  readonly qOff: number;
  readonly kvOff: number;
  readonly kvStride: number;
  readonly dh: number;
  readonly vis: number;
  readonly scale: number;
}

/** One (row, head): writes the normalised output into acc, returns the LSE. */
function attendOneHead(data: { q: Float32Array; k: Float32Array; v: Float32Array }, at: HeadRow, scores: Float64Array, acc: Float64Array): number {
  const { qOff, kvOff, kvStride, dh, vis, scale } = at;
  acc.fill(0);
  if (vis === 0) return -Infinity;
  let m = -Infinity;
  for (let t = 0; t < vis; t++) {
    const ko = t * kvStride + kvOff;
    let s = 0;
    for (let d = 0; d < dh; d++) s += data.q[qOff + d]! * data.k[ko + d]!;
    s *= scale;
    scores[t] = s;
    if (s > m) m = s;
  }
  let sum = 0;
  for (let t = 0; t < vis; t++) {
    const p = Math.exp(scores[t]! - m);
    sum += p;
    const vo = t * kvStride + kvOff;
    for (let d = 0; d < dh; d++) acc[d] = acc[d]! + p * data.v[vo + d]!;
  }
  for (let d = 0; d < dh; d++) acc[d] = acc[d]! / sum;
  return m + Math.log(sum);
}
