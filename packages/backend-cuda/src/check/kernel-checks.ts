// Kernel vs CPU twin checks, part 1: cast, embed, rmsnorm, gemm (both paths), rope (Llama-3 scaling, large
// positions, strided input), swiglu, silu, add, biasAdd. Fresh random inputs every run; outputs poisoned first.

import { ropeInvFreq } from "@apb/core";
import type { Prng } from "@apb/core";
import type { DTypeCode, NativeAddon, NativeContext } from "../native/index.js";
import { failedRow, rowOf } from "./check-report.js";
import type { CheckRow } from "./check-report.js";
import { compareArrays, compareExact } from "./compare.js";
import { DeviceArrays, asStored } from "./device-arrays.js";
import { KERNEL_BF16, KERNEL_F32 } from "./tolerances.js";

/** What one kernel check gets: the addon, a context, a seeded generator, the storage type under test. */
export interface KernelEnv {
  readonly addon: NativeAddon;
  readonly ctx: NativeContext;
  readonly rng: Prng;
  readonly dt: DTypeCode;
}

export type KernelCase = (env: KernelEnv, arr: DeviceArrays) => Promise<CheckRow>;

export const dtName = (dt: DTypeCode): string => (dt === 0 ? "f32" : "bf16");
export const tolFor = (dt: DTypeCode): number => (dt === 0 ? KERNEL_F32.relL2 : KERNEL_BF16.relL2);

/** Random normals as the device will store them. */
export function rand(env: KernelEnv, n: number, std = 1): Float32Array {
  return asStored(env.rng.normals(n, std), env.dt);
}

/** Compares a device output in `dt` with the twin's float32 result by the output type's tolerance. */
export function judge(head: { op: string; shape: string; dt: DTypeCode; note?: string }, actual: Float32Array, expected: Float32Array): CheckRow {
  const tol = head.dt === 0 ? KERNEL_F32 : KERNEL_BF16;
  return rowOf({ suite: "kernel", op: head.op, dtype: dtName(head.dt), shape: head.shape, tol: tol.relL2, note: head.note }, compareArrays(actual, expected, tol));
}

const castCase: KernelCase = async (env, arr) => {
  const n = 1000;
  const x = env.rng.normals(n, 3);
  const b16 = arr.put(x, 1);
  const back = arr.empty(n, 0);
  env.addon.cast(env.ctx, { dst: back, dstType: 0, src: b16, srcType: 1, count: n });
  const want = new Float32Array(n);
  env.addon.ref.cast({ out: want, in: x, count: n, through: 1 });
  const c = compareExact(await arr.get(back, n, 0), want);
  return rowOf({ suite: "kernel", op: "cast", dtype: "f32>bf16>f32", shape: `[${n}]`, tol: 0 }, c);
};

const embedCase: KernelCase = async (env, arr) => {
  const [rows, dim, vocab] = [13, 96, 50];
  const table = rand(env, vocab * dim);
  const ids = Int32Array.from({ length: rows }, () => env.rng.int(vocab));
  const out = arr.empty(rows * dim, env.dt);
  env.addon.embed(env.ctx, { out, table: arr.put(table, env.dt), ids: arr.putRaw(ids), rows, dim, vocab, dtype: env.dt });
  const want = new Float32Array(rows * dim);
  env.addon.ref.embed({ out: want, table, ids, rows, dim, vocab });
  return rowOf({ suite: "kernel", op: "embed", dtype: dtName(env.dt), shape: `${rows}x${dim}`, tol: 0 }, compareExact(await arr.get(out, rows * dim, env.dt), want));
};

function rmsnormCase(rows: number, dim: number): KernelCase {
  return async (env, arr) => {
    const x = rand(env, rows * dim, 2);
    const w = asStored(Float32Array.from({ length: dim }, () => 1 + 0.2 * env.rng.normal()), env.dt);
    const out = arr.empty(rows * dim, env.dt);
    env.addon.rmsnorm(env.ctx, { out, x: arr.put(x, env.dt), weight: arr.put(w, env.dt), rows, dim, eps: 1e-5, dtype: env.dt });
    const want = new Float32Array(rows * dim);
    env.addon.ref.rmsnorm({ out: want, x, weight: w, rows, dim, eps: 1e-5 });
    return judge({ op: "rmsnorm", shape: `${rows}x${dim}`, dt: env.dt }, await arr.get(out, rows * dim, env.dt), want);
  };
}

/** gemm on a context of the given GEMM mode, output in the input type or float32 (judged by KERNEL_F32). */
function gemmCase(m: number, n: number, k: number, out: "same" | "f32"): KernelCase {
  return async (env, arr) => {
    const outDt: DTypeCode = out === "f32" ? 0 : env.dt;
    const x = rand(env, m * k);
    const w = rand(env, n * k, 1 / Math.sqrt(k));
    const y = arr.empty(m * n, outDt);
    const path = env.addon.gemm(env.ctx, { y, outType: outDt, x: arr.put(x, env.dt), w: arr.put(w, env.dt), m, n, k, inType: env.dt });
    const want = new Float32Array(m * n);
    env.addon.ref.gemm({ y: want, x, w, m, n, k });
    return judge({ op: "gemm", shape: `${m}x${n}x${k}>${dtName(outDt)}`, dt: outDt, note: path }, await arr.get(y, m * n, outDt), want);
  };
}

const ropeCase: KernelCase = async (env, arr) => {
  const [rows, heads, dh, kvHeads] = [9, 3, 64, 1];
  const stride = (heads + 2 * kvHeads) * dh;
  const inCol = heads * dh; // rotate the k block of a fused [q|k|v] row, as attnIn does
  const x = rand(env, rows * stride);
  const positions = Int32Array.from({ length: rows }, (_, i) => (i === 0 ? 0 : env.rng.int(200_000)));
  const scaling = { type: "llama3" as const, factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8192 };
  const invFreq = ropeInvFreq({ headDim: dh, ropeTheta: 500_000, ropeScaling: scaling });
  const out = arr.empty(rows * kvHeads * dh, env.dt);
  env.addon.rope(env.ctx, { out, in: arr.put(x, env.dt), inStride: stride, inCol, positions: arr.putRaw(positions), invFreq: arr.putRaw(invFreq), rows, heads: kvHeads, dh, dtype: env.dt });
  const want = new Float32Array(rows * kvHeads * dh);
  env.addon.ref.rope({ out: want, in: x, inStride: stride, inCol, positions, invFreq, rows, heads: kvHeads, dh });
  return judge({ op: "rope", shape: `${rows}x${kvHeads}x${dh} llama3 pos<2e5`, dt: env.dt }, await arr.get(out, rows * kvHeads * dh, env.dt), want);
};

const swigluCase: KernelCase = async (env, arr) => {
  const [rows, inter] = [7, 300];
  const gu = rand(env, rows * 2 * inter, 2);
  const out = arr.empty(rows * inter, env.dt);
  env.addon.swiglu(env.ctx, { out, gateUp: arr.put(gu, env.dt), rows, inter, dtype: env.dt });
  const want = new Float32Array(rows * inter);
  env.addon.ref.swiglu({ out: want, gateUp: gu, rows, inter });
  return judge({ op: "swiglu", shape: `${rows}x${inter}`, dt: env.dt }, await arr.get(out, rows * inter, env.dt), want);
};

const siluCase: KernelCase = async (env, arr) => {
  const n = 777;
  const x = rand(env, n, 3);
  const buf = arr.put(x, env.dt);
  env.addon.silu(env.ctx, { x: buf, count: n, dtype: env.dt });
  const want = x.slice();
  env.addon.ref.silu({ x: want, count: n });
  return judge({ op: "silu", shape: `[${n}]`, dt: env.dt }, await arr.get(buf, n, env.dt), want);
};

const addCase: KernelCase = async (env, arr) => {
  const [rows, cols] = [11, 129];
  const a = rand(env, rows * cols);
  const b = rand(env, rows * cols);
  const bias = rand(env, cols);
  const out = arr.empty(rows * cols, env.dt);
  env.addon.add(env.ctx, { out, a: arr.put(a, env.dt), b: arr.put(b, env.dt), count: rows * cols, dtype: env.dt });
  env.addon.biasAdd(env.ctx, { x: out, bias: arr.put(bias, env.dt), rows, cols, dtype: env.dt });
  const want = new Float32Array(rows * cols);
  env.addon.ref.add({ out: want, a, b, count: rows * cols });
  const rounded = asStored(want, env.dt); // the device rounds the sum before adding the bias
  env.addon.ref.biasAdd({ x: rounded, bias, rows, cols });
  return judge({ op: "add+biasAdd", shape: `${rows}x${cols}`, dt: env.dt }, await arr.get(out, rows * cols, env.dt), rounded);
};

/** Part 1 of the kernel cases (gemm runs on whichever path the context's GEMM mode picks). */
export function basicKernelCases(): readonly { name: string; run: KernelCase }[] {
  return [
    { name: "cast", run: castCase },
    { name: "embed", run: embedCase },
    { name: "rmsnorm", run: rmsnormCase(5, 300) },
    { name: "rmsnorm", run: rmsnormCase(2, 4096) },
    { name: "gemm", run: gemmCase(1, 8, 64, "f32") },
    { name: "gemm", run: gemmCase(37, 100, 200, "same") },
    { name: "gemm", run: gemmCase(7, 13, 11, "same") },
    { name: "gemm", run: gemmCase(128, 256, 512, "f32") },
    { name: "gemm", run: gemmCase(300, 1024, 96, "same") },
    { name: "rope", run: ropeCase },
    { name: "swiglu", run: swigluCase },
    { name: "silu", run: siluCase },
    { name: "add", run: addCase },
  ];
}

/** Runs cases, turning a throw into a failed row. */
export async function runKernelCases(env: KernelEnv, cases: readonly { name: string; run: KernelCase }[]): Promise<CheckRow[]> {
  const rows: CheckRow[] = [];
  for (const c of cases) {
    const arr = new DeviceArrays(env.addon, env.ctx);
    try {
      rows.push(await c.run(env, arr));
    } catch (err) {
      rows.push(failedRow({ suite: "kernel", op: c.name, dtype: dtName(env.dt), shape: "" }, err));
    } finally {
      arr.release();
    }
  }
  return rows;
}
