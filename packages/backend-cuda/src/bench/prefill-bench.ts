// The GPU prefill bench (issue 6): loads an HF checkpoint tensor by tensor into one CudaBackend, then runs the
// correctness phase (vs HF), full-prefill timings and the strategies on virtual hosts sharing that backend, writing
// JSON after every row and printing the summary (ours vs PyTorch) last.
// Usage: node build/gpu-prefill.mjs --model DIR [--reference REF.json] [--reference-f32 REF32.json]
//        [--torch-bench BENCH.json] [--json OUT.json]
//        [--lengths 8192,...] [--strategy-length 32768] [--hosts 4] [--deadline UNIX_S] [--phases correctness,full,strategies]
//        node build/gpu-prefill.mjs --summarize --json OUT.json [--torch-bench BENCH.json]

import { existsSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { ApbError, SafetensorsCheckpoint, createReferenceBackend, loadModelConfig, loadModelWeights, toApbError } from "@apb/core";
import type { Backend, BackendInit, ModelConfig, Tensor } from "@apb/core";
import { cudaAvailability } from "../availability/index.js";
import { CudaBackend, cudaBackendOptionsFromEnv } from "../backend/index.js";
import type { BenchClock, BenchContext } from "./bench-context.js";
import { runCorrectness } from "./correctness-phase.js";
import { parsePrefillBenchArgs } from "./prefill-options.js";
import type { PrefillBenchOptions } from "./prefill-options.js";
import { formatSummary } from "./prefill-report.js";
import type { MemoryPeak, PrefillBenchResult } from "./prefill-result.js";
import { runFullTimings, runStrategyTimings } from "./timing-phases.js";
import { readTorchBench, readTorchPrompt, readTorchReference } from "./torch-results.js";
import type { TorchBench, TorchPrompt, TorchReference } from "./torch-results.js";

/** What the bench can be given instead of the real device (tests: CudaBackend on the host-memory stand-in). */
export interface PrefillBenchDeps {
  /** Builds a backend; `dtype` float32 is the float32 correctness pass's (default: bfloat16 or the environment's). */
  readonly createBackend?: (init: BackendInit, dtype?: "float32") => Promise<Backend<Tensor>>;
  readonly clock?: BenchClock;
  readonly log?: (line: string) => void;
  /** The device, in words, recorded in the result. */
  readonly device?: string;
}

interface Loaded {
  readonly backend: Backend<Tensor>;
  readonly config: ModelConfig;
  /** The host weights (float32), kept only while a float32 backend is still to be built. */
  init: BackendInit | undefined;
}

function memoryOf(b: Backend<Tensor>, resetPeaks: boolean): MemoryPeak | undefined {
  if (!(b instanceof CudaBackend)) return undefined;
  const m = b.memoryInfo({ resetPeaks });
  return { usedHighBytes: m.poolUsedHighBytes, reservedHighBytes: m.poolReservedHighBytes, totalBytes: m.totalBytes };
}

function weightBytes(c: ModelConfig): number {
  const layer = c.hiddenSize * (c.numHeads + 2 * c.numKvHeads) * c.headDim + c.numHeads * c.headDim * c.hiddenSize + 3 * c.hiddenSize * c.intermediateSize + 2 * c.hiddenSize;
  return 2 * (c.numLayers * layer + (c.tieWordEmbeddings ? 1 : 2) * c.vocabSize * c.hiddenSize + c.hiddenSize);
}

/** The backend builder: the deps' (tests), core's CPU reference, or CUDA with the environment's options. */
function backendFactory(o: PrefillBenchOptions, deps: PrefillBenchDeps): (init: BackendInit, dtype?: "float32") => Promise<Backend<Tensor>> {
  if (deps.createBackend !== undefined) return deps.createBackend;
  if (o.backend === "reference") return async (i) => (await createReferenceBackend(i)) as Backend<Tensor>;
  return async (i, dtype) => CudaBackend.create(i, { ...cudaBackendOptionsFromEnv(process.env), ...(dtype === undefined ? {} : { dtype }) });
}

/**
 * The float32 pass of the correctness phase: a second backend storing float32 (built from the host weights, then
 * closed) runs full, APB exact and Ring against HF's float32 reference.
 */
async function runCorrectnessF32(ctx: BenchContext, loaded: Loaded, deps: PrefillBenchDeps, refF32: TorchReference): Promise<void> {
  const init = loaded.init;
  loaded.init = undefined; // the host copy is dropped once the float32 backend holds the weights
  if (init === undefined) return;
  const t0 = ctx.clock.ms();
  const backend = await backendFactory(ctx.o, deps)(init, "float32");
  ctx.log(`correctness f32: float32 backend built in ${((ctx.clock.ms() - t0) / 1000).toFixed(1)} s`);
  try {
    const c = await runCorrectness({ ...ctx, vh: { backend, config: loaded.config } }, refF32, undefined, "hf-f32");
    ctx.result.correctnessF32 = c;
  } finally {
    await backend.close();
    ctx.save();
  }
}

/**
 * Reads every tensor (bf16 → float32 on the host, one at a time), then builds the backend (uploads, bf16 on the GPU;
 * defaults, or the APB_CUDA_* variables the engine path reads, e.g. APB_CUDA_ATTENTION=kernel to compare routes).
 */
async function loadBackend(o: PrefillBenchOptions, deps: PrefillBenchDeps, ctx: { config: ModelConfig; clock: BenchClock; log: (l: string) => void; result: PrefillBenchResult }): Promise<Loaded> {
  const config = ctx.config;
  const t0 = ctx.clock.ms();
  const ckpt = await SafetensorsCheckpoint.open(o.model!);
  let init: BackendInit;
  try {
    init = { config, weights: await loadModelWeights(ckpt, config), heads: undefined, threads: 1, host: 0, numHosts: 1 };
  } finally {
    await ckpt.close();
  }
  const t1 = ctx.clock.ms();
  const backend = await backendFactory(o, deps)(init);
  const t2 = ctx.clock.ms();
  ctx.result.load = { loadMs: t1 - t0, uploadMs: t2 - t1, weightBytes: weightBytes(config), memory: memoryOf(backend, false) };
  ctx.log(`load: ${(weightBytes(config) / 1e9).toFixed(2)} GB of weights read in ${((t1 - t0) / 1000).toFixed(1)} s, backend ${backend.name} built in ${((t2 - t1) / 1000).toFixed(1)} s`);
  return { backend, config, init: o.referenceF32 !== undefined && o.phases.includes("correctness") ? init : undefined };
}

function emptyResult(o: PrefillBenchOptions): PrefillBenchResult {
  return { format: "apb-gpu-prefill/1", date: new Date().toISOString(), backend: o.backend, model: { dir: o.model ?? "", layers: 0, hidden: 0, vocab: 0, heads: "" }, full: [], strategies: [], skipped: [], errors: [], attentionPaths: [], gemmPaths: [] };
}

async function runPhase(ctx: BenchContext, phase: string, f: () => Promise<unknown>): Promise<void> {
  try {
    await f();
  } catch (err) {
    const e = toApbError(err);
    ctx.result.errors.push({ phase, code: e.code, message: e.message });
    ctx.log(`ERROR in ${phase}: ${e.code}: ${e.message}`);
  } finally {
    const b = ctx.vh.backend;
    if (b instanceof CudaBackend) {
      ctx.result.attentionPaths = [...b.attentionPaths];
      ctx.result.gemmPaths = [...b.gemmPaths];
    }
    ctx.save();
  }
}

/**
 * Runs the phases the options ask for and returns the result (also written to --json after every row).
 * @throws ApbError for bad options or an unreadable checkpoint/reference; BackendError when the backend cannot start.
 */
export async function runPrefillBench(o: PrefillBenchOptions, deps: PrefillBenchDeps = {}): Promise<PrefillBenchResult> {
  if (o.model === undefined) throw new ApbError("INPUT_INVALID", "gpu-prefill: --model is required");
  const clock = deps.clock ?? { ms: () => performance.now(), unixMs: () => Date.now() };
  const start = clock.ms();
  const log = deps.log ?? ((line: string) => console.log(`[${((clock.ms() - start) / 1000).toFixed(1).padStart(6)} s] ${line}`));
  const result = emptyResult(o);
  result.device = deps.device;
  const save = (): void => {
    if (o.json !== undefined) writeFileSync(o.json, JSON.stringify(result, null, 1));
  };
  const ref: TorchReference | undefined = o.reference === undefined ? undefined : await readTorchReference(o.reference);
  const config = await loadModelConfig(o.model);
  if (ref !== undefined && ref.vocabSize !== config.vocabSize) throw new ApbError("INPUT_INVALID", `${o.reference}: vocab ${ref.vocabSize}, the model has ${config.vocabSize}`);
  const refF32 = o.referenceF32 === undefined ? undefined : await readTorchReference(o.referenceF32);
  if (refF32 !== undefined && (ref === undefined || refF32.vocabSize !== ref.vocabSize || refF32.promptIds.join(",") !== ref.promptIds.join(",")))
    throw new ApbError("INPUT_INVALID", `${o.referenceF32}: needs --reference with the same prompt and vocabulary`);
  result.model = { dir: o.model, layers: config.numLayers, hidden: config.hiddenSize, vocab: config.vocabSize, heads: `${config.numHeads}/${config.numKvHeads}x${config.headDim}` };
  const torch = await readTorchPromptOf(o.torchBench, config.vocabSize, log);
  const loaded = await loadBackend(o, deps, { config, clock, log, result });
  const { backend } = loaded;
  const ctx: BenchContext = { o, vh: { backend, config }, result, clock, torch, log, memory: (reset) => memoryOf(backend, reset), save };
  save();
  try {
    if (o.phases.includes("correctness")) {
      if (refF32 !== undefined) await runPhase(ctx, "correctness f32", () => runCorrectnessF32(ctx, loaded, deps, refF32));
      await runPhase(ctx, "correctness", async () => {
        ctx.result.correctness = await runCorrectness(ctx, ref, refF32);
      });
    }
    if (o.phases.includes("full")) await runPhase(ctx, "full", () => runFullTimings(ctx));
    if (o.phases.includes("strategies")) await runPhase(ctx, "strategies", () => runStrategyTimings(ctx));
  } finally {
    await backend.close();
  }
  return result;
}

/** PyTorch's bench prompt and logits, when its files exist (a missing or bad one only loses the comparison). */
async function readTorchPromptOf(path: string | undefined, vocab: number, log: (l: string) => void): Promise<TorchPrompt | undefined> {
  if (path === undefined || !existsSync(path)) return undefined;
  try {
    const p = await readTorchPrompt(path, await readTorchBench(path), vocab);
    if (p !== undefined) log(`torch bench: ${p.ids.length} prompt ids, logits at ${[...p.logits.keys()].join(", ") || "no length"}`);
    return p;
  } catch (err) {
    log(`torch bench: not comparing logits (${(err as Error).message})`);
    return undefined;
  }
}

async function readResult(path: string | undefined): Promise<PrefillBenchResult | undefined> {
  if (path === undefined || !existsSync(path)) return undefined;
  return JSON.parse(await readFile(path, "utf8")) as PrefillBenchResult;
}

async function readBench(path: string | undefined): Promise<TorchBench | undefined> {
  if (path === undefined || !existsSync(path)) return undefined;
  return readTorchBench(path).catch((err: unknown) => {
    console.error(`gpu-prefill: ignoring ${path}: ${(err as Error).message}`);
    return undefined;
  });
}

function describeDevice(): string | undefined {
  const a = cudaAvailability({ requireCublasLt: false });
  if (!a.available) return undefined;
  const cudnn = "path" in a.cudnn ? `cuDNN ${a.cudnn.version}` : "no cuDNN";
  return `${a.devices.map((d) => `${d.name} (${(d.totalMemBytes / 2 ** 30).toFixed(0)} GiB)`).join(", ")}; CUDA runtime ${a.runtimeVersion}; ${cudnn}`;
}

/** The program: 0 when every check passed, 1 on a failed check or phase error, 2 for bad usage or no backend. */
export async function main(argv: readonly string[]): Promise<number> {
  let o: PrefillBenchOptions;
  try {
    o = parsePrefillBenchArgs(argv);
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  if (o.summarize) {
    console.log(formatSummary(await readResult(o.json), await readBench(o.torchBench)));
    return 0;
  }
  let result: PrefillBenchResult;
  try {
    const device = o.backend === "cuda" ? describeDevice() : "CPU (reference backend)";
    console.log(`gpu-prefill: ${device ?? "CUDA unavailable"}; model ${o.model}`);
    result = await runPrefillBench(o, { device });
  } catch (err) {
    const e = toApbError(err);
    console.error(`gpu-prefill: ${e.code}: ${e.message}`);
    return 2;
  }
  console.log(formatSummary(result, await readBench(o.torchBench)));
  return result.errors.length > 0 || result.correctness?.ok === false ? 1 : 0;
}
