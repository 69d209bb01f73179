// Tensors as the engine sees them: opaque handles owned by a backend, plus the host-memory form CPU backends use.

import { ApbError } from "../errors/index.js";

/** An opaque tensor owned by one backend. Row-major; shape[0] is always the token (row) axis. */
export interface Tensor {
  readonly shape: readonly number[];
}

/** A tensor in host memory: what the reference and onnx backends use, and what crosses the transport. */
export class CpuTensor implements Tensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;

  constructor(data: Float32Array, shape: readonly number[]) {
    const n = shape.reduce((a, b) => a * b, 1);
    if (n !== data.length) throw new ApbError("INTERNAL", `CpuTensor: shape [${shape.join(", ")}] needs ${n} values, got ${data.length}`);
    this.data = data;
    this.shape = shape;
  }

  /** Number of rows (tokens). */
  get numRows(): number {
    return this.shape[0] ?? 0;
  }

  /** Values per row. */
  get rowSize(): number {
    return this.numRows === 0 ? this.shape.slice(1).reduce((a, b) => a * b, 1) : this.data.length / this.numRows;
  }

  static zeros(shape: readonly number[]): CpuTensor {
    return new CpuTensor(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape);
  }
}
