// Shape-level ops on host-memory tensors shared by the CPU backends: row gather/concat/slice, selection scores,
// and the shape checks every op runs before touching data.

import { BackendError } from "../errors/apb-error.js";
import { CpuTensor } from "../tensor/tensor.js";

/** Attention head layout of a model: query heads, KV heads, head size. */
export interface HeadDims {
  readonly nq: number;
  readonly nkv: number;
  readonly dh: number;
}

/**
 * Fails unless x is 2-D-compatible with `rowSize` values per row.
 * @throws BackendError BACKEND_FAILED naming the op and the shapes (an engine bug, not a user error).
 */
export function checkRowSize(op: string, x: CpuTensor, rowSize: number): void {
  const rows = x.shape[0] ?? 0;
  if (x.data.length !== rows * rowSize) {
    throw new BackendError("BACKEND_FAILED", `${op}: expected ${rowSize} values per row, got shape [${x.shape.join(", ")}]`, {
      data: { op, shape: [...x.shape], rowSize },
    });
  }
}

/** Fails with BACKEND_FAILED unless `ok`. */
export function ensure(ok: boolean, op: string, message: string): asserts ok {
  if (!ok) throw new BackendError("BACKEND_FAILED", `${op}: ${message}`, { data: { op } });
}

/** A copy of `data` as a tensor of `shape` (copied so later writes by the caller cannot alias backend state). */
export function uploadCpu(data: Float32Array, shape: readonly number[]): CpuTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  ensure(shape.every((d) => Number.isInteger(d) && d >= 0) && n === data.length, "upload", `shape [${shape.join(", ")}] does not hold ${data.length} values`);
  return new CpuTensor(data.slice(), [...shape]);
}

/** Rows [start, end) as a copy. */
export function sliceRowsCpu(x: CpuTensor, start: number, end: number): CpuTensor {
  const rows = x.numRows;
  ensure(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end && end <= rows, "sliceRows", `bad range [${start}, ${end}) of ${rows} rows`);
  const rowSize = x.rowSize;
  return new CpuTensor(x.data.slice(start * rowSize, end * rowSize), [end - start, ...x.shape.slice(1)]);
}

/** Concatenation along rows; every part has the same trailing shape. */
export function concatRowsCpu(parts: readonly CpuTensor[]): CpuTensor {
  ensure(parts.length > 0, "concatRows", "needs at least one part");
  const tail = parts[0]!.shape.slice(1);
  let total = 0;
  for (const p of parts) {
    ensure(p.shape.length === tail.length + 1 && p.shape.slice(1).every((d, i) => d === tail[i]), "concatRows", `part shape [${p.shape.join(", ")}] does not match [*, ${tail.join(", ")}]`);
    total += p.data.length;
  }
  const out = new Float32Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p.data, at);
    at += p.data.length;
  }
  const rows = parts.reduce((a, p) => a + p.numRows, 0);
  return new CpuTensor(out, [rows, ...tail]);
}

/** Spare rows a grown tensor gets: at least the rows appended, 1024, or a sixteenth of the new size. */
export function appendCapacityRows(rows: number, extraRows: number): number {
  return rows + Math.max(extraRows, 1024, Math.floor(rows / 16));
}

/**
 * `base` followed by `extra` (same row size), consuming `base`: when `storage` holds a larger array whose prefix is
 * base's data, extra is written behind it and the result views the same array; otherwise a new array with spare rows
 * (appendCapacityRows) is made. `storage` maps each tensor made here to its whole array.
 */
export function appendRowsCpu(base: CpuTensor, extra: CpuTensor, storage: WeakMap<CpuTensor, Float32Array>): CpuTensor {
  const tail = base.shape.slice(1);
  ensure(extra.shape.length === tail.length + 1 && extra.shape.slice(1).every((d, i) => d === tail[i]), "appendRows", `extra shape [${extra.shape.join(", ")}] does not match [*, ${tail.join(", ")}]`);
  const rows = base.numRows + extra.numRows;
  const n = base.data.length + extra.data.length;
  let whole = storage.get(base);
  if (whole === undefined || whole.buffer !== base.data.buffer || whole.byteOffset !== base.data.byteOffset || whole.length < n) {
    whole = new Float32Array(appendCapacityRows(rows, extra.numRows) * base.rowSize);
    whole.set(base.data, 0);
  }
  storage.delete(base);
  whole.set(extra.data, base.data.length);
  const out = new CpuTensor(whole.subarray(0, n), [rows, ...tail]);
  storage.set(out, whole);
  return out;
}

/** Per-KV-head row gather: out[r, j, :] = x[idx[r*nkv + j], j, :]. x: [T, nkv*dh], idx: [rows, nkv] → [rows, nkv*dh]. */
export function gatherHeadsCpu(x: CpuTensor, idx: Int32Array, spec: { rows: number; nkv: number }): CpuTensor {
  const { rows, nkv } = spec;
  const rowSize = x.rowSize;
  const dh = rowSize / nkv;
  const numRows = x.numRows;
  ensure(Number.isInteger(dh) && idx.length === rows * nkv, "gatherHeads", `idx has ${idx.length} entries for ${rows} rows × ${nkv} heads, x row size ${rowSize}`);
  const out = new Float32Array(rows * rowSize);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < nkv; j++) {
      const src = idx[r * nkv + j]!;
      ensure(src >= 0 && src < numRows, "gatherHeads", `index ${src} out of [0, ${numRows})`);
      const from = src * rowSize + j * dh;
      out.set(x.data.subarray(from, from + dh), r * rowSize + j * dh);
    }
  }
  return new CpuTensor(out, [rows, rowSize]);
}

/**
 * Training-free selection scores (APB.md 8): q̄_j = mean of KV head j's query heads, averaged over the probe rows
 * (the mean over rows of ⟨k, q̄_j[p]⟩ equals ⟨k, mean_p q̄_j[p]⟩), score[t, j] = ⟨k[t, j], q̄_j⟩, float64 sums, no scaling.
 * q: [P, nq*dh], k: [T, nkv*dh] → [T, nkv].
 */
export function queryScoresCpu(q: CpuTensor, k: CpuTensor, dims: HeadDims): Float32Array {
  const { nq, nkv, dh } = dims;
  checkRowSize("queryScores q", q, nq * dh);
  checkRowSize("queryScores k", k, nkv * dh);
  const probes = q.numRows;
  ensure(probes > 0 && nq % nkv === 0, "queryScores", `needs at least one probe row and nq divisible by nkv (got ${probes} rows, ${nq}/${nkv})`);
  const group = nq / nkv;
  const qbar = new Float64Array(nkv * dh); // [nkv, dh]
  for (let p = 0; p < probes; p++) {
    for (let h = 0; h < nq; h++) {
      const src = p * nq * dh + h * dh;
      const dst = Math.floor(h / group) * dh;
      for (let i = 0; i < dh; i++) qbar[dst + i] = qbar[dst + i]! + q.data[src + i]!;
    }
  }
  const norm = 1 / (probes * group);
  for (let i = 0; i < qbar.length; i++) qbar[i] = qbar[i]! * norm;
  const rows = k.numRows;
  const out = new Float32Array(rows * nkv);
  for (let t = 0; t < rows; t++) {
    for (let j = 0; j < nkv; j++) {
      const ko = t * nkv * dh + j * dh;
      let acc = 0;
      for (let i = 0; i < dh; i++) acc += k.data[ko + i]! * qbar[j * dh + i]!;
      out[t * nkv + j] = acc;
    }
  }
  return out;
}
