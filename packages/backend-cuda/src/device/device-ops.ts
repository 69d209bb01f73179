// The addon behind one context, with typed tensors: every call's failure becomes a CudaError naming the op.

import { BackendError } from "@apb/core";
import { toCudaError } from "../errors/index.js";
import type { NativeAddon, NativeBuffer, NativeContext, NativeMemoryInfo, OpFields, OpName, OpResult } from "../native/index.js";
import { CudaTensor, dtypeBytes, dtypeCode } from "./cuda-tensor.js";
import type { DeviceDType } from "./cuda-tensor.js";

function numelOf(shape: readonly number[]): number {
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) throw new BackendError("BACKEND_FAILED", `bad tensor shape [${shape.join(", ")}]`);
  return shape.reduce((a, b) => a * b, 1);
}

/** Device memory and kernels of one context. Enqueueing calls return at once; fence/download wait off-thread. */
export class DeviceOps {
  constructor(
    readonly addon: NativeAddon,
    readonly ctx: NativeContext,
  ) {}

  private call<R>(op: string, f: () => R): R {
    try {
      return f();
    } catch (err) {
      throw toCudaError(err, op);
    }
  }

  /** Enqueues one kernel op. */
  run<K extends OpName>(op: K, fields: OpFields[K]): OpResult<K> {
    const fn = this.addon[op] as unknown as (c: NativeContext, f: OpFields[K]) => OpResult<K>;
    return this.call(op, () => fn(this.ctx, fields));
  }

  alloc(shape: readonly number[], dtype: DeviceDType): CudaTensor {
    return this.allocRows(shape, dtype, shape[0] ?? 0);
  }

  /** A tensor of `shape` whose buffer holds `capacityRows` rows (≥ shape[0]); the rows past shape[0] are spare. */
  allocRows(shape: readonly number[], dtype: DeviceDType, capacityRows: number): CudaTensor {
    const numel = numelOf(shape); // checks every dimension
    const rows = Math.max(capacityRows, shape[0] ?? 0);
    const bytes = (shape.length === 0 ? numel : rows * numelOf(shape.slice(1))) * dtypeBytes(dtype);
    return new CudaTensor([...shape], dtype, this.call("alloc", () => this.addon.alloc(this.ctx, bytes)), rows);
  }

  /** float32 data into a new tensor of `dtype` (converted on the device). */
  upload(data: Float32Array, shape: readonly number[], dtype: DeviceDType): CudaTensor {
    if (numelOf(shape) !== data.length) throw new BackendError("BACKEND_FAILED", `upload: shape [${shape.join(", ")}] does not hold ${data.length} values`);
    const t = this.alloc(shape, dtype);
    try {
      this.uploadInto(t, data, 0);
    } catch (err) {
      this.free(t);
      throw err;
    }
    return t;
  }

  /** float32 data into `t` starting at element `offset`. */
  uploadInto(t: CudaTensor, data: Float32Array, offset: number): void {
    this.call("upload", () => this.addon.upload(this.ctx, { dst: t.buffer, dtype: dtypeCode(t.dtype), data, offset }));
  }

  /** Raw int32 / float64 data (ids, positions, indices, RoPE frequencies) into a new buffer. */
  uploadRaw(data: Int32Array | Float64Array): NativeBuffer {
    const buf = this.call("alloc", () => this.addon.alloc(this.ctx, data.byteLength));
    try {
      this.call("upload", () => this.addon.upload(this.ctx, { dst: buf, dtype: 0, data, offset: 0 }));
    } catch (err) {
      this.free(buf);
      throw err;
    }
    return buf;
  }

  /** The tensor as float32, once every op enqueued before has finished. */
  async download(t: CudaTensor): Promise<Float32Array> {
    try {
      return await this.addon.download(this.ctx, { src: t.buffer, dtype: dtypeCode(t.dtype), count: t.numel, offset: 0, as: "f32" });
    } catch (err) {
      throw toCudaError(err, "download");
    }
  }

  async downloadInts(buf: NativeBuffer, count: number): Promise<Int32Array> {
    try {
      return await this.addon.download(this.ctx, { src: buf, dtype: 0, count, offset: 0, as: "i32" });
    } catch (err) {
      throw toCudaError(err, "download");
    }
  }

  /** Copies `rows` rows of `src` starting at `srcRow` into `dst` at `dstRow` (same row size and dtype). */
  copyRows(dst: CudaTensor, dstRow: number, src: CudaTensor, range: { start: number; rows: number }): void {
    const rb = src.rowBytes;
    this.call("copy", () => this.addon.copy(this.ctx, { dst: dst.buffer, dstOffset: dstRow * rb, src: src.buffer, srcOffset: range.start * rb, bytes: range.rows * rb }));
  }

  /** A column block [col, col + width) of every row of `src` (row size srcCols) into contiguous `dst`. */
  copyColumns(dst: CudaTensor, src: CudaTensor, cols: { col: number; width: number; srcCols: number }): void {
    const es = dtypeBytes(src.dtype);
    this.call("copy2d", () =>
      this.addon.copy2d(this.ctx, {
        dst: dst.buffer,
        dstOffset: 0,
        dstPitch: cols.width * es,
        src: src.buffer,
        srcOffset: cols.col * es,
        srcPitch: cols.srcCols * es,
        width: cols.width * es,
        height: src.numRows,
      }),
    );
  }

  fill(t: CudaTensor, value: number): void {
    this.call("fill", () => this.addon.fill(this.ctx, { dst: t.buffer, dtype: dtypeCode(t.dtype), count: t.numel, value }));
  }

  /** Frees a tensor (idempotent) or a raw buffer; stream-ordered, so pending ops that read it still see it. */
  free(x: CudaTensor | NativeBuffer): void {
    if (x instanceof CudaTensor) {
      if (x.markReleased()) this.call("free", () => this.addon.free(x.buffer));
    } else {
      this.call("free", () => this.addon.free(x));
    }
  }

  /** Resolves when every op enqueued so far finished; rejects with a CudaError naming `op`. */
  async fence(op: string): Promise<void> {
    try {
      await this.addon.fence(this.ctx, op);
    } catch (err) {
      throw toCudaError(err, op);
    }
  }

  /** The device's memory and the memory pool's peaks since the last reset (then resets them when asked). */
  memoryInfo(resetPeaks: boolean): NativeMemoryInfo {
    return this.call("memoryInfo", () => this.addon.memoryInfo(this.ctx, { resetPeaks: resetPeaks ? 1 : 0 }));
  }

  close(): void {
    this.call("closeContext", () => this.addon.closeContext(this.ctx));
  }
}
