// Temporaries of one backend op: freed when the op ends; its outputs are freed too when the op fails, so a failed op
// leaks no device memory.

import type { NativeBuffer } from "../native/index.js";
import type { CudaTensor, DeviceDType } from "./cuda-tensor.js";
import type { DeviceOps } from "./device-ops.js";

export class OpScope {
  private readonly temps: (CudaTensor | NativeBuffer)[] = [];
  private readonly outs: CudaTensor[] = [];

  constructor(readonly dev: DeviceOps) {}

  /** A tensor freed when the op ends. */
  temp(shape: readonly number[], dtype: DeviceDType): CudaTensor {
    const t = this.dev.alloc(shape, dtype);
    this.temps.push(t);
    return t;
  }

  /** An int32/float64 buffer freed when the op ends. */
  raw(data: Int32Array | Float64Array): NativeBuffer {
    const b = this.dev.uploadRaw(data);
    this.temps.push(b);
    return b;
  }

  /** A result tensor: kept when the op succeeds, freed when it fails. */
  out(shape: readonly number[], dtype: DeviceDType): CudaTensor {
    const t = this.dev.alloc(shape, dtype);
    this.outs.push(t);
    return t;
  }

  releaseTemps(): void {
    for (const t of this.temps.splice(0)) this.dev.free(t);
  }

  releaseOutputs(): void {
    for (const t of this.outs.splice(0)) this.dev.free(t);
  }
}

/** Runs `body` with a scope: temporaries are freed afterwards, outputs too when it throws. */
export async function withScope<R>(dev: DeviceOps, body: (s: OpScope) => Promise<R>): Promise<R> {
  const s = new OpScope(dev);
  try {
    return await body(s);
  } catch (err) {
    s.releaseOutputs();
    throw err;
  } finally {
    s.releaseTemps();
  }
}
