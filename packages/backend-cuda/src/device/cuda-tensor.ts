// Tensors in GPU memory: a device buffer plus shape and element type. Row-major, shape[0] is the token (row) axis.

import type { Tensor } from "@apb/core";
import type { DTypeCode, NativeBuffer } from "../native/index.js";

/** Storage types of device tensors. */
export type DeviceDType = "float32" | "bfloat16";

export function dtypeCode(dt: DeviceDType): DTypeCode {
  return dt === "float32" ? 0 : 1;
}

export function dtypeBytes(dt: DeviceDType): number {
  return dt === "float32" ? 4 : 2;
}

/** A tensor owned by one CudaBackend; free it with the backend's dispose (the GC frees it otherwise). */
export class CudaTensor implements Tensor {
  private released = false;
  /** Rows the buffer holds (≥ numRows): spare rows behind the data, which appendRows fills without copying the rest. */
  readonly capacityRows: number;

  constructor(
    readonly shape: readonly number[],
    readonly dtype: DeviceDType,
    readonly buffer: NativeBuffer,
    capacityRows?: number,
  ) {
    this.capacityRows = Math.max(capacityRows ?? 0, shape[0] ?? 0);
  }

  get numRows(): number {
    return this.shape[0] ?? 0;
  }

  /** Values per row. */
  get rowSize(): number {
    return this.shape.slice(1).reduce((a, b) => a * b, 1);
  }

  get numel(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }

  get rowBytes(): number {
    return this.rowSize * dtypeBytes(this.dtype);
  }

  get bytes(): number {
    return this.numel * dtypeBytes(this.dtype);
  }

  get isReleased(): boolean {
    return this.released;
  }

  /** Hands the buffer on (appendRows made a tensor over it): marks this tensor released without freeing anything. */
  handOver(): void {
    this.released = true;
  }

  /** Marks the tensor freed; false when it already was (dispose is idempotent). */
  markReleased(): boolean {
    if (this.released) return false;
    this.released = true;
    return true;
  }
}
