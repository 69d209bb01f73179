// The Backend contract on the GPU: weights and activations in device memory (bfloat16 or float32, float32 math), one
// CUDA stream per instance, every op enqueued without blocking the event loop and awaited off-thread.

import { BackendError, appendCapacityRows, checkBackendInit } from "@apb/core";
import type { AttentionMask, AttentionResult, AttnInput, Backend, BackendFactory, BackendInit, ModelConfig } from "@apb/core";
import { cudaAvailability } from "../availability/index.js";
import { CudaTensor, DeviceOps, dtypeBytes } from "../device/index.js";
import type { DeviceDType } from "../device/index.js";
import { CudaUnavailableError, toCudaError } from "../errors/index.js";
import type { NativeAddon, NativeContext, NativeMemoryInfo } from "../native/index.js";
import { loadAddon } from "../native/index.js";
import { cudaBackendOptionsFromEnv, parseCudaBackendOptions } from "./backend-options.js";
import type { CudaBackendOptions, ResolvedCudaBackendOptions } from "./backend-options.js";
import { releaseModel, uploadModel } from "./device-model.js";
import { attentionOnDevice, attnInOnDevice, attnOutOnDevice, greedyTokensOnDevice, logitsOnDevice, queryScoresOnDevice } from "./layer-ops.js";
import type { LayerContext } from "./layer-ops.js";

const GEMM_MODES = { auto: 0, tiled: 1, cublaslt: 2 } as const;

function ensure(ok: boolean, op: string, message: string): asserts ok {
  if (!ok) throw new BackendError("BACKEND_FAILED", `${op}: ${message}`, { data: { backend: "cuda", op } });
}

/** Backend on one CUDA device. Tensors are CudaTensor [rows, features] in device memory. */
export class CudaBackend implements Backend<CudaTensor> {
  readonly name = "cuda";
  private closed = false;

  private constructor(
    private readonly lc: LayerContext,
    readonly device: number,
  ) {}

  /**
   * Checks availability, creates the context on `device` (default: host index modulo the device count) and uploads
   * every weight.
   * @throws CudaUnavailableError (BACKEND_UNAVAILABLE, data.reason) where CUDA cannot run; ApbError CONFIG_INVALID for
   *         bad options; ModelError / BackendError for an inconsistent init; CudaError when the device fails.
   */
  static async create(init: BackendInit, options?: CudaBackendOptions): Promise<CudaBackend> {
    const o = parseCudaBackendOptions(options);
    const a = cudaAvailability({ requireCublasLt: o.gemm !== "tiled" });
    if (!a.available) throw new CudaUnavailableError(a.reason, a.message, a.detail);
    const load = loadAddon();
    if (!load.ok) throw new CudaUnavailableError(load.reason, load.message);
    return CudaBackend.createOn(load.addon, init, { options: o, numDevices: a.devices.length });
  }

  /**
   * The backend on a given addon without the availability check: create() passes the real one; tests pass a
   * host-memory stand-in. @throws as create().
   */
  static async createOn(addon: NativeAddon, init: BackendInit, a: { options?: CudaBackendOptions; numDevices: number }): Promise<CudaBackend> {
    const o = parseCudaBackendOptions(a.options);
    checkBackendInit(init);
    const device = o.device ?? init.host % a.numDevices;
    if (device >= a.numDevices) throw new CudaUnavailableError("NO_DEVICE", `device ${device} does not exist (${a.numDevices} found)`);
    const ctx = createContext(addon, device, o);
    const dev = new DeviceOps(addon, ctx);
    try {
      const dt: DeviceDType = o.dtype;
      const model = uploadModel(dev, init, dt);
      await dev.fence("upload weights");
      return new CudaBackend({ dev, model, config: init.config, dt, gemmPaths: new Set(), attentionRoute: o.attention === "cudnn" ? 1 : 0, attentionPaths: new Set(), awaitOps: o.awaitOps }, device);
    } catch (err) {
      dev.close();
      throw err;
    }
  }

  /** The storage type of this backend's tensors. */
  get dtype(): DeviceDType {
    return this.lc.dt;
  }

  /** Whether attnIn / attnOut / embed resolve only after their GPU work (option awaitOps); settable for profiling. */
  get awaitOps(): boolean {
    return this.lc.awaitOps;
  }

  set awaitOps(on: boolean) {
    this.lc.awaitOps = on;
  }

  /** GEMM implementations that ran so far ("cublaslt", "tiled"). */
  get gemmPaths(): readonly string[] {
    return [...this.lc.gemmPaths];
  }

  /** Attention routes that ran so far ("kernel", "kernel split-K", "cudnn", "kernel (cuDNN: <reason>)", …). */
  get attentionPaths(): readonly string[] {
    return [...this.lc.attentionPaths];
  }

  private get config(): ModelConfig {
    return this.lc.config;
  }

  private live(op: string): void {
    ensure(!this.closed, op, "the backend is closed");
  }

  /** Fails unless `x` is a live tensor of this backend with `rowSize` values per row. */
  private expectRows(op: string, x: CudaTensor, rowSize: number): void {
    ensure(x instanceof CudaTensor && !x.isReleased, op, "expected a live CudaTensor of this backend");
    ensure(x.dtype === this.lc.dt, op, `tensor dtype ${x.dtype} differs from the backend's ${this.lc.dt}`);
    ensure(x.numel === x.numRows * rowSize, op, `expected ${rowSize} values per row, got shape [${x.shape.join(", ")}]`);
  }

  private layerIndex(op: string, layer: number): void {
    ensure(Number.isInteger(layer) && layer >= 0 && layer < this.config.numLayers, op, `layer ${layer} outside [0, ${this.config.numLayers})`);
  }

  async embed(ids: Int32Array): Promise<CudaTensor> {
    this.live("embed");
    const { hiddenSize: d, vocabSize: vocab } = this.config;
    for (const id of ids) ensure(Number.isInteger(id) && id >= 0 && id < vocab, "embed", `token id ${id} outside [0, ${vocab})`);
    const dev = this.lc.dev;
    const idsBuf = dev.uploadRaw(ids);
    const out = dev.alloc([ids.length, d], this.lc.dt);
    try {
      dev.run("embed", { out: out.buffer, table: this.lc.model.embed.buffer, ids: idsBuf, rows: ids.length, dim: d, vocab, dtype: this.lc.dt === "float32" ? 0 : 1 });
      if (this.lc.awaitOps) await dev.fence("embed");
      return out;
    } catch (err) {
      dev.free(out);
      throw err;
    } finally {
      dev.free(idsBuf);
    }
  }

  async attnIn(layer: number, hidden: CudaTensor, positions: Int32Array, withScores: boolean): Promise<AttnInput<CudaTensor>> {
    this.live("attnIn");
    this.layerIndex("attnIn", layer);
    this.expectRows("attnIn hidden", hidden, this.config.hiddenSize);
    ensure(positions.length === hidden.numRows, "attnIn", `${positions.length} positions for ${hidden.numRows} rows`);
    ensure(!withScores || this.lc.model.layers[layer]!.heads !== undefined, "attnIn", "retaining-head scores asked for, but the backend has no retaining heads");
    return attnInOnDevice(this.lc, layer, hidden, { positions, withScores });
  }

  async attention(q: CudaTensor, k: CudaTensor, v: CudaTensor, mask: AttentionMask): Promise<AttentionResult<CudaTensor>> {
    this.live("attention");
    const { numHeads: nq, numKvHeads: nkv, headDim: dh } = this.config;
    this.expectRows("attention q", q, nq * dh);
    this.expectRows("attention k", k, nkv * dh);
    this.expectRows("attention v", v, nkv * dh);
    ensure(k.numRows === v.numRows, "attention", `k has ${k.numRows} rows, v has ${v.numRows}`);
    const okField = (n: number): boolean => Number.isInteger(n) && n >= 0;
    ensure(okField(mask.anchorRows) && okField(mask.offset), "attention", `mask fields must be non-negative integers, got ${JSON.stringify(mask)}`);
    return attentionOnDevice(this.lc, { q, k, v }, mask);
  }

  async attnOut(layer: number, hidden: CudaTensor, attn: CudaTensor): Promise<CudaTensor> {
    this.live("attnOut");
    this.layerIndex("attnOut", layer);
    this.expectRows("attnOut hidden", hidden, this.config.hiddenSize);
    this.expectRows("attnOut attn", attn, this.config.numHeads * this.config.headDim);
    ensure(attn.numRows === hidden.numRows, "attnOut", `hidden has ${hidden.numRows} rows, attn ${attn.numRows}`);
    return attnOutOnDevice(this.lc, layer, hidden, attn);
  }

  async logits(hidden: CudaTensor): Promise<Float32Array> {
    this.live("logits");
    this.expectRows("logits hidden", hidden, this.config.hiddenSize);
    return logitsOnDevice(this.lc, hidden);
  }

  /** Greedy sampling on the GPU (logits, then the argmax kernel); only the ids are downloaded. */
  async greedyTokens(hidden: CudaTensor): Promise<Int32Array> {
    this.live("greedyTokens");
    this.expectRows("greedyTokens hidden", hidden, this.config.hiddenSize);
    return greedyTokensOnDevice(this.lc, hidden);
  }

  async queryScores(q: CudaTensor, k: CudaTensor): Promise<Float32Array> {
    this.live("queryScores");
    const { numHeads: nq, numKvHeads: nkv, headDim: dh } = this.config;
    this.expectRows("queryScores q", q, nq * dh);
    this.expectRows("queryScores k", k, nkv * dh);
    ensure(q.numRows > 0, "queryScores", "needs at least one probe row");
    return queryScoresOnDevice(this.lc, q, k);
  }

  gatherHeads(x: CudaTensor, idx: Int32Array, rows: number): CudaTensor {
    this.live("gatherHeads");
    const { numKvHeads: nkv, headDim: dh } = this.config;
    this.expectRows("gatherHeads x", x, nkv * dh);
    ensure(Number.isInteger(rows) && rows >= 0 && idx.length === rows * nkv, "gatherHeads", `idx has ${idx.length} entries for ${rows} rows × ${nkv} heads`);
    for (const i of idx) ensure(i >= 0 && i < x.numRows, "gatherHeads", `index ${i} out of [0, ${x.numRows})`);
    const dev = this.lc.dev;
    const idxBuf = dev.uploadRaw(idx);
    const out = dev.alloc([rows, nkv * dh], this.lc.dt);
    try {
      dev.run("gatherHeads", { out: out.buffer, x: x.buffer, idx: idxBuf, rows, srcRows: x.numRows, nkv, dh, dtype: this.lc.dt === "float32" ? 0 : 1 });
      return out;
    } catch (err) {
      dev.free(out);
      throw err;
    } finally {
      dev.free(idxBuf);
    }
  }

  concatRows(parts: readonly CudaTensor[]): CudaTensor {
    this.live("concatRows");
    ensure(parts.length > 0, "concatRows", "needs at least one part");
    const tail = parts[0]!.shape.slice(1);
    for (const p of parts) {
      ensure(p instanceof CudaTensor && !p.isReleased && p.dtype === this.lc.dt, "concatRows", "expected live CudaTensors of this backend");
      ensure(p.shape.length === tail.length + 1 && p.shape.slice(1).every((d, i) => d === tail[i]), "concatRows", `part shape [${p.shape.join(", ")}] does not match [*, ${tail.join(", ")}]`);
    }
    const rows = parts.reduce((a, p) => a + p.numRows, 0);
    const out = this.lc.dev.alloc([rows, ...tail], this.lc.dt);
    try {
      let at = 0;
      for (const p of parts) {
        this.lc.dev.copyRows(out, at, p, { start: 0, rows: p.numRows });
        at += p.numRows;
      }
      return out;
    } catch (err) {
      this.lc.dev.free(out);
      throw err;
    }
  }

  /**
   * `base` then `extra`, consuming `base`: written into base's spare rows when it has them (the result shares its
   * buffer), else into a new buffer with spare rows (appendCapacityRows: ≥ 1024 or a sixteenth more), base freed.
   */
  appendRows(base: CudaTensor, extra: CudaTensor): CudaTensor {
    this.live("appendRows");
    for (const t of [base, extra]) ensure(t instanceof CudaTensor && !t.isReleased && t.dtype === this.lc.dt, "appendRows", "expected live CudaTensors of this backend");
    const tail = base.shape.slice(1);
    ensure(extra.shape.length === tail.length + 1 && extra.shape.slice(1).every((d, i) => d === tail[i]), "appendRows", `extra shape [${extra.shape.join(", ")}] does not match [*, ${tail.join(", ")}]`);
    const rows = base.numRows + extra.numRows;
    const dev = this.lc.dev;
    if (rows <= base.capacityRows) {
      dev.copyRows(base, base.numRows, extra, { start: 0, rows: extra.numRows });
      base.handOver();
      return new CudaTensor([rows, ...tail], base.dtype, base.buffer, base.capacityRows);
    }
    const out = dev.allocRows([rows, ...tail], base.dtype, appendCapacityRows(rows, extra.numRows));
    try {
      dev.copyRows(out, 0, base, { start: 0, rows: base.numRows });
      dev.copyRows(out, base.numRows, extra, { start: 0, rows: extra.numRows });
    } catch (err) {
      dev.free(out);
      throw err;
    }
    dev.free(base);
    return out;
  }

  sliceRows(x: CudaTensor, start: number, end: number): CudaTensor {
    this.live("sliceRows");
    ensure(x instanceof CudaTensor && !x.isReleased, "sliceRows", "expected a live CudaTensor of this backend");
    ensure(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end && end <= x.numRows, "sliceRows", `bad range [${start}, ${end}) of ${x.numRows} rows`);
    const out = this.lc.dev.alloc([end - start, ...x.shape.slice(1)], x.dtype);
    try {
      this.lc.dev.copyRows(out, 0, x, { start, rows: end - start });
      return out;
    } catch (err) {
      this.lc.dev.free(out);
      throw err;
    }
  }

  async download(x: CudaTensor): Promise<Float32Array> {
    this.live("download");
    ensure(x instanceof CudaTensor && !x.isReleased, "download", "expected a live CudaTensor of this backend");
    return this.lc.dev.download(x);
  }

  upload(data: Float32Array, shape: readonly number[]): CudaTensor {
    this.live("upload");
    const n = shape.reduce((a, b) => a * b, 1);
    ensure(shape.every((d) => Number.isInteger(d) && d >= 0) && n === data.length, "upload", `shape [${shape.join(", ")}] does not hold ${data.length} values`);
    return this.lc.dev.upload(data, shape, this.lc.dt);
  }

  dispose(x: CudaTensor): void {
    if (this.closed || !(x instanceof CudaTensor)) return;
    this.lc.dev.free(x);
  }

  /** Waits for the stream, frees the weights and the context. Tensors still held are freed by the GC. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.lc.dev.fence("close");
    } finally {
      releaseModel(this.lc.dev, this.lc.model);
      this.lc.dev.close();
    }
  }

  /**
   * Memory of this backend's device (bytes): free/total, and the stream-ordered pool's bytes in use and reserved with
   * their high-water marks since the last reset (weights, activations, caches and cuDNN's extra workspace all come from
   * that pool; the cuBLASLt workspace does not). The pool is the device's, shared by every backend on it.
   * @throws CudaError when the device fails.
   */
  memoryInfo(o: { resetPeaks?: boolean } = {}): NativeMemoryInfo {
    this.live("memoryInfo");
    return this.lc.dev.memoryInfo(o.resetPeaks ?? false);
  }

  /** Bytes of one element of this backend's tensors. */
  get elementBytes(): number {
    return dtypeBytes(this.lc.dt);
  }
}

function createContext(addon: NativeAddon, device: number, o: ResolvedCudaBackendOptions): NativeContext {
  try {
    return addon.createContext({ device, workspaceBytes: o.workspaceMiB * 1024 * 1024, gemmMode: GEMM_MODES[o.gemm], syncEachOp: o.syncEachOp ? 1 : 0 });
  } catch (err) {
    throw toCudaError(err, "createContext");
  }
}

/** BackendFactory for the engine (options from the APB_CUDA_* environment variables). */
export const createBackend: BackendFactory = async (init: BackendInit) => CudaBackend.create(init, cudaBackendOptionsFromEnv(process.env));
