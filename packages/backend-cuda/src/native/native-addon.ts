// The TypeScript shape of apb_cuda.node (native/addon/*.cc): handles, the option objects of every op, the CPU twins.
// This file and load-addon.ts are the only places that know the binary (STYLE.md G3).

/** An opaque CUDA context handle (one stream, cuBLASLt handle, pinned pool). */
export interface NativeContext {
  readonly __brand: "NativeContext";
}

/** An opaque device buffer handle; freed by `free` or when garbage collected. */
export interface NativeBuffer {
  readonly __brand: "NativeBuffer";
}

/** Element type codes as the addon reads them: 0 = float32, 1 = bfloat16. */
export type DTypeCode = 0 | 1;

/** What `probe` reports; it never throws (status is a cudaError_t: 35 = insufficient driver, 100 = no device). */
export interface NativeProbe {
  readonly status: number;
  readonly statusName: string;
  readonly deviceCount: number;
  readonly runtimeVersion: number;
  readonly driverVersion: number;
}

export interface NativeDeviceInfo {
  readonly name: string;
  readonly major: number;
  readonly minor: number;
  readonly totalMem: number;
  readonly multiProcessorCount: number;
  readonly l2CacheSize: number;
}

export interface NativeCublasLtLoad {
  readonly loaded: boolean;
  readonly path: string;
  readonly version: number;
  readonly errors: readonly string[];
}

/** GEMM implementation choice: 0 = cuBLASLt when it has an algorithm, 1 = our tiled kernel, 2 = cuBLASLt only. */
export type GemmModeCode = 0 | 1 | 2;

type B = NativeBuffer;

/** The options object of every enqueueing op, by op name (field names match the C++ binding). */
export interface OpFields {
  cast: { dst: B; dstType: DTypeCode; src: B; srcType: DTypeCode; count: number };
  embed: { out: B; table: B; ids: B; rows: number; dim: number; vocab: number; dtype: DTypeCode };
  rmsnorm: { out: B; x: B; weight: B; rows: number; dim: number; eps: number; dtype: DTypeCode };
  gemm: { y: B; outType: DTypeCode; x: B; w: B; m: number; n: number; k: number; inType: DTypeCode };
  rope: { out: B; in: B; inStride: number; inCol: number; positions: B; invFreq: B; rows: number; heads: number; dh: number; dtype: DTypeCode };
  swiglu: { out: B; gateUp: B; rows: number; inter: number; dtype: DTypeCode };
  silu: { x: B; count: number; dtype: DTypeCode };
  add: { out: B; a: B; b: B; count: number; dtype: DTypeCode };
  biasAdd: { x: B; bias: B; rows: number; cols: number; dtype: DTypeCode };
  maxpool: { out: B; in: B; rows: number; channels: number; kernel: number };
  topk: { idx: B; scores: B; rows: number; channels: number; maskLen: number; k: number };
  gatherHeads: { out: B; x: B; idx: B; rows: number; srcRows: number; nkv: number; dh: number; dtype: DTypeCode };
  queryScores: { out: B; q: B; k: B; probes: number; rows: number; nq: number; nkv: number; dh: number; dtype: DTypeCode };
  attention: {
    out: B;
    lse: B;
    q: B;
    k: B;
    v: B;
    tq: number;
    tk: number;
    nq: number;
    nkv: number;
    dh: number;
    anchorRows: number;
    offset: number;
    dtype: DTypeCode;
    /** 0 = our kernel; 1 = cuDNN fused attention where it can run (else our kernel, the reason in the result). */
    route: AttentionRouteCode;
    /**
     * Our kernel's key split: absent or 0 = automatic (few query rows over many keys run split-K; APB_ATTN_SPLIT=0
     * turns that off), 1 = never, n ≥ 2 = n key chunks (at most 64 and one per 32 keys; checks and A/B timing).
     */
    split?: number;
  };
  lseMerge: { out: B; lse: B; outB: B; lseB: B; rows: number; heads: number; dh: number; dtype: DTypeCode };
  argmax: { out: B; logits: B; rows: number; vocab: number };
}

export type OpName = keyof OpFields;

/** Attention implementation asked for: 0 = our kernel, 1 = cuDNN fused flash attention when it can run. */
export type AttentionRouteCode = 0 | 1;

/**
 * What an op returns: gemm and attention say which implementation ran ("kernel", "cudnn", or
 * "kernel (cuDNN: <reason>)" when cuDNN was asked for but could not run the call; "kernel split-K" in place of
 * "kernel" when our kernel ran split over key chunks); the others nothing.
 */
export type OpResult<K extends OpName> = K extends "gemm" ? "tiled" | "cublaslt" : K extends "attention" ? string : undefined;

type F32 = Float32Array;
type I32 = Int32Array;

/** The CPU twins' options: the device fields with host arrays (float32 everywhere, int32 indices, float64 freqs). */
export interface TwinFields {
  cast: { out: F32; in: F32; count: number; through: DTypeCode };
  embed: { out: F32; table: F32; ids: I32; rows: number; dim: number; vocab: number };
  rmsnorm: { out: F32; x: F32; weight: F32; rows: number; dim: number; eps: number };
  gemm: { y: F32; x: F32; w: F32; m: number; n: number; k: number };
  rope: { out: F32; in: F32; inStride: number; inCol: number; positions: I32; invFreq: Float64Array; rows: number; heads: number; dh: number };
  swiglu: { out: F32; gateUp: F32; rows: number; inter: number };
  silu: { x: F32; count: number };
  add: { out: F32; a: F32; b: F32; count: number };
  biasAdd: { x: F32; bias: F32; rows: number; cols: number };
  maxpool: { out: F32; in: F32; rows: number; channels: number; kernel: number };
  topk: { idx: I32; scores: F32; rows: number; channels: number; maskLen: number; k: number };
  gatherHeads: { out: F32; x: F32; idx: I32; rows: number; srcRows: number; nkv: number; dh: number };
  queryScores: { out: F32; q: F32; k: F32; probes: number; rows: number; nq: number; nkv: number; dh: number };
  attention: { out: F32; lse: F32; q: F32; k: F32; v: F32; tq: number; tk: number; nq: number; nkv: number; dh: number; anchorRows: number; offset: number };
  lseMerge: { out: F32; lse: F32; outB: F32; lseB: F32; rows: number; heads: number; dh: number };
  argmax: { out: I32; logits: F32; rows: number; vocab: number };
}

export type NativeTwins = { readonly [K in keyof TwinFields]: (fields: TwinFields[K]) => void };
export type NativeOps = { readonly [K in OpName]: (ctx: NativeContext, fields: OpFields[K]) => OpResult<K> };

/** Memory ops. Offsets and pitches are bytes except `upload.offset` / `download.offset`, which count elements. */
export interface NativeMemory {
  alloc(ctx: NativeContext, bytes: number): NativeBuffer;
  free(buf: NativeBuffer): void;
  upload(ctx: NativeContext, o: { dst: B; dtype: DTypeCode; data: Float32Array | Int32Array | Float64Array; offset: number }): void;
  download(ctx: NativeContext, o: { src: B; dtype: DTypeCode; count: number; offset: number; as: "f32" }): Promise<Float32Array>;
  download(ctx: NativeContext, o: { src: B; dtype: DTypeCode; count: number; offset: number; as: "i32" }): Promise<Int32Array>;
  copy(ctx: NativeContext, o: { dst: B; dstOffset: number; src: B; srcOffset: number; bytes: number }): void;
  copy2d(ctx: NativeContext, o: { dst: B; dstOffset: number; dstPitch: number; src: B; srcOffset: number; srcPitch: number; width: number; height: number }): void;
  fill(ctx: NativeContext, o: { dst: B; dtype: DTypeCode; count: number; value: number }): void;
  /** Resolves once every op enqueued so far has finished; rejects with the CUDA error, naming `op`. */
  fence(ctx: NativeContext, op: string): Promise<void>;
}

/** Device memory (bytes): cudaMemGetInfo, and the default memory pool's in-use / reserved bytes and their high-water marks. */
export interface NativeMemoryInfo {
  readonly freeBytes: number;
  readonly totalBytes: number;
  readonly poolUsedBytes: number;
  readonly poolUsedHighBytes: number;
  readonly poolReservedBytes: number;
  readonly poolReservedHighBytes: number;
}

/** The whole addon. */
export interface NativeAddon extends NativeOps, NativeMemory {
  readonly version: string;
  readonly ref: NativeTwins;
  probe(): NativeProbe;
  deviceInfo(device: number): NativeDeviceInfo;
  loadCublasLt(candidates: readonly string[]): NativeCublasLtLoad;
  /** dlopen of cuDNN 9 (optional: attention falls back to our kernel without it); same result shape. */
  loadCudnn(candidates: readonly string[]): NativeCublasLtLoad;
  createContext(o: { device: number; workspaceBytes: number; gemmMode: GemmModeCode; syncEachOp: 0 | 1 }): NativeContext;
  closeContext(ctx: NativeContext): void;
  contextInfo(ctx: NativeContext): { device: number; cublasLt: boolean; gemmMode: number; closed: boolean };
  /** The context's device memory; `resetPeaks: 1` resets the pool's high-water marks after reading them. */
  memoryInfo(ctx: NativeContext, o: { resetPeaks: 0 | 1 }): NativeMemoryInfo;
}

/** Every function name the binary must export (a stale binary missing one is reported as LOAD_FAILED). */
export const NATIVE_FUNCTIONS = [
  "probe",
  "deviceInfo",
  "loadCublasLt",
  "loadCudnn",
  "createContext",
  "closeContext",
  "contextInfo",
  "memoryInfo",
  "alloc",
  "free",
  "upload",
  "download",
  "copy",
  "copy2d",
  "fill",
  "fence",
  "cast",
  "embed",
  "rmsnorm",
  "gemm",
  "rope",
  "swiglu",
  "silu",
  "add",
  "biasAdd",
  "maxpool",
  "topk",
  "gatherHeads",
  "queryScores",
  "attention",
  "lseMerge",
  "argmax",
] as const;

/** Every CPU twin the binary must export under `ref`. */
export const TWIN_FUNCTIONS: readonly (keyof TwinFields)[] = [
  "cast",
  "embed",
  "rmsnorm",
  "gemm",
  "rope",
  "swiglu",
  "silu",
  "add",
  "biasAdd",
  "maxpool",
  "topk",
  "gatherHeads",
  "queryScores",
  "attention",
  "lseMerge",
  "argmax",
];
