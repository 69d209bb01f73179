// A host-memory stand-in for apb_cuda.node (tests only): the addon's memory and op interface over ArrayBuffers, each
// op computed by the real addon's C++ twins, outputs stored (rounded) in the buffer's dtype as the GPU would. It lets
// CI run CudaBackend and the GPU check end to end without a GPU, so only kernel bugs are left for the GPU machine.

import { bf16ToF32Into, f32ToBf16Bits } from "@apb/core";
import type { DTypeCode, NativeAddon, NativeBuffer, NativeContext, NativeTwins, OpFields } from "../native/index.js";

interface HostBuffer {
  bytes: Uint8Array;
  freed: boolean;
}

const buf = (b: NativeBuffer): HostBuffer => {
  const h = b as unknown as HostBuffer;
  if (h.freed) throw Object.assign(new Error("buffer was freed"), { code: "APB_CUDA_NATIVE", kind: "invalid-argument", op: "fake", status: 0, statusName: "InvalidArgument", where: "" });
  return h;
};

function readF32(b: NativeBuffer, dt: DTypeCode, count: number, offset = 0): Float32Array {
  const h = buf(b);
  const out = new Float32Array(count);
  if (dt === 0) out.set(new Float32Array(h.bytes.buffer, h.bytes.byteOffset + offset * 4, count));
  else bf16ToF32Into(new Uint16Array(h.bytes.buffer.slice(h.bytes.byteOffset + offset * 2, h.bytes.byteOffset + (offset + count) * 2)), count, out, 0);
  return out;
}

function writeF32(b: NativeBuffer, dt: DTypeCode, data: Float32Array, offset = 0): void {
  const h = buf(b);
  if (dt === 0) {
    new Float32Array(h.bytes.buffer, h.bytes.byteOffset + offset * 4, data.length).set(data);
    return;
  }
  const bits = new Uint16Array(h.bytes.buffer, h.bytes.byteOffset + offset * 2, data.length);
  for (let i = 0; i < data.length; i++) bits[i] = f32ToBf16Bits(data[i]!);
}

const ints = (b: NativeBuffer, count: number): Int32Array => new Int32Array(buf(b).bytes.buffer.slice(buf(b).bytes.byteOffset, buf(b).bytes.byteOffset + count * 4));
const doubles = (b: NativeBuffer, count: number): Float64Array => new Float64Array(buf(b).bytes.buffer.slice(buf(b).bytes.byteOffset, buf(b).bytes.byteOffset + count * 8));
const writeInts = (b: NativeBuffer, data: Int32Array): void => void new Int32Array(buf(b).bytes.buffer, buf(b).bytes.byteOffset, data.length).set(data);
const numel = (b: NativeBuffer, dt: DTypeCode): number => buf(b).bytes.byteLength / (dt === 0 ? 4 : 2);

type Ops<K extends keyof OpFields> = { [P in K]: (ctx: NativeContext, f: OpFields[P]) => unknown };
type RowOpNames = "cast" | "embed" | "rmsnorm" | "gemm" | "rope" | "swiglu" | "silu" | "add" | "biasAdd";

function rowOps(ref: NativeTwins): Ops<RowOpNames> {
  return {
    cast: (_c, f) => writeF32(f.dst, f.dstType, readF32(f.src, f.srcType, f.count)),
    embed: (_c, f) => {
      const out = new Float32Array(f.rows * f.dim);
      ref.embed({ out, table: readF32(f.table, f.dtype, f.vocab * f.dim), ids: ints(f.ids, f.rows), rows: f.rows, dim: f.dim, vocab: f.vocab });
      writeF32(f.out, f.dtype, out);
    },
    rmsnorm: (_c, f) => {
      const out = new Float32Array(f.rows * f.dim);
      ref.rmsnorm({ out, x: readF32(f.x, f.dtype, f.rows * f.dim), weight: readF32(f.weight, f.dtype, f.dim), rows: f.rows, dim: f.dim, eps: f.eps });
      writeF32(f.out, f.dtype, out);
    },
    gemm: (_c, f) => {
      const y = new Float32Array(f.m * f.n);
      ref.gemm({ y, x: readF32(f.x, f.inType, f.m * f.k), w: readF32(f.w, f.inType, f.n * f.k), m: f.m, n: f.n, k: f.k });
      writeF32(f.y, f.outType, y);
      return "tiled";
    },
    rope: (_c, f) => {
      const out = new Float32Array(f.rows * f.heads * f.dh);
      const input = readF32(f.in, f.dtype, numel(f.in, f.dtype));
      ref.rope({ out, in: input, inStride: f.inStride, inCol: f.inCol, positions: ints(f.positions, f.rows), invFreq: doubles(f.invFreq, f.dh / 2), rows: f.rows, heads: f.heads, dh: f.dh });
      writeF32(f.out, f.dtype, out);
    },
    swiglu: (_c, f) => {
      const out = new Float32Array(f.rows * f.inter);
      ref.swiglu({ out, gateUp: readF32(f.gateUp, f.dtype, f.rows * 2 * f.inter), rows: f.rows, inter: f.inter });
      writeF32(f.out, f.dtype, out);
    },
    silu: (_c, f) => {
      const x = readF32(f.x, f.dtype, f.count);
      ref.silu({ x, count: f.count });
      writeF32(f.x, f.dtype, x);
    },
    add: (_c, f) => {
      const out = new Float32Array(f.count);
      ref.add({ out, a: readF32(f.a, f.dtype, f.count), b: readF32(f.b, f.dtype, f.count), count: f.count });
      writeF32(f.out, f.dtype, out);
    },
    biasAdd: (_c, f) => {
      const x = readF32(f.x, f.dtype, f.rows * f.cols);
      ref.biasAdd({ x, bias: readF32(f.bias, f.dtype, f.cols), rows: f.rows, cols: f.cols });
      writeF32(f.x, f.dtype, x);
    },
  };
}

function selectionOps(ref: NativeTwins): Ops<Exclude<keyof OpFields, RowOpNames>> {
  return {
    maxpool: (_c, f) => {
      const out = new Float32Array(f.rows * f.channels);
      ref.maxpool({ out, in: readF32(f.in, 0, f.rows * f.channels), rows: f.rows, channels: f.channels, kernel: f.kernel });
      writeF32(f.out, 0, out);
    },
    topk: (_c, f) => {
      const idx = new Int32Array(f.k * f.channels);
      ref.topk({ idx, scores: readF32(f.scores, 0, f.rows * f.channels), rows: f.rows, channels: f.channels, maskLen: f.maskLen, k: f.k });
      writeInts(f.idx, idx);
    },
    gatherHeads: (_c, f) => {
      const out = new Float32Array(f.rows * f.nkv * f.dh);
      ref.gatherHeads({ out, x: readF32(f.x, f.dtype, f.srcRows * f.nkv * f.dh), idx: ints(f.idx, f.rows * f.nkv), rows: f.rows, srcRows: f.srcRows, nkv: f.nkv, dh: f.dh });
      writeF32(f.out, f.dtype, out);
    },
    queryScores: (_c, f) => {
      const out = new Float32Array(f.rows * f.nkv);
      const q = readF32(f.q, f.dtype, f.probes * f.nq * f.dh);
      ref.queryScores({ out, q, k: readF32(f.k, f.dtype, f.rows * f.nkv * f.dh), probes: f.probes, rows: f.rows, nq: f.nq, nkv: f.nkv, dh: f.dh });
      writeF32(f.out, 0, out);
    },
    attention: (_c, f) => {
      const out = new Float32Array(f.tq * f.nq * f.dh);
      const lse = new Float32Array(f.tq * f.nq);
      const kv = f.tk * f.nkv * f.dh;
      const shape = { tq: f.tq, tk: f.tk, nq: f.nq, nkv: f.nkv, dh: f.dh, anchorRows: f.anchorRows, offset: f.offset };
      ref.attention({ out, lse, q: readF32(f.q, f.dtype, f.tq * f.nq * f.dh), k: readF32(f.k, f.dtype, kv), v: readF32(f.v, f.dtype, kv), ...shape });
      writeF32(f.out, f.dtype, out);
      writeF32(f.lse, 0, lse);
      // The twin is unsplit; a forced split (split ≥ 2) and the one-row decode kernel (the rule of attention.cu's
      // decodeApplies) are echoed as the device reports them; the automatic split-K is not modelled (it depends on the
      // GPU's SM count).
      const auto = f.split === undefined || f.split === 0;
      const decode = auto && f.tq === 1 && f.tk > 0 && [32, 64, 128, 256].includes(f.dh) && f.nq / f.nkv <= 8 && process.env.APB_ATTN_DECODE !== "0";
      const kernel = f.split !== undefined && f.split >= 2 ? "kernel split-K" : decode ? "kernel decode" : "kernel";
      return f.route === 1 ? `${kernel} (cuDNN: not loaded)` : kernel;
    },
    lseMerge: (_c, f) => {
      const n = f.rows * f.heads;
      const out = readF32(f.out, f.dtype, n * f.dh);
      const lse = readF32(f.lse, 0, n);
      ref.lseMerge({ out, lse, outB: readF32(f.outB, f.dtype, n * f.dh), lseB: readF32(f.lseB, 0, n), rows: f.rows, heads: f.heads, dh: f.dh });
      writeF32(f.out, f.dtype, out);
      writeF32(f.lse, 0, lse);
    },
    argmax: (_c, f) => {
      const out = new Int32Array(f.rows);
      ref.argmax({ out, logits: readF32(f.logits, 0, f.rows * f.vocab), rows: f.rows, vocab: f.vocab });
      writeInts(f.out, out);
    },
  };
}

/** Counts of what the fake saw (tests assert on leaks); bytes as the pool's in-use counters would see them. */
export interface FakeStats {
  live: number;
  allocs: number;
  liveBytes: number;
  peakBytes: number;
  /** The op label of every fence, in order. */
  fences: string[];
}

/** A fake addon over `real`'s twins (the real binary loads on GPU-less machines; it just cannot create contexts). */
export function fakeDevice(real: NativeAddon): { addon: NativeAddon; stats: FakeStats } {
  const stats: FakeStats = { live: 0, allocs: 0, liveBytes: 0, peakBytes: 0, fences: [] };
  const ctx = { __brand: "NativeContext" } as NativeContext;
  const memory = {
    alloc: (_c: NativeContext, bytes: number) => {
      stats.live += 1;
      stats.allocs += 1;
      stats.liveBytes += bytes;
      stats.peakBytes = Math.max(stats.peakBytes, stats.liveBytes);
      return { bytes: new Uint8Array(bytes), freed: false } as unknown as NativeBuffer;
    },
    free: (b: NativeBuffer) => {
      const h = b as unknown as HostBuffer;
      if (!h.freed) {
        stats.live -= 1;
        stats.liveBytes -= h.bytes.byteLength;
      }
      h.freed = true;
    },
    upload: (_c: NativeContext, o: { dst: NativeBuffer; dtype: DTypeCode; data: Float32Array | Int32Array | Float64Array; offset: number }) => {
      if (o.data instanceof Float32Array) return writeF32(o.dst, o.dtype, o.data, o.offset);
      const src = new Uint8Array(o.data.buffer, o.data.byteOffset, o.data.byteLength);
      buf(o.dst).bytes.set(src, o.offset * o.data.BYTES_PER_ELEMENT);
    },
    download: (_c: NativeContext, o: { src: NativeBuffer; dtype: DTypeCode; count: number; offset: number; as: "f32" | "i32" }) =>
      Promise.resolve(o.as === "i32" ? ints(o.src, o.count) : readF32(o.src, o.dtype, o.count, o.offset)),
    copy: (_c: NativeContext, o: { dst: NativeBuffer; dstOffset: number; src: NativeBuffer; srcOffset: number; bytes: number }) =>
      buf(o.dst).bytes.set(buf(o.src).bytes.subarray(o.srcOffset, o.srcOffset + o.bytes), o.dstOffset),
    copy2d: (_c: NativeContext, o: { dst: NativeBuffer; dstOffset: number; dstPitch: number; src: NativeBuffer; srcOffset: number; srcPitch: number; width: number; height: number }) => {
      for (let r = 0; r < o.height; r++) {
        const from = o.srcOffset + r * o.srcPitch;
        buf(o.dst).bytes.set(buf(o.src).bytes.subarray(from, from + o.width), o.dstOffset + r * o.dstPitch);
      }
    },
    fill: (_c: NativeContext, o: { dst: NativeBuffer; dtype: DTypeCode; count: number; value: number }) => writeF32(o.dst, o.dtype, new Float32Array(o.count).fill(o.value)),
    fence: (_c: NativeContext, op: string) => {
      stats.fences.push(op);
      return Promise.resolve();
    },
  };
  const device = {
    version: "fake",
    ref: real.ref,
    probe: () => ({ status: 0, statusName: "cudaSuccess", deviceCount: 1, runtimeVersion: 13000, driverVersion: 13000 }),
    deviceInfo: () => ({ name: "Fake host device", major: 9, minor: 0, totalMem: 2 ** 34, multiProcessorCount: 1, l2CacheSize: 0 }),
    loadCublasLt: () => ({ loaded: false, path: "", version: 0, errors: ["fake device: no cuBLASLt"] }),
    loadCudnn: () => ({ loaded: false, path: "", version: 0, errors: ["fake device: no cuDNN"] }),
    createContext: () => ctx,
    closeContext: () => undefined,
    contextInfo: () => ({ device: 0, cublasLt: false, gemmMode: 1, closed: false }),
    memoryInfo: (_c: NativeContext, o: { resetPeaks: 0 | 1 }) => {
      const info = { freeBytes: 2 ** 34 - stats.liveBytes, totalBytes: 2 ** 34, poolUsedBytes: stats.liveBytes, poolUsedHighBytes: stats.peakBytes };
      if (o.resetPeaks === 1) stats.peakBytes = stats.liveBytes;
      return { ...info, poolReservedBytes: info.poolUsedBytes, poolReservedHighBytes: info.poolUsedHighBytes };
    },
  };
  return { addon: { ...device, ...memory, ...rowOps(real.ref), ...selectionOps(real.ref) } as unknown as NativeAddon, stats };
}
