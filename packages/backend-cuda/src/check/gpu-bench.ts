// Timings printed by the GPU check with --bench (after validation): attention (our kernel, and the cuDNN route in
// bfloat16) at Llama-3-8B head shapes (32/8 heads, dh 128) for causal and APB masks, and GEMMs through each path.
// Host clock around enqueue + fence, warm-up first, median of repeats; FLOPs count only the visible (row, key) pairs. Baselines for the next session's kernels.

import { numVisibleKeys } from "@apb/core";
import type { AttentionRouteCode, DTypeCode, GemmModeCode, NativeAddon, NativeContext } from "../native/index.js";
import type { CheckRow } from "./check-report.js";
import { DeviceArrays } from "./device-arrays.js";

const WARMUP = 2;
const REPEATS = 7;

/** Non-trivial data without a per-element callback over millions of values (a 4099-value pattern tiled). */
function pattern(n: number, scale: number): Float32Array {
  const base = Float32Array.from({ length: 4099 }, (_, i) => Math.sin(i * 0.37) * scale);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += base.length) out.set(base.subarray(0, Math.min(base.length, n - i)), i);
  return out;
}

async function medianMs(addon: NativeAddon, ctx: NativeContext, enqueue: () => void): Promise<number> {
  for (let i = 0; i < WARMUP; i++) enqueue();
  await addon.fence(ctx, "bench warm-up");
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    enqueue();
    await addon.fence(ctx, "bench");
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

function benchRow(head: { op: string; dt: DTypeCode; shape: string }, t: { ms: number; flops: number }): CheckRow {
  const note = `${t.ms.toFixed(3)} ms, ${(t.flops / t.ms / 1e9).toFixed(1)} TFLOP/s`;
  return { suite: "bench", op: head.op, dtype: head.dt === 0 ? "f32" : "bf16", shape: head.shape, ok: true, relL2: 0, maxAbs: 0, tol: 0, note };
}

const ATTN_CASES = [
  { name: "causal 4K", tq: 4096, tk: 4096, mask: { anchorRows: 0, offset: 0 } },
  { name: "causal 32K", tq: 32768, tk: 32768, mask: { anchorRows: 0, offset: 0 } },
  { name: "apb 16K host", tq: 4096 + 16384, tk: 4096 + 3 * 2048 + 16384, mask: { anchorRows: 4096, offset: 3 * 2048 } },
] as const;

/**
 * Attention at Llama-3-8B head shapes (32/8 heads, dh 128), our kernel and (bfloat16) the cuDNN route, in TFLOP/s of
 * visible pairs (4·dh·nq per pair). The op name says which route ran ("attention kernel", "attention cudnn", or the
 * fallback with its reason).
 */
async function benchAttention(addon: NativeAddon, ctx: NativeContext, dt: DTypeCode): Promise<CheckRow[]> {
  const [nq, nkv, dh] = [32, 8, 128];
  const routes: readonly AttentionRouteCode[] = dt === 1 ? [0, 1] : [0];
  const rows: CheckRow[] = [];
  for (const c of ATTN_CASES) {
    const arr = new DeviceArrays(addon, ctx);
    try {
      const q = arr.put(pattern(c.tq * nq * dh, 0.5), dt);
      const k = arr.put(pattern(c.tk * nkv * dh, 0.5), dt);
      const v = arr.put(pattern(c.tk * nkv * dh, 1), dt);
      const out = arr.empty(c.tq * nq * dh, dt);
      const lse = arr.empty(c.tq * nq, 0);
      let pairs = 0;
      for (let i = 0; i < c.tq; i++) pairs += numVisibleKeys(i, c.mask, c.tk);
      for (const route of routes) {
        let ran = "";
        const ms = await medianMs(addon, ctx, () => {
          ran = addon.attention(ctx, { out, lse, q, k, v, tq: c.tq, tk: c.tk, nq, nkv, dh, ...c.mask, dtype: dt, route });
        });
        rows.push(benchRow({ op: `attention ${ran}`, dt, shape: `${c.name} q${c.tq} k${c.tk}` }, { ms, flops: 4 * dh * nq * pairs }));
      }
    } finally {
      arr.release();
    }
  }
  return rows;
}

async function benchGemm(addon: NativeAddon, dt: DTypeCode, mode: GemmModeCode): Promise<CheckRow> {
  const ctx = addon.createContext({ device: 0, workspaceBytes: 32 << 20, gemmMode: mode, syncEachOp: 0 });
  const arr = new DeviceArrays(addon, ctx);
  try {
    const [m, n, k] = [8192, 4096, 4096];
    const x = arr.put(pattern(m * k, 1), dt);
    const w = arr.put(pattern(n * k, 0.02), dt);
    const y = arr.empty(m * n, dt);
    let path = "";
    const ms = await medianMs(addon, ctx, () => {
      path = addon.gemm(ctx, { y, outType: dt, x, w, m, n, k, inType: dt });
    });
    return benchRow({ op: `gemm ${path}`, dt, shape: `${m}x${n}x${k}` }, { ms, flops: 2 * m * n * k });
  } finally {
    arr.release();
    addon.closeContext(ctx);
  }
}

/** Attention and GEMM timings for `dt` (cuBLASLt GEMM only when loaded). */
export async function runBench(addon: NativeAddon, o: { dt: DTypeCode; cublasLt: boolean }): Promise<CheckRow[]> {
  const ctx = addon.createContext({ device: 0, workspaceBytes: 64 << 20, gemmMode: 1, syncEachOp: 0 });
  try {
    const rows = await benchAttention(addon, ctx, o.dt);
    rows.push(await benchGemm(addon, o.dt, 1));
    if (o.cublasLt) rows.push(await benchGemm(addon, o.dt, 2));
    return rows;
  } finally {
    addon.closeContext(ctx);
  }
}
