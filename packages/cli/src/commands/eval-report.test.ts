// `apb eval` aggregation and table: per-cell accuracy and prefill means, the mean over tasks, the layout.

import { describe, expect, it } from "vitest";
import { aggregateEval, formatEvalTable } from "./eval-report.js";
import type { EvalRecord } from "./eval-runs.js";

function rec(task: EvalRecord["task"], strategy: EvalRecord["strategy"], exact: boolean, first: boolean, prefillMs: number): EvalRecord {
  return { task, length: 1024, index: 0, strategy, hosts: strategy === "full" ? 1 : 4, selection: strategy === "apb" ? "retaining-heads" : null, exact, first, prefillMs, tokens: [] };
}

const RECORDS: EvalRecord[] = [
  rec("vt", "full", true, true, 100),
  rec("vt", "full", false, true, 300),
  rec("vt", "apb", false, false, 50),
  rec("vt", "apb", true, true, 70),
  rec("facts", "full", true, true, 200),
  rec("facts", "apb", false, true, 60),
];

describe("aggregateEval", () => {
  const rows = aggregateEval(RECORDS);

  it("averages exact, first and prefill time per task × length × strategy", () => {
    expect(rows.find((r) => r.task === "vt" && r.strategy === "full")).toMatchObject({ samples: 2, exact: 0.5, first: 1, prefillMs: 200, hosts: 1 });
    expect(rows.find((r) => r.task === "vt" && r.strategy === "apb")).toMatchObject({ samples: 2, exact: 0.5, first: 0.5, hosts: 4, selection: "retaining-heads" });
  });

  it("adds a mean row per length × strategy: task accuracies averaged, prefill over all samples", () => {
    const full = rows.find((r) => r.task === "mean" && r.strategy === "full")!;
    expect(full.exact).toBeCloseTo((0.5 + 1) / 2);
    expect(full.prefillMs).toBeCloseTo(200);
    const apb = rows.find((r) => r.task === "mean" && r.strategy === "apb")!;
    expect(apb).toMatchObject({ exact: 0.25, first: 0.75, samples: 3, prefillMs: 60 });
  });
});

describe("formatEvalTable", () => {
  it("prints exact (first) per strategy, then the mean and prefill lines", () => {
    const lines = formatEvalTable(aggregateEval(RECORDS)).trimEnd().split("\n");
    expect(lines[0]).toMatch(/^task\s+length\s+full\s+apb \(4h\)$/);
    expect(lines.find((l) => l.startsWith("vt"))).toMatch(/1024\s+0\.50 \(1\.00\)\s+0\.50 \(0\.50\)$/);
    expect(lines.find((l) => l.startsWith("mean"))).toMatch(/0\.75\s+0\.25$/);
    expect(lines.find((l) => l.startsWith("prefill ms"))).toMatch(/200\s+60$/);
  });
});
