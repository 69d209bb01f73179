// Raw device buffers for the kernel checks: uploads, outputs poisoned with NaN (or -12345 for indices) so an
// element a kernel forgot to write fails the comparison, downloads, and one release of everything at the end.

import { bf16ToF32Into, f32ToBf16Bits } from "@apb/core";
import type { DTypeCode, NativeAddon, NativeBuffer, NativeContext } from "../native/index.js";

/** Rounds every value through bfloat16 (round to nearest even), as the device stores it. */
export function roundBf16(x: Float32Array): Float32Array {
  const bits = new Uint16Array(x.length);
  for (let i = 0; i < x.length; i++) bits[i] = f32ToBf16Bits(x[i]!);
  const out = new Float32Array(x.length);
  bf16ToF32Into(bits, x.length, out, 0);
  return out;
}

/** Values as the device will hold them in `dt`. */
export function asStored(x: Float32Array, dt: DTypeCode): Float32Array {
  return dt === 1 ? roundBf16(x) : x;
}

export class DeviceArrays {
  private readonly bufs: NativeBuffer[] = [];

  constructor(
    readonly addon: NativeAddon,
    readonly ctx: NativeContext,
  ) {}

  private alloc(bytes: number): NativeBuffer {
    const b = this.addon.alloc(this.ctx, bytes);
    this.bufs.push(b);
    return b;
  }

  put(data: Float32Array, dt: DTypeCode): NativeBuffer {
    const b = this.alloc(data.length * (dt === 0 ? 4 : 2));
    this.addon.upload(this.ctx, { dst: b, dtype: dt, data, offset: 0 });
    return b;
  }

  putRaw(data: Int32Array | Float64Array): NativeBuffer {
    const b = this.alloc(data.byteLength);
    this.addon.upload(this.ctx, { dst: b, dtype: 0, data, offset: 0 });
    return b;
  }

  /** An output buffer of `count` elements filled with NaN. */
  empty(count: number, dt: DTypeCode): NativeBuffer {
    const b = this.alloc(count * (dt === 0 ? 4 : 2));
    this.addon.fill(this.ctx, { dst: b, dtype: dt, count, value: Number.NaN });
    return b;
  }

  /** An int32 output buffer filled with -12345. */
  emptyInts(count: number): NativeBuffer {
    return this.putRaw(new Int32Array(count).fill(-12345));
  }

  get(buf: NativeBuffer, count: number, dt: DTypeCode): Promise<Float32Array> {
    return this.addon.download(this.ctx, { src: buf, dtype: dt, count, offset: 0, as: "f32" });
  }

  getInts(buf: NativeBuffer, count: number): Promise<Int32Array> {
    return this.addon.download(this.ctx, { src: buf, dtype: 0, count, offset: 0, as: "i32" });
  }

  release(): void {
    for (const b of this.bufs.splice(0)) this.addon.free(b);
  }
}
