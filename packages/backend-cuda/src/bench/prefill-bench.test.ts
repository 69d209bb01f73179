// The whole prefill bench on a tiny sharded bf16 checkpoint, with CudaBackend on the host-memory stand-in and an HF
// reference file made here by core's reference backend: correctness passes, every phase writes its rows, the deadline
// skips what would not fit, and the summary reads the files back.
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { argmax, createReferenceBackend, loadModel, writeRandomCheckpoint } from "@apb/core";
import type { Backend, BackendInit, Tensor } from "@apb/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CudaBackend } from "../backend/index.js";
import { loadAddon } from "../native/index.js";
import { fakeDevice } from "../testing-only/index.js";
import { main, runPrefillBench } from "./prefill-bench.js";
import { parsePrefillBenchOptions } from "./prefill-options.js";
import { formatSummary } from "./prefill-report.js";
import type { PrefillBenchResult } from "./prefill-result.js";
import { forwardLogits } from "./virtual-hosts.js";

const load = loadAddon();
let dir: string;
const NEW_TOKENS = 4;

/** A reference file in torch_prefill.py's format, computed by core's reference backend (greedy by recomputation). */
async function writeReference(path: string, init: BackendInit, prompt: number[], scale = 1): Promise<void> {
  const b = (await createReferenceBackend(init)) as Backend<Tensor>;
  const greedy: number[] = [];
  for (let k = 0; k < NEW_TOKENS; k++) greedy.push(argmax(await forwardLogits(b, init.config, Int32Array.from([...prompt, ...greedy]), 1)));
  const all = (await forwardLogits(b, init.config, Int32Array.from([...prompt, ...greedy.slice(0, -1)]), NEW_TOKENS)).map((x) => x * scale);
  const vocab = init.config.vocabSize;
  const steps = greedy.map((token, k) => {
    const row = [...all.subarray(k * vocab, (k + 1) * vocab)];
    const order = row.map((_, i) => i).sort((a, c) => row[c]! - row[a]!);
    const mean = row.reduce((s, x) => s + x, 0) / vocab;
    const std = Math.sqrt(row.reduce((s, x) => s + (x - mean) ** 2, 0) / vocab);
    return { token, top1: row[order[0]!]!, top2: row[order[1]!]!, margin: row[order[0]!]! - row[order[1]!]!, runnerUp: order[1]!, std, top5: order.slice(0, 5) };
  });
  await writeFile(`${path}.logits.f32`, new Uint8Array(all.buffer));
  const lastLogitsB64 = Buffer.from(all.buffer, 0, vocab * 4).toString("base64");
  const stepLogitsFile = `${path.slice(path.lastIndexOf("/") + 1)}.logits.f32`;
  const doc = { format: "apb-torch-reference/1", model: dir, meta: { impl: "core reference backend" }, promptIds: prompt, greedy, vocabSize: vocab, steps, lastLogitsB64, stepLogitsFile };
  await writeFile(path, JSON.stringify(doc));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "apb-prefill-bench-"));
  await writeRandomCheckpoint(join(dir, "model"), { seed: 4, vocabSize: 96, hiddenSize: 32, intermediateSize: 64, numLayers: 2, numHeads: 4, numKvHeads: 2, dtype: "BF16", numShards: 3, tokenizer: false, ropeScaling: { type: "llama3", factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 64 }, maxPositions: 1024 });
  const m = await loadModel(join(dir, "model"));
  const init: BackendInit = { config: m.config, weights: m.weights, heads: undefined, threads: 1, host: 0, numHosts: 1 };
  const prompt = Array.from({ length: 41 }, (_, i) => (i * 37 + 5) % 96);
  await writeReference(join(dir, "ref.json"), init, prompt);
  await writeReference(join(dir, "ref-f32.json"), init, prompt, 1.01); // a stand-in "float32" reference 1% away
  // A PyTorch bench file with its prompt and per-length logits (here from the reference backend).
  const b = (await createReferenceBackend(init)) as Backend<Tensor>;
  const benchIds = Int32Array.from({ length: 96 }, (_, i) => (i * 29 + 3) % 96);
  const rowLogits = [await forwardLogits(b, init.config, benchIds.subarray(0, 64), 1), await forwardLogits(b, init.config, benchIds, 1)];
  await writeFile(join(dir, "bench.json.ids.i32"), new Uint8Array(benchIds.buffer));
  await writeFile(join(dir, "bench.json.logits.f32"), Buffer.concat(rowLogits.map((l) => new Uint8Array(l.buffer))));
  const row = (length: number, logitsRow: number): object => ({ length, warmupMs: 1, runsMs: [1], medianMs: 1, minMs: 1, peakAllocatedBytes: 1, peakReservedBytes: 1, logitsRow });
  const bench = { format: "apb-torch-bench/1", device: "test", torch: "-", transformers: "-", attention: "sdpa", rows: [row(64, 0), row(96, 1)], skipped: [], idsFile: "bench.json.ids.i32", logitsFile: "bench.json.logits.f32" };
  await writeFile(join(dir, "bench.json"), JSON.stringify(bench));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!load.ok)("the prefill bench end to end on the host-memory stand-in", () => {
  const real = load.ok ? load.addon : (undefined as never);

  it("passes correctness against the reference file, times every phase and writes its JSON", async () => {
    const { addon, stats } = fakeDevice(real);
    const asked: (string | undefined)[] = [];
    const createBackend = (init: BackendInit, dtype?: "float32"): Promise<Backend<Tensor>> => {
      asked.push(dtype);
      return CudaBackend.createOn(addon, init, { options: { dtype: "float32", gemm: "tiled" }, numDevices: 1 }) as Promise<Backend<Tensor>>;
    };
    const json = join(dir, "out.json");
    const o = parsePrefillBenchOptions({ model: join(dir, "model"), reference: join(dir, "ref.json"), referenceF32: join(dir, "ref-f32.json"), torchBench: join(dir, "bench.json"), json, lengths: [96, 64], strategyLength: 64, reps: 2, strategyReps: 1, hosts: 4 });
    const lines: string[] = [];
    const r = await runPrefillBench(o, { createBackend, log: (l) => lines.push(l) });
    expect(r.errors).toEqual([]);
    expect(r.correctness?.ok).toBe(true);
    expect(r.correctness?.runs.map((x) => `${x.name} vs ${x.tokensVs}`)).toEqual(["full vs hf", "full vs hf-f32", "HF transformers bf16 vs hf-f32", "apb exact (anchor 0, passing = block) vs full", "ring vs full"]);
    expect(r.correctness?.runs[0]!.logitsRelL2).toBeLessThan(1e-4);
    // 1% scaled logits: both distances from the stand-in float32 reference are 1/1.01 - 1 ≈ 0.0099 (ours to within our error).
    expect(r.correctness?.runs[1]!.logitsRelL2).toBeCloseTo(0.01 / 1.01, 4);
    expect(r.correctness?.runs[2]).toMatchObject({ informational: true, ok: true, agreement: { identical: true } });
    expect(r.correctness?.runs[2]!.logitsRelL2).toBeCloseTo(0.01 / 1.01, 6);
    expect(r.correctness?.forcedF32).toMatchObject({ numSteps: NEW_TOKENS, numArgmaxSame: NEW_TOKENS, ok: true });
    // The float32 pass: a second backend (asked for float32, closed after), its runs against the float32 reference.
    expect(asked).toEqual([undefined, "float32"]);
    expect(r.correctnessF32?.ok).toBe(true);
    expect(r.correctnessF32?.runs.map((x) => `${x.name} vs ${x.tokensVs}`)).toEqual(["full vs hf-f32", "apb exact (anchor 0, passing = block) vs full", "ring vs full"]);
    expect(r.correctnessF32?.runs[0]!.logitsRelL2).toBeCloseTo(0.01 / 1.01, 4);
    expect(r.correctnessF32?.forced).toMatchObject({ numSteps: NEW_TOKENS, numArgmaxSame: NEW_TOKENS, ok: true });
    const summary = formatSummary(r, undefined);
    expect(summary).toContain("== correctness in float32 (our backend storing float32 vs HF float32, same weights): ok");
    expect(summary).toMatch(/^HF transformers bf16\s+HF f32\s+9\.9e-3\s+4\/4 identical\s+\(within; context\)$/m);
    expect(summary).toMatch(/^teacher-forced on HF f32's tokens\s+HF f32/m);
    expect(r.correctness?.forced).toMatchObject({ numSteps: NEW_TOKENS, numArgmaxSame: NEW_TOKENS, ok: true });
    expect(r.full.map((x) => x.length)).toEqual([64, 96]);
    expect(r.full[0]!.runsMs).toHaveLength(2);
    expect(r.full.map((x) => x.vsTorch?.argmaxSame)).toEqual([true, true]);
    expect(Math.max(...r.full.map((x) => x.vsTorch!.relL2))).toBeLessThan(1e-4);
    expect(r.full[0]!.memory!.usedHighBytes).toBeGreaterThan(r.load!.memory!.usedHighBytes / 2);
    expect(r.strategies.map((x) => `${x.strategy}:${x.hosts}`)).toEqual(["full:1", "apb:4", "star:4", "ring:4"]);
    expect(r.strategies[1]!.perHost).toHaveLength(4);
    expect(JSON.parse(readFileSync(json, "utf8"))).toMatchObject({ format: "apb-gpu-prefill/1", full: [{ length: 64 }, { length: 96 }] });
    expect(stats.live).toBe(0);
    expect(lines.some((l) => l.startsWith("correctness: teacher-forced"))).toBe(true);
  });

  it("skips what the deadline leaves no room for, keeps correctness, and the summary reads the files back", async () => {
    const { addon } = fakeDevice(real);
    const createBackend = (init: BackendInit): Promise<Backend<Tensor>> => CudaBackend.createOn(addon, init, { options: { dtype: "float32", gemm: "tiled" }, numDevices: 1 }) as Promise<Backend<Tensor>>;
    const json = join(dir, "cut.json");
    const o = parsePrefillBenchOptions({ model: join(dir, "model"), json, lengths: [64], strategyLength: 64, deadline: 1000, reserve: 0, promptLength: 20, newTokens: 3 });
    const r: PrefillBenchResult = await runPrefillBench(o, { createBackend, clock: { ms: () => performance.now(), unixMs: () => 1_000_500 }, log: () => undefined });
    expect(r.correctness?.runs.every((x) => x.ok)).toBe(true);
    expect(r.full).toEqual([]);
    expect(r.strategies).toEqual([]);
    expect(r.skipped).toHaveLength(5);
    const printed: string[] = [];
    const log = console.log;
    console.log = (s: string) => void printed.push(s);
    try {
      expect(await main(["--summarize", "--json", json, "--torch-bench", join(dir, "bench.json")])).toBe(0);
    } finally {
      console.log = log;
    }
    expect(printed.join("\n")).toMatch(/^64\s+-\s+0\.001/m);
    expect(printed.join("\n")).toMatch(/^96\s+-\s+0\.001/m);
    expect(printed.join("\n")).toContain("skipped: full 64");
    expect(existsSync(json)).toBe(true);
  });

  it("reports bad usage with exit code 2", async () => {
    const [err, log] = [console.error, console.log];
    console.error = () => undefined;
    console.log = () => undefined;
    try {
      expect(await main(["--model"])).toBe(2);
      expect(await main(["--model", join(dir, "nope"), "--backend", "reference"])).toBe(2);
    } finally {
      console.error = err;
      console.log = log;
    }
  });
});
