// Aggregates `apb bench` runs into rows (median times, max RSS, speed-up against full at the same length) and
// formats them as a table.

import { formatTable } from "../output/index.js";
import type { Column } from "../output/index.js";
import type { BenchLine } from "./bench-line.js";
import { attentionPercent } from "./op-profile.js";

/** One configuration's result as printed and written. */
export interface BenchRow {
  readonly strategy: BenchLine["strategy"];
  readonly hosts: number;
  readonly tokens: number;
  readonly anchor: number;
  readonly passing: number;
  readonly selection: string | null;
  readonly prefillMs: number;
  readonly queryMs: number;
  readonly decodeMs: number;
  /** Full attention's prefill time at the same length over this one; null without a full row. */
  readonly speedup: number | null;
  /** Attention's share of op time during the request, when the engine profiled it. */
  readonly attentionPct: number | null;
  readonly attentionMs: number | null;
  readonly totalOpMs: number | null;
  readonly peakRssMB: number;
  readonly repeats: number;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const round = (x: number, digits: number): number => Number(x.toFixed(digits));

/** Combines the repeats of one configuration (median times, largest RSS). */
export function aggregateRuns(runs: readonly BenchLine[]): BenchRow {
  const first = runs[0]!;
  const profiles = runs.map((r) => r.profile).filter((p) => p !== null);
  const attentionMs = profiles.length > 0 ? median(profiles.map((p) => p.attentionMs)) : null;
  const totalOpMs = profiles.length > 0 ? median(profiles.map((p) => p.totalOpMs)) : null;
  const pct = attentionMs !== null && totalOpMs !== null ? attentionPercent({ attentionMs, totalOpMs }) : undefined;
  return {
    strategy: first.strategy,
    hosts: first.hosts,
    tokens: first.tokens,
    anchor: first.anchor,
    passing: first.passing,
    selection: first.selection,
    prefillMs: round(median(runs.map((r) => r.prefillMs)), 1),
    queryMs: round(median(runs.map((r) => r.queryMs)), 1),
    decodeMs: round(median(runs.map((r) => r.decodeMs)), 1),
    speedup: null,
    attentionPct: pct === undefined ? null : round(pct, 1),
    attentionMs: attentionMs === null ? null : round(attentionMs, 1),
    totalOpMs: totalOpMs === null ? null : round(totalOpMs, 1),
    peakRssMB: round(Math.max(...runs.map((r) => r.peakRssKiB)) / 1024, 1),
    repeats: runs.length,
  };
}

/** Fills in the speed-up over full attention at the same length. */
export function withSpeedups(rows: readonly BenchRow[]): BenchRow[] {
  return rows.map((r) => {
    const full = rows.find((f) => f.strategy === "full" && f.tokens === r.tokens);
    return { ...r, speedup: full === undefined || r.prefillMs === 0 ? null : round(full.prefillMs / r.prefillMs, 2) };
  });
}

const COLUMNS: readonly Column<BenchRow>[] = [
  { header: "strategy", value: (r) => r.strategy, align: "left" },
  { header: "hosts", value: (r) => r.hosts },
  { header: "tokens", value: (r) => r.tokens },
  { header: "anchor", value: (r) => r.anchor },
  { header: "passing", value: (r) => r.passing },
  { header: "prefill ms", value: (r) => r.prefillMs.toFixed(1) },
  { header: "query ms", value: (r) => r.queryMs.toFixed(1) },
  { header: "speed-up", value: (r) => (r.speedup === null ? undefined : `${r.speedup.toFixed(2)}x`) },
];
const ATTN: Column<BenchRow> = { header: "attn %", value: (r) => (r.attentionPct === null ? undefined : r.attentionPct.toFixed(1)) };
const RSS: Column<BenchRow> = { header: "peak RSS MB", value: (r) => r.peakRssMB.toFixed(1) };

/** The table; the attention column only when some row has a profile. */
export function formatBenchTable(rows: readonly BenchRow[]): string {
  const cols = rows.some((r) => r.attentionPct !== null) ? [...COLUMNS, ATTN, RSS] : [...COLUMNS, RSS];
  return formatTable(cols, rows);
}
