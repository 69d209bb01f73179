// Virtual hosts sharing one backend: the engine's strategies give the tokens core's own group gives, APB with exact
// settings and Ring equal full, hosts timed one by one through the direct KV exchange, and on the CUDA backend
// (host-memory stand-in) every device buffer the hosts made is freed again.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ApbEngine, createReferenceBackend, loadModel, parseSampling, planRequest, writeRandomCheckpoint } from "@apb/core";
import type { Backend, BackendInit, GroupPlan, RequestStrategy, Tensor } from "@apb/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CudaBackend } from "../backend/index.js";
import { loadAddon } from "../native/index.js";
import { fakeDevice } from "../testing-only/index.js";
import { BlockStore } from "./direct-exchange.js";
import { logitsRelL2 } from "./prefill-report.js";
import { forwardLogits, runVirtualRequest, timeHostPrefills } from "./virtual-hosts.js";
import type { VirtualHosts } from "./virtual-hosts.js";

let dir: string;
let init: BackendInit;
const ids = Array.from({ length: 40 }, (_, i) => 3 + ((i * 11) % 57));
const plan = (strategy: RequestStrategy, numHosts: number): GroupPlan =>
  planRequest({ context: Int32Array.from(ids.slice(0, -1)), query: Int32Array.from(ids.slice(-1)), anchorQuery: new Int32Array(0) }, strategy, { numHosts, hasRetainingHeads: false, maxPositions: 4096 });
const sampling = parseSampling({ maxTokens: 5 });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "apb-virtual-hosts-"));
  await writeRandomCheckpoint(dir, { seed: 11, vocabSize: 64, hiddenSize: 32, intermediateSize: 64, numLayers: 2, numHeads: 4, numKvHeads: 2, dtype: "BF16", tokenizer: false });
  const m = await loadModel(dir);
  init = { config: m.config, weights: m.weights, heads: undefined, threads: 1, host: 0, numHosts: 1 };
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function tokensOf(vh: VirtualHosts, strategy: RequestStrategy, numHosts: number): Promise<{ tokens: number[]; logits: Float32Array }> {
  const hosts = await runVirtualRequest(vh, { plan: plan(strategy, numHosts), sampling, keepLogits: true });
  expect(new Set(hosts.map((h) => h.tokens.join(",")))).toHaveProperty("size", 1);
  return { tokens: hosts.at(-1)!.tokens, logits: hosts.at(-1)!.logits![0]! };
}

describe("virtual hosts on core's reference backend", () => {
  it("give the tokens of core's in-process group; APB exact and Ring equal full", async () => {
    const vh = { backend: (await createReferenceBackend(init)) as Backend<Tensor>, config: init.config };
    const full = await tokensOf(vh, { strategy: "full" }, 1);
    const engine = await ApbEngine.open({ model: dir, hosts: 1, backend: "reference", threadsPerHost: 1 });
    try {
      expect((await engine.generate({ ids, strategy: "full", sampling: { maxTokens: 5 } })).tokens).toEqual(full.tokens);
    } finally {
      await engine.close();
    }
    const apb = await tokensOf(vh, { strategy: "apb", anchor: 0, passing: 10, selection: "random" }, 4);
    const ring = await tokensOf(vh, { strategy: "ring" }, 4);
    expect(apb.tokens).toEqual(full.tokens);
    expect(ring.tokens).toEqual(full.tokens);
    expect(logitsRelL2(apb.logits, full.logits)).toBeLessThan(1e-5);
    expect(logitsRelL2(ring.logits, full.logits)).toBeLessThan(1e-5);
  });

  it("times every host of Ring, APB and Star alone (attention profiled); the one-host forward gives full's logits", async () => {
    const vh = { backend: (await createReferenceBackend(init)) as Backend<Tensor>, config: init.config };
    for (const s of [{ strategy: "ring" }, { strategy: "apb", selection: "random" }, { strategy: "star" }] as const) {
      const times = await timeHostPrefills(vh, { plan: plan(s, 4), seed: 3 });
      expect(times.map((t) => t.host)).toEqual([0, 1, 2, 3]);
      expect(times.every((t) => t.ms >= 0 && (t.opMs["attention"] ?? 0) > 0)).toBe(true);
    }
    const forced = await forwardLogits(vh.backend, vh.config, Int32Array.from(ids), 1);
    const full = await tokensOf(vh, { strategy: "full" }, 1);
    expect(logitsRelL2(forced, full.logits)).toBeLessThan(1e-6);
  });

  it("the block store hands a block to a taker that came first, and rejects it on abort", async () => {
    const store = new BlockStore();
    const waiting = store.take(2, 0, new AbortController().signal);
    store.put(2, 0, { k: new Float32Array(4), v: new Float32Array(4), rows: 1 });
    await expect(waiting).resolves.toMatchObject({ rows: 1 });
    const ac = new AbortController();
    const never = store.take(3, 1, ac.signal);
    ac.abort();
    await expect(never).rejects.toMatchObject({ code: "ABORTED" });
    expect(store.numBlocks).toBe(1);
  });
});

const load = loadAddon();

describe.skipIf(!load.ok)("virtual hosts sharing one CudaBackend (host-memory stand-in)", () => {
  it("APB exact and Ring give full's tokens, and every buffer of every host is freed", async () => {
    const { addon, stats } = fakeDevice(load.ok ? load.addon : (undefined as never));
    const backend = await CudaBackend.createOn(addon, init, { options: { dtype: "float32", gemm: "tiled" }, numDevices: 1 });
    const weights = stats.live;
    const vh = { backend: backend as Backend<Tensor>, config: init.config };
    const full = await tokensOf(vh, { strategy: "full" }, 1);
    expect((await tokensOf(vh, { strategy: "apb", anchor: 0, passing: 10, selection: "random" }, 4)).tokens).toEqual(full.tokens);
    expect((await tokensOf(vh, { strategy: "ring" }, 4)).tokens).toEqual(full.tokens);
    await timeHostPrefills(vh, { plan: plan({ strategy: "apb", selection: "random" }, 4), seed: 1 });
    expect(stats.live).toBe(weights);
    const m = backend.memoryInfo({ resetPeaks: true });
    expect(m.poolUsedHighBytes).toBeGreaterThan(m.poolUsedBytes);
    expect(backend.memoryInfo().poolUsedHighBytes).toBe(m.poolUsedBytes);
    await backend.close();
    expect(stats.live).toBe(0);
  });

  it("samples greedy tokens on the device when the logits are not kept: the same tokens, only ids read back", async () => {
    const { addon, stats } = fakeDevice(load.ok ? load.addon : (undefined as never));
    const backend = await CudaBackend.createOn(addon, init, { options: { dtype: "bfloat16", gemm: "tiled" }, numDevices: 1 });
    const calls = { greedy: 0, logits: 0 };
    const spied = new Proxy(backend, {
      get: (target, prop, receiver) => {
        const v: unknown = Reflect.get(target, prop, receiver);
        if (typeof v !== "function") return v;
        const f = (v as (...args: unknown[]) => unknown).bind(target);
        if (prop !== "greedyTokens" && prop !== "logits") return f;
        return (...args: unknown[]) => {
          calls[prop === "greedyTokens" ? "greedy" : "logits"] += 1;
          return f(...args);
        };
      },
    });
    const vh = { backend: spied as Backend<Tensor>, config: init.config };
    for (const [strategy, hosts] of [[{ strategy: "full" }, 1], [{ strategy: "ring" }, 4]] as const) {
      const kept = await runVirtualRequest(vh, { plan: plan(strategy, hosts), sampling, keepLogits: true });
      expect(calls).toEqual({ greedy: 0, logits: sampling.maxTokens });
      calls.logits = 0;
      const onDevice = await runVirtualRequest(vh, { plan: plan(strategy, hosts), sampling, keepLogits: false });
      expect(onDevice.at(-1)!.tokens).toEqual(kept.at(-1)!.tokens);
      expect(calls).toEqual({ greedy: sampling.maxTokens, logits: 0 });
      calls.greedy = 0;
    }
    await backend.close();
    expect(stats.live).toBe(0);
  });
});
