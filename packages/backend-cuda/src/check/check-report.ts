// Rows of the GPU check and the table it prints last (METHOD.md: a short table at the end, full data as JSON).

import type { Comparison } from "./compare.js";

/** One checked case. */
export interface CheckRow {
  readonly suite: "kernel" | "backend" | "sanitizer" | "bench";
  readonly op: string;
  readonly dtype: string;
  readonly shape: string;
  readonly ok: boolean;
  readonly relL2: number;
  readonly maxAbs: number;
  readonly tol: number;
  readonly note: string;
}

/** A row from a comparison. */
export function rowOf(head: { suite: CheckRow["suite"]; op: string; dtype: string; shape: string; tol: number; note?: string }, c: Comparison): CheckRow {
  const note = [head.note ?? "", c.numNaN > 0 ? `${c.numNaN} NaN` : "", c.numInfMismatch > 0 ? `${c.numInfMismatch} inf mismatches` : "", c.ok ? "" : c.first.join("; ")]
    .filter((s) => s !== "")
    .join(" | ");
  return { ...head, ok: c.ok, relL2: c.relL2, maxAbs: c.maxAbs, note };
}

/** A row for a case that threw (a CudaError names its op, kind and status). */
export function failedRow(head: { suite: CheckRow["suite"]; op: string; dtype: string; shape: string }, err: unknown): CheckRow {
  const e = err as { name?: string; message?: string };
  return { ...head, ok: false, relL2: Infinity, maxAbs: Infinity, tol: 0, note: `${e.name ?? "Error"}: ${e.message ?? String(err)}` };
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return x === 0 ? "0" : x.toExponential(2);
}

/** The table, one line per row, failures marked. */
export function formatTable(rows: readonly CheckRow[]): string {
  const head = ["suite", "op", "dtype", "shape", "relL2", "maxAbs", "tol", "result", "note"];
  const body = rows.map((r) => [r.suite, r.op, r.dtype, r.shape, fmt(r.relL2), fmt(r.maxAbs), fmt(r.tol), r.ok ? "ok" : "FAIL", r.note.slice(0, 160)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => Math.min(b[i]!.length, i === 8 ? 160 : 40))));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}
