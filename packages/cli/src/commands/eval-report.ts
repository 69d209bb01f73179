// Aggregates `apb eval` records into rows (accuracy and mean prefill time per task × length × strategy, plus the
// mean over tasks) and formats them as one table: "exact (first)" per strategy.

import { formatTable } from "../output/index.js";
import type { Column } from "../output/index.js";
import type { EvalRecord } from "./eval-runs.js";

/** One cell as printed and as --json writes it; task "mean" is the mean over the tasks. */
export interface EvalRow {
  readonly task: string;
  readonly length: number;
  readonly strategy: string;
  readonly hosts: number;
  readonly selection: string | null;
  readonly samples: number;
  /** Greedy exact match (answer tokens and `</s>`). */
  readonly exact: number;
  /** The answer is right up to and including its first retrieved token. */
  readonly first: number;
  readonly prefillMs: number;
}

const mean = (xs: readonly number[]): number => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
const round = (x: number, digits: number): number => Number(x.toFixed(digits));
const uniq = <T>(xs: readonly T[]): T[] => [...new Set(xs)];

function rowOf(task: string, recs: readonly EvalRecord[]): EvalRow {
  const r0 = recs[0]!;
  return {
    task,
    length: r0.length,
    strategy: r0.strategy,
    hosts: r0.hosts,
    selection: r0.selection,
    samples: recs.length,
    exact: round(mean(recs.map((r) => (r.exact ? 1 : 0))), 4),
    first: round(mean(recs.map((r) => (r.first ? 1 : 0))), 4),
    prefillMs: round(mean(recs.map((r) => r.prefillMs)), 1),
  };
}

/** Rows per task × length × strategy, then a "mean" row per length × strategy (mean of the task accuracies). */
export function aggregateEval(records: readonly EvalRecord[]): EvalRow[] {
  const rows: EvalRow[] = [];
  const lengths = uniq(records.map((r) => r.length));
  const strategies = uniq(records.map((r) => r.strategy));
  for (const task of uniq(records.map((r) => r.task))) {
    for (const length of lengths) {
      for (const s of strategies) {
        const recs = records.filter((r) => r.task === task && r.length === length && r.strategy === s);
        if (recs.length > 0) rows.push(rowOf(task, recs));
      }
    }
  }
  for (const length of lengths) {
    for (const s of strategies) {
      const cells = rows.filter((r) => r.length === length && r.strategy === s);
      const all = records.filter((r) => r.length === length && r.strategy === s);
      if (cells.length === 0) continue;
      const base = rowOf("mean", all);
      rows.push({ ...base, exact: round(mean(cells.map((c) => c.exact)), 4), first: round(mean(cells.map((c) => c.first)), 4) });
    }
  }
  return rows;
}

interface Line {
  readonly label: string;
  readonly length: number;
  readonly cells: ReadonlyMap<string, string>;
}

const header = (r: EvalRow): string => (r.strategy === "full" ? "full" : `${r.strategy} (${r.hosts}h)`);

/** The table: one line per task × length (exact (first) per strategy), then mean and prefill ms per length. */
export function formatEvalTable(rows: readonly EvalRow[]): string {
  const strategies = uniq(rows.map(header));
  const lines: Line[] = [];
  const add = (label: string, length: number, pick: (r: EvalRow) => boolean, show: (r: EvalRow) => string): void => {
    const cells = new Map(rows.filter(pick).map((r) => [header(r), show(r)] as const));
    if (cells.size > 0) lines.push({ label, length, cells });
  };
  const acc = (r: EvalRow): string => `${r.exact.toFixed(2)} (${r.first.toFixed(2)})`;
  const tasks = uniq(rows.map((r) => r.task).filter((t) => t !== "mean"));
  const lengths = uniq(rows.map((r) => r.length));
  for (const t of tasks) for (const L of lengths) add(t, L, (r) => r.task === t && r.length === L, acc);
  for (const L of lengths) add("mean", L, (r) => r.task === "mean" && r.length === L, (r) => r.exact.toFixed(2));
  for (const L of lengths) add("prefill ms", L, (r) => r.task === "mean" && r.length === L, (r) => r.prefillMs.toFixed(0));
  const columns: Column<Line>[] = [
    { header: "task", value: (l) => l.label, align: "left" },
    { header: "length", value: (l) => l.length },
    ...strategies.map((s): Column<Line> => ({ header: s, value: (l) => l.cells.get(s), align: "right" })),
  ];
  return formatTable(columns, lines);
}
