// Microbenchmark of the onnx backend: attention at 4K/8K/16K keys (full causal vs APB-shaped masks, GFLOP/s of
// useful work) and one decoder layer at 1K tokens against the reference backend. Validates before timing.
// Run: node packages/backend-onnx/dist/bench/ops-bench.js [--threads N] [--keys 4096,8192] [--json]

import { BackendError, CpuTensor, Prng, ReferenceBackend, numVisibleKeys } from "@apb/core";
import type { AttentionMask } from "@apb/core";
import { pathToFileURL } from "node:url";
import { OnnxBackend } from "../backend/index.js";
import { randomModel } from "@apb/core";
import type { RandomModelShape } from "@apb/core";

/** The benchmark model: hidden 512, 8 query heads, 2 KV heads, dh 64. */
export const BENCH_SHAPE: RandomModelShape = { vocabSize: 1000, hiddenSize: 512, intermediateSize: 1536, numLayers: 1, numHeads: 8, numKvHeads: 2, headDim: 64 };
const VALIDATE_TOL = 1e-4; // max |diff| allowed vs the reference before anything is timed (O(1) values, fp32 vs fp64 sums)

/** One attention workload. */
export interface AttentionCase {
  readonly name: string;
  readonly rows: number;
  readonly keys: number;
  readonly mask: AttentionMask;
}

/** Full causal over n tokens, and an APB host with the same n keys: anchor n/4, passing n/4, local n/2. */
export function attentionCases(keys: number): AttentionCase[] {
  const a = keys / 4;
  return [
    { name: "causal", rows: keys, keys, mask: { anchorRows: 0, offset: 0 } },
    { name: "apb", rows: a + keys / 2, keys, mask: { anchorRows: a, offset: a } },
    { name: "query64", rows: 64, keys, mask: { anchorRows: 0, offset: keys } },
  ];
}

/** FLOPs of the useful work: 2·dh multiply-adds for q·k and for p·v per visible (row, key, head). */
export function attentionFlops(c: AttentionCase, shape: RandomModelShape): number {
  let pairs = 0;
  for (let i = 0; i < c.rows; i++) pairs += numVisibleKeys(i, c.mask, c.keys);
  return 4 * shape.headDim * shape.numHeads * pairs;
}

async function time(fn: () => Promise<unknown>, reps: number): Promise<number> {
  await fn(); // warm-up
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    await fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

function randomQkv(rng: Prng, c: { rows: number; keys: number }): { q: CpuTensor; k: CpuTensor; v: CpuTensor } {
  const { numHeads: nq, numKvHeads: nkv, headDim: dh } = BENCH_SHAPE;
  return {
    q: new CpuTensor(rng.normals(c.rows * nq * dh, 1), [c.rows, nq * dh]),
    k: new CpuTensor(rng.normals(c.keys * nkv * dh, 1), [c.keys, nkv * dh]),
    v: new CpuTensor(rng.normals(c.keys * nkv * dh, 1), [c.keys, nkv * dh]),
  };
}

/** Checks the onnx attention against the reference on an APB-shaped 512-key case; throws on a mismatch. */
async function validateAttention(onnx: OnnxBackend, ref: ReferenceBackend): Promise<void> {
  const c = attentionCases(512)[1]!;
  const x = randomQkv(new Prng(1), c);
  const [a, b] = [await onnx.attention(x.q, x.k, x.v, c.mask), await ref.attention(x.q, x.k, x.v, c.mask)];
  const diff = Math.max(maxDiff(a.out.data, b.out.data), maxDiff(a.lse, b.lse));
  if (!(diff <= VALIDATE_TOL)) throw new BackendError("BACKEND_FAILED", `attention validation failed: max |diff| ${diff}`);
}

/** Times attention for each key count and case; returns table rows. */
export async function benchAttention(onnx: OnnxBackend, keyCounts: readonly number[]): Promise<Record<string, string | number>[]> {
  const rows: Record<string, string | number>[] = [];
  for (const keys of keyCounts) {
    for (const c of attentionCases(keys)) {
      const x = randomQkv(new Prng(keys), c);
      const reps = keys >= 16384 ? 1 : 2;
      const ms = await time(() => onnx.attention(x.q, x.k, x.v, c.mask), reps);
      const flops = attentionFlops(c, BENCH_SHAPE);
      rows.push({ case: c.name, rows: c.rows, keys, ms: +ms.toFixed(1), gflop: +(flops / 1e9).toFixed(1), "GFLOP/s": +(flops / ms / 1e6).toFixed(1) });
    }
  }
  return rows;
}

/** One decoder layer (attnIn with scores off, causal attention, attnOut) at `tokens` tokens on a backend; ms. */
async function layerMs(be: OnnxBackend | ReferenceBackend, tokens: number, reps: number): Promise<{ ms: number; out: Float32Array }> {
  const rng = new Prng(7);
  const hidden = new CpuTensor(rng.normals(tokens * BENCH_SHAPE.hiddenSize, 1), [tokens, BENCH_SHAPE.hiddenSize]);
  const positions = Int32Array.from({ length: tokens }, (_, i) => i);
  let out: Float32Array = new Float32Array(0);
  const ms = await time(async () => {
    const a = await be.attnIn(0, hidden, positions, false);
    const att = await be.attention(a.q, a.k, a.v, { anchorRows: 0, offset: 0 });
    out = (await be.attnOut(0, hidden, att.out)).data;
  }, reps);
  return { ms, out };
}

/** Onnx vs reference on one layer; validates the outputs agree first. */
export async function benchLayer(onnx: OnnxBackend, ref: ReferenceBackend, tokens: number): Promise<Record<string, string | number>[]> {
  const o = await layerMs(onnx, tokens, 3);
  const r = await layerMs(ref, tokens, 1);
  const diff = maxDiff(o.out, r.out);
  if (!(diff <= VALIDATE_TOL * 10)) throw new BackendError("BACKEND_FAILED", `layer validation failed: max |diff| ${diff}`);
  return [{ tokens, "onnx ms": +o.ms.toFixed(1), "reference ms": +r.ms.toFixed(0), speedup: +(r.ms / o.ms).toFixed(1), "max |diff|": diff.toExponential(1) }];
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : fallback;
}

/** Entry point: prints two tables (or JSON with --json). */
export async function main(): Promise<void> {
  const threads = Number(arg("threads", "2"));
  const keyCounts = arg("keys", "4096,8192,16384").split(",").map(Number);
  const model = randomModel(BENCH_SHAPE, 42);
  const init = { config: model.config, weights: model.weights, heads: undefined, threads, host: 0, numHosts: 1 };
  const onnx = await OnnxBackend.create(init);
  const ref = new ReferenceBackend(init);
  try {
    await validateAttention(onnx, ref);
    const layer = await benchLayer(onnx, ref, Number(arg("layer-tokens", "1024")));
    const attention = await benchAttention(onnx, keyCounts);
    if (process.argv.includes("--json")) {
      console.log(JSON.stringify({ date: new Date().toISOString(), threads, shape: BENCH_SHAPE, attention, layer }, null, 2));
    } else {
      console.log(`attention, hidden 512, 8 q heads / 2 kv heads, dh 64, ${threads} threads`);
      console.table(attention);
      console.log("one layer (attnIn + causal attention + attnOut), onnx vs reference");
      console.table(layer);
    }
  } finally {
    await onnx.close();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
