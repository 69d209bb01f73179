// CudaBackend vs core's ReferenceBackend, op by op and for a whole forward, on a random model with q/k/v biases,
// Llama-3 RoPE scaling, GQA and retaining heads. In bfloat16 both sides hold the same bfloat16-rounded weights and
// inputs, so only the device's rounding of activations differs.

import { CpuTensor, Prng, ReferenceBackend, argmax } from "@apb/core";
import type { AttentionMask, Backend, BackendInit, Tensor } from "@apb/core";
import { CudaBackend } from "../backend/index.js";
import type { CudaBackendOptions } from "../backend/index.js";
import type { CudaTensor, DeviceDType } from "../device/index.js";
import { failedRow, rowOf } from "./check-report.js";
import type { CheckRow } from "./check-report.js";
import { compareArrays, compareExact } from "./compare.js";
import type { Tolerance } from "./compare.js";
import { asStored } from "./device-arrays.js";
import { checkModel, roundedModel } from "./random-model.js";
import type { CheckModelShape } from "./random-model.js";
import { BACKEND_BF16, BACKEND_F32, FORWARD_BF16, FORWARD_F32 } from "./tolerances.js";

/** The check model: GQA 8/2, head size 64, biases, two layers. */
export const CHECK_SHAPE: CheckModelShape = { hiddenSize: 256, numHeads: 8, numKvHeads: 2, headDim: 64, intermediateSize: 512, vocabSize: 1000, numLayers: 2, qkvBias: true };

interface Pair {
  readonly cuda: CudaBackend;
  readonly ref: ReferenceBackend;
  readonly dt: DeviceDType;
  readonly rng: Prng;
  readonly init: BackendInit;
}

type BackendCase = (p: Pair) => Promise<CheckRow[]>;

const dtLabel = (dt: DeviceDType): string => (dt === "float32" ? "f32" : "bf16");
const tolOf = (dt: DeviceDType): Tolerance => (dt === "float32" ? BACKEND_F32 : BACKEND_BF16);

function row(p: Pair, head: { op: string; shape: string; tol?: Tolerance }, actual: ArrayLike<number>, expected: ArrayLike<number>): CheckRow {
  const tol = head.tol ?? tolOf(p.dt);
  return rowOf({ suite: "backend", op: head.op, dtype: dtLabel(p.dt), shape: head.shape, tol: tol.relL2 }, compareArrays(actual, expected, tol));
}

/** The same random values on both sides (rounded as the device stores them). */
function inputs(p: Pair, rows: number, cols: number, std = 1): { dev: CudaTensor; cpu: CpuTensor } {
  const data = asStored(p.rng.normals(rows * cols, std), p.dt === "float32" ? 0 : 1);
  return { dev: p.cuda.upload(data, [rows, cols]), cpu: new CpuTensor(data, [rows, cols]) };
}

const embedCase: BackendCase = async (p) => {
  const ids = Int32Array.from({ length: 17 }, () => p.rng.int(p.init.config.vocabSize));
  const t = await p.cuda.embed(ids);
  const got = await p.cuda.download(t);
  p.cuda.dispose(t);
  return [rowOf({ suite: "backend", op: "embed", dtype: dtLabel(p.dt), shape: "17 ids", tol: 0 }, compareExact(got, (await p.ref.embed(ids)).data))];
};

const attnInCase: BackendCase = async (p) => {
  const c = p.init.config;
  const rows = 48;
  const h = inputs(p, rows, c.hiddenSize);
  const positions = Int32Array.from({ length: rows }, (_, i) => (i < 8 ? i : 100_000 + p.rng.int(50_000)));
  const got = await p.cuda.attnIn(1, h.dev, positions, true);
  const want = await p.ref.attnIn(1, h.cpu, positions, true);
  const shape = `${rows}x${c.hiddenSize} layer1 pos<1.5e5`;
  const out = [
    row(p, { op: "attnIn.q", shape }, await p.cuda.download(got.q), want.q.data),
    row(p, { op: "attnIn.k", shape }, await p.cuda.download(got.k), want.k.data),
    row(p, { op: "attnIn.v", shape }, await p.cuda.download(got.v), want.v.data),
    row(p, { op: "attnIn.scores", shape }, got.scores ?? new Float32Array(0), want.scores ?? new Float32Array(0)),
  ];
  for (const t of [h.dev, got.q, got.k, got.v]) p.cuda.dispose(t);
  return out;
};

function attentionCase(label: string, shape: { tq: number; tk: number; mask: AttentionMask }): BackendCase {
  return async (p) => {
    const c = p.init.config;
    const q = inputs(p, shape.tq, c.numHeads * c.headDim);
    const k = inputs(p, shape.tk, c.numKvHeads * c.headDim);
    const v = inputs(p, shape.tk, c.numKvHeads * c.headDim);
    const got = await p.cuda.attention(q.dev, k.dev, v.dev, shape.mask);
    const want = await p.ref.attention(q.cpu, k.cpu, v.cpu, shape.mask);
    const s = `${label} q${shape.tq} k${shape.tk} ${JSON.stringify(shape.mask)}`;
    const out = [row(p, { op: "attention.out", shape: s }, await p.cuda.download(got.out), want.out.data), row(p, { op: "attention.lse", shape: s, tol: BACKEND_F32 }, got.lse, want.lse)];
    for (const t of [q.dev, k.dev, v.dev, got.out]) p.cuda.dispose(t);
    return out;
  };
}

const attnOutCase: BackendCase = async (p) => {
  const c = p.init.config;
  const rows = 40;
  const h = inputs(p, rows, c.hiddenSize);
  const a = inputs(p, rows, c.numHeads * c.headDim);
  const got = await p.cuda.attnOut(0, h.dev, a.dev);
  const want = await p.ref.attnOut(0, h.cpu, a.cpu);
  const out = [row(p, { op: "attnOut", shape: `${rows}x${c.hiddenSize} layer0` }, await p.cuda.download(got), want.data)];
  for (const t of [h.dev, a.dev, got]) p.cuda.dispose(t);
  return out;
};

const logitsCase: BackendCase = async (p) => {
  const c = p.init.config;
  const h = inputs(p, 3, c.hiddenSize);
  const got = await p.cuda.logits(h.dev);
  // Greedy sampling on the device must pick, row by row, the argmax (core's) of the logits this backend returns.
  const ids = await p.cuda.greedyTokens(h.dev);
  const want = Int32Array.from({ length: 3 }, (_, r) => argmax(got.subarray(r * c.vocabSize, (r + 1) * c.vocabSize)));
  p.cuda.dispose(h.dev);
  return [
    row(p, { op: "logits", shape: `3x${c.vocabSize}` }, got, await p.ref.logits(h.cpu)),
    rowOf({ suite: "backend", op: "greedyTokens", dtype: dtLabel(p.dt), shape: `3x${c.vocabSize} vs argmax(logits)`, tol: 0 }, compareExact(ids, want)),
  ];
};

const queryScoresCase: BackendCase = async (p) => {
  const c = p.init.config;
  const q = inputs(p, 4, c.numHeads * c.headDim);
  const k = inputs(p, 30, c.numKvHeads * c.headDim);
  const got = await p.cuda.queryScores(q.dev, k.dev);
  p.cuda.dispose(q.dev);
  p.cuda.dispose(k.dev);
  return [row(p, { op: "queryScores", shape: "p4 t30" }, got, await p.ref.queryScores(q.cpu, k.cpu))];
};

/** gatherHeads, concatRows, sliceRows, upload and download are copies: exact. */
const rowOpsCase: BackendCase = async (p) => {
  const c = p.init.config;
  const x = inputs(p, 20, c.numKvHeads * c.headDim);
  const idx = Int32Array.from({ length: 6 * c.numKvHeads }, () => p.rng.int(20));
  const g = p.cuda.gatherHeads(x.dev, idx, 6);
  const s = p.cuda.sliceRows(x.dev, 3, 11);
  const empty = p.cuda.sliceRows(x.dev, 0, 0);
  const cat = p.cuda.concatRows([s, g, empty]);
  const wantCat = p.ref.concatRows([p.ref.sliceRows(x.cpu, 3, 11), p.ref.gatherHeads(x.cpu, idx, 6)]);
  const head = { suite: "backend" as const, dtype: dtLabel(p.dt), tol: 0 };
  const out = [
    rowOf({ ...head, op: "roundtrip", shape: "20 rows" }, compareExact(await p.cuda.download(x.dev), x.cpu.data)),
    rowOf({ ...head, op: "gather+slice+concat", shape: "8+6 rows" }, compareExact(await p.cuda.download(cat), wantCat.data)),
  ];
  for (const t of [x.dev, g, s, empty, cat]) p.cuda.dispose(t);
  return out;
};

/** A causal forward over `ids` through every layer; the logits of the last row. */
async function forward<T extends Tensor>(b: Backend<T>, ids: Int32Array, numLayers: number): Promise<Float32Array> {
  const positions = Int32Array.from(ids, (_, i) => i);
  let hidden = await b.embed(ids);
  for (let layer = 0; layer < numLayers; layer++) {
    const qkv = await b.attnIn(layer, hidden, positions, false);
    const att = await b.attention(qkv.q, qkv.k, qkv.v, { anchorRows: 0, offset: 0 });
    const next = await b.attnOut(layer, hidden, att.out);
    for (const t of [hidden, qkv.q, qkv.k, qkv.v, att.out]) b.dispose(t);
    hidden = next;
  }
  const last = b.sliceRows(hidden, ids.length - 1, ids.length);
  const logits = await b.logits(last);
  b.dispose(last);
  b.dispose(hidden);
  return logits;
}

const forwardCase: BackendCase = async (p) => {
  const c = p.init.config;
  const ids = Int32Array.from({ length: 96 }, () => p.rng.int(c.vocabSize));
  const got = await forward(p.cuda, ids, c.numLayers);
  const want = await forward(p.ref, ids, c.numLayers);
  return [row(p, { op: "forward.logits", shape: `96 tokens, ${c.numLayers} layers`, tol: p.dt === "float32" ? FORWARD_F32 : FORWARD_BF16 }, got, want)];
};

const CASES: readonly { name: string; run: BackendCase }[] = [
  { name: "embed", run: embedCase },
  { name: "attnIn", run: attnInCase },
  { name: "attention", run: attentionCase("causal", { tq: 33, tk: 33, mask: { anchorRows: 0, offset: 0 } }) },
  { name: "attention", run: attentionCase("apb", { tq: 8 + 24, tk: 8 + 16 + 24, mask: { anchorRows: 8, offset: 16 } }) },
  { name: "attention", run: attentionCase("query", { tq: 3, tk: 40, mask: { anchorRows: 0, offset: 37 } }) },
  { name: "attnOut", run: attnOutCase },
  { name: "logits", run: logitsCase },
  { name: "queryScores", run: queryScoresCase },
  { name: "rowOps", run: rowOpsCase },
  { name: "forward", run: forwardCase },
];

/**
 * Runs every backend case for one storage type and GEMM mode (syncEachOp on, so a failure names its op).
 * A case that throws becomes a failed row; creating the backend failing fails the whole suite.
 */
export async function runBackendChecks(o: {
  dtype: DeviceDType;
  gemm: "auto" | "tiled" | "cublaslt";
  seed: number;
  /** Attention route (default our kernel); "cudnn" rows say which route ran. */
  attention?: "kernel" | "cudnn";
  /** How to make the backend (default CudaBackend.create; tests pass a host-memory device). */
  create?: (init: BackendInit, options: CudaBackendOptions) => Promise<CudaBackend>;
  /** Only the cases whose op name contains this (no backend is made when none is left). */
  only?: string;
}): Promise<CheckRow[]> {
  const only = o.only;
  const cases = CASES.filter((c) => only === undefined || c.name.includes(only));
  if (cases.length === 0) return [];
  const base = checkModel(CHECK_SHAPE, o.seed);
  const m = o.dtype === "bfloat16" ? roundedModel(base) : base;
  const init: BackendInit = { config: m.config, weights: m.weights, heads: m.heads, threads: 1, host: 0, numHosts: 1 };
  const head = { suite: "backend" as const, dtype: dtLabel(o.dtype) };
  let cuda: CudaBackend;
  try {
    cuda = await (o.create ?? ((i, opts) => CudaBackend.create(i, opts)))(init, { dtype: o.dtype, gemm: o.gemm, attention: o.attention ?? "kernel", syncEachOp: true });
  } catch (err) {
    return [failedRow({ ...head, op: "create", shape: `gemm ${o.gemm}` }, err)];
  }
  const pair: Pair = { cuda, ref: new ReferenceBackend(init), dt: o.dtype, rng: new Prng(o.seed + 1), init };
  const rows: CheckRow[] = [];
  try {
    for (const c of cases) {
      try {
        rows.push(...(await c.run(pair)).map((r) => ({ ...r, note: [r.note, `gemm ${o.gemm}`].filter((x) => x !== "").join(" | ") })));
      } catch (err) {
        rows.push(failedRow({ ...head, op: c.name, shape: `gemm ${o.gemm}` }, err));
      }
    }
    rows.push({ ...head, op: "gemm paths", shape: "", ok: true, relL2: 0, maxAbs: 0, tol: 0, note: `ran: ${cuda.gemmPaths.join(", ")}` });
    rows.push({ ...head, op: "attention paths", shape: "", ok: true, relL2: 0, maxAbs: 0, tol: 0, note: `ran: ${cuda.attentionPaths.join(", ")}` });
  } finally {
    await cuda.close();
  }
  return rows;
}
