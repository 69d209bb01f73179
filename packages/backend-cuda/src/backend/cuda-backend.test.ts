// CudaBackend on this machine: create() fails with the typed unavailability error (no driver here), and the whole
// backend runs through the GPU check's backend suite on a host-memory stand-in for the addon, so every TypeScript
// path (layouts, offsets, strides, dtypes, scopes) is tested without a GPU.
import { ApbError, Prng } from "@apb/core";
import type { BackendInit } from "@apb/core";
import { describe, expect, it } from "vitest";
import { cudaAvailability } from "../availability/index.js";
import { CHECK_SHAPE, runBackendChecks } from "../check/index.js";
import { checkModel } from "../check/random-model.js";
import { loadAddon } from "../native/index.js";
import { fakeDevice } from "../testing-only/index.js";
import { cudaBackendOptionsFromEnv, parseCudaBackendOptions } from "./backend-options.js";
import type { CudaBackendOptions } from "./backend-options.js";
import { CudaBackend } from "./cuda-backend.js";

const load = loadAddon();
const gpu = cudaAvailability({ requireCublasLt: false }).available;

describe("CudaBackend where CUDA cannot run", () => {
  it.skipIf(gpu)("create() rejects with CudaUnavailableError (BACKEND_UNAVAILABLE and a reason code)", async () => {
    const m = checkModel({ ...CHECK_SHAPE, numLayers: 1 }, 1);
    const init: BackendInit = { config: m.config, weights: m.weights, heads: m.heads, threads: 1, host: 0, numHosts: 1 };
    const err = await CudaBackend.create(init).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApbError);
    expect(err).toMatchObject({ name: "CudaUnavailableError", code: "BACKEND_UNAVAILABLE" });
    const reason = (err as { reason: string }).reason;
    expect(reason).toBe(load.ok ? "NO_DRIVER" : "BINARY_MISSING");
    expect((err as ApbError).data).toMatchObject({ backend: "cuda", reason });
  });

  it("validates its options with CONFIG_INVALID", () => {
    expect(parseCudaBackendOptions(undefined)).toMatchObject({ dtype: "bfloat16", gemm: "auto", workspaceMiB: 32, syncEachOp: false });
    expect(() => parseCudaBackendOptions({ dtype: "float16" as never })).toThrow(expect.objectContaining({ code: "CONFIG_INVALID" }));
    expect(() => parseCudaBackendOptions({ bogus: 1 } as never)).toThrow(expect.objectContaining({ code: "CONFIG_INVALID" }));
    expect(parseCudaBackendOptions(undefined).awaitOps).toBe(false);
    expect(cudaBackendOptionsFromEnv({ APB_CUDA_AWAIT_OPS: "1", APB_CUDA_SYNC: "0" })).toEqual({ awaitOps: true, syncEachOp: false });
  });
});

describe.skipIf(!load.ok)("CudaBackend on a host-memory device (real C++ twins per op)", () => {
  const real = load.ok ? load.addon : (undefined as never);

  it.each(["float32", "bfloat16"] as const)("passes every backend check in %s and frees all it allocated", async (dtype) => {
    const { addon, stats } = fakeDevice(real);
    const rows = await runBackendChecks({ dtype, gemm: "tiled", seed: 7, create: (init, options) => CudaBackend.createOn(addon, init, { options, numDevices: 1 }) });
    const failed = rows.filter((r) => !r.ok);
    expect(failed, JSON.stringify(failed, null, 1)).toEqual([]);
    expect(rows.length).toBeGreaterThan(15);
    expect(stats.live).toBe(0);
  });

  it("runs only the backend cases whose op name contains --only's string, and none (no backend made) when nothing matches", async () => {
    const { addon, stats } = fakeDevice(real);
    const create = (init: BackendInit, options: CudaBackendOptions): Promise<CudaBackend> => CudaBackend.createOn(addon, init, { options, numDevices: 1 });
    const rows = await runBackendChecks({ dtype: "float32", gemm: "tiled", seed: 7, create, only: "attention" });
    expect(new Set(rows.map((r) => r.op))).toEqual(new Set(["attention.out", "attention.lse", "gemm paths", "attention paths"]));
    expect(rows.filter((r) => !r.ok)).toEqual([]);
    expect(await runBackendChecks({ dtype: "float32", gemm: "tiled", seed: 7, create, only: "no such op" })).toEqual([]);
    expect(stats.live).toBe(0);
  });

  it("asked for the cuDNN attention route without cuDNN, falls back to its kernel, says why and still passes", async () => {
    const { addon, stats } = fakeDevice(real);
    const made: CudaBackend[] = [];
    const create = async (init: BackendInit, options: CudaBackendOptions): Promise<CudaBackend> => {
      const be = await CudaBackend.createOn(addon, init, { options: { ...options, attention: "cudnn" }, numDevices: 1 });
      made.push(be);
      return be;
    };
    const rows = await runBackendChecks({ dtype: "bfloat16", gemm: "tiled", seed: 9, create });
    expect(rows.filter((r) => !r.ok)).toEqual([]);
    expect(new Set(made.flatMap((b) => b.attentionPaths))).toEqual(new Set(["kernel (cuDNN: not loaded)"]));
    expect(stats.live).toBe(0);
    expect(parseCudaBackendOptions({}).attention).toBe("cudnn");
  });

  it("lets embed / attnIn / attnOut resolve once enqueued unless awaitOps is on, with the same results", async () => {
    const m = checkModel({ ...CHECK_SHAPE, numLayers: 1, qkvBias: false }, 5);
    const init = { config: m.config, weights: m.weights, heads: undefined, threads: 1, host: 0, numHosts: 1 };
    const ids = Int32Array.from([3, 1, 4]);
    const positions = Int32Array.from([0, 1, 2]);
    const outs: Float32Array[] = [];
    for (const awaitOps of [false, true]) {
      const { addon, stats } = fakeDevice(real);
      const be = await CudaBackend.createOn(addon, init, { options: { dtype: "float32", gemm: "tiled", awaitOps }, numDevices: 1 });
      stats.fences.length = 0;
      const h = await be.embed(ids);
      const qkv = await be.attnIn(0, h, positions, false);
      const att = await be.attention(qkv.q, qkv.k, qkv.v, { anchorRows: 0, offset: 0 });
      const y = await be.attnOut(0, h, att.out);
      expect(stats.fences).toEqual(awaitOps ? ["embed", "attnIn", "attnOut"] : []);
      outs.push(await be.download(y));
      be.awaitOps = !awaitOps;
      expect(be.awaitOps).toBe(!awaitOps);
      await be.close();
    }
    expect(outs[1]).toEqual(outs[0]);
  });

  it("appendRows equals concatenation, fills spare rows in place (no allocation) and frees what it replaces", async () => {
    const { addon, stats } = fakeDevice(real);
    const m = checkModel({ ...CHECK_SHAPE, numLayers: 1, qkvBias: false }, 4);
    const be = await CudaBackend.createOn(addon, { config: m.config, weights: m.weights, heads: undefined, threads: 1, host: 0, numHosts: 1 }, { options: { dtype: "bfloat16" }, numDevices: 1 });
    const width = m.config.numKvHeads * m.config.headDim;
    const rng = new Prng(Date.now() % 1_000_000);
    const rows = (n: number): Float32Array => Float32Array.from({ length: n * width }, () => Math.round(rng.normal() * 8) / 8); // exact in bf16
    const first = rows(5);
    let grown = be.upload(first, [5, width]);
    let want = Array.from(first);
    let allocs = 0;
    for (let step = 0; step < 1100; step++) {
      const add = rows(step === 7 ? 40 : 1);
      const extra = be.upload(add, [add.length / width, width]);
      const before = stats.allocs;
      grown = be.appendRows(grown, extra);
      allocs += stats.allocs - before;
      be.dispose(extra);
      want = want.concat(Array.from(add));
    }
    expect(grown.shape).toEqual([want.length / width, width]);
    expect(Array.from(await be.download(grown))).toEqual(want);
    expect(allocs).toBe(2); // the first append (an uploaded tensor has no spare rows), then once past 1024 spare rows
    const wrong = be.upload(new Float32Array(3), [1, 3]);
    expect(() => be.appendRows(grown, wrong)).toThrow(expect.objectContaining({ code: "BACKEND_FAILED" }));
    be.dispose(wrong);
    be.dispose(grown);
    await be.close();
    expect(stats.live).toBe(0);
  });

  it("rejects foreign, released and mis-shaped tensors with BACKEND_FAILED", async () => {
    const { addon } = fakeDevice(real);
    const m = checkModel({ ...CHECK_SHAPE, numLayers: 1, qkvBias: false }, 3);
    const be = await CudaBackend.createOn(addon, { config: m.config, weights: m.weights, heads: undefined, threads: 1, host: 0, numHosts: 1 }, { options: { dtype: "float32" }, numDevices: 1 });
    const x = be.upload(new Float32Array(2 * m.config.hiddenSize), [2, m.config.hiddenSize]);
    await expect(be.attnIn(0, x, Int32Array.from([0, 1]), true)).rejects.toMatchObject({ code: "BACKEND_FAILED" }); // no heads
    await expect(be.attnIn(0, x, Int32Array.from([0]), false)).rejects.toMatchObject({ code: "BACKEND_FAILED" });
    await expect(be.embed(Int32Array.from([m.config.vocabSize]))).rejects.toMatchObject({ code: "BACKEND_FAILED" });
    expect(() => be.sliceRows(x, 1, 3)).toThrow(expect.objectContaining({ code: "BACKEND_FAILED" }));
    expect(() => be.gatherHeads(be.upload(new Float32Array(m.config.numKvHeads * m.config.headDim), [1, m.config.numKvHeads * m.config.headDim]), Int32Array.from([0, 1]), 1)).toThrow(
      expect.objectContaining({ code: "BACKEND_FAILED" }),
    );
    be.dispose(x);
    be.dispose(x); // idempotent
    await expect(be.logits(x)).rejects.toMatchObject({ code: "BACKEND_FAILED" });
    await be.close();
    await expect(be.embed(Int32Array.from([1]))).rejects.toMatchObject({ code: "BACKEND_FAILED" });
  });
});
