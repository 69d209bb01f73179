// Runs the kernel checks for one storage type: every case on a cuBLASLt-when-possible context, then the GEMM cases
// again on a tiled-only and a cuBLASLt-only context, all with sync-after-each-op so a failure names its kernel.

import { Prng } from "@apb/core";
import type { DTypeCode, GemmModeCode, NativeAddon } from "../native/index.js";
import { failedRow } from "./check-report.js";
import type { CheckRow } from "./check-report.js";
import { basicKernelCases, dtName, runKernelCases } from "./kernel-checks.js";
import { cudnnKernelCases } from "./kernel-checks-cudnn.js";
import { selectionKernelCases } from "./kernel-checks-selection.js";
import { splitKernelCases } from "./kernel-checks-split.js";

const MODE_NAMES: Record<GemmModeCode, string> = { 0: "auto", 1: "tiled", 2: "cublaslt" };

/** Cases whose name contains `only` (every case when it is undefined). */
function selected<C extends { name: string }>(cases: readonly C[], only: string | undefined): C[] {
  return cases.filter((c) => only === undefined || c.name.includes(only));
}

async function onContext(addon: NativeAddon, o: { dt: DTypeCode; mode: GemmModeCode; seed: number; gemmOnly: boolean; only?: string }): Promise<CheckRow[]> {
  const cases = selected(o.gemmOnly ? basicKernelCases().filter((c) => c.name === "gemm") : [...basicKernelCases(), ...selectionKernelCases(), ...splitKernelCases(), ...cudnnKernelCases()], o.only);
  if (cases.length === 0) return [];
  let ctx;
  try {
    ctx = addon.createContext({ device: 0, workspaceBytes: 32 << 20, gemmMode: o.mode, syncEachOp: 1 });
  } catch (err) {
    return [failedRow({ suite: "kernel", op: "createContext", dtype: dtName(o.dt), shape: `gemm ${MODE_NAMES[o.mode]}` }, err)];
  }
  try {
    const rows = await runKernelCases({ addon, ctx, rng: new Prng(o.seed), dt: o.dt }, cases);
    return rows.map((r) => (r.op === "gemm" ? { ...r, note: `${MODE_NAMES[o.mode]} context: ${r.note}` } : r));
  } finally {
    addon.closeContext(ctx);
  }
}

/**
 * All kernel rows for `dt`; the cuBLASLt-only pass runs when cuBLASLt was loaded. `only` keeps the cases whose op
 * name contains it (a context is made only where some case is left).
 */
export async function runKernelSuite(addon: NativeAddon, o: { dt: DTypeCode; seed: number; cublasLt: boolean; only?: string }): Promise<CheckRow[]> {
  const rows = await onContext(addon, { dt: o.dt, mode: 0, seed: o.seed, gemmOnly: false, only: o.only });
  rows.push(...(await onContext(addon, { dt: o.dt, mode: 1, seed: o.seed + 7, gemmOnly: true, only: o.only })));
  if (o.cublasLt) rows.push(...(await onContext(addon, { dt: o.dt, mode: 2, seed: o.seed + 13, gemmOnly: true, only: o.only })));
  return rows;
}
