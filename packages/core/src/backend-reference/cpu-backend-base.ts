// The row and selection ops every CPU backend shares (both keep tensors as CpuTensor in host memory).

import type { CpuTensor } from "../tensor/tensor.js";
import { appendRowsCpu, concatRowsCpu, gatherHeadsCpu, queryScoresCpu, sliceRowsCpu, uploadCpu } from "./cpu-tensor-ops.js";
import type { HeadDims } from "./cpu-tensor-ops.js";

/** Base of the reference and onnx backends: the Backend ops that are plain host-memory copies or small sums. */
export abstract class CpuBackendBase {
  protected abstract readonly dims: HeadDims;

  async queryScores(q: CpuTensor, k: CpuTensor): Promise<Float32Array> {
    return queryScoresCpu(q, k, this.dims);
  }

  gatherHeads(x: CpuTensor, idx: Int32Array, rows: number): CpuTensor {
    return gatherHeadsCpu(x, idx, { rows, nkv: this.dims.nkv });
  }

  /** Each grown tensor's whole array (its data is a prefix): appendRows writes into the spare rows. */
  private readonly appendStorage = new WeakMap<CpuTensor, Float32Array>();

  concatRows(parts: readonly CpuTensor[]): CpuTensor {
    return concatRowsCpu(parts);
  }

  appendRows(base: CpuTensor, extra: CpuTensor): CpuTensor {
    return appendRowsCpu(base, extra, this.appendStorage);
  }

  sliceRows(x: CpuTensor, start: number, end: number): CpuTensor {
    return sliceRowsCpu(x, start, end);
  }

  async download(x: CpuTensor): Promise<Float32Array> {
    return x.data.slice();
  }

  upload(data: Float32Array, shape: readonly number[]): CpuTensor {
    return uploadCpu(data, shape);
  }

  dispose(_x: CpuTensor): void {
    // Host memory: the garbage collector frees it.
  }
}
