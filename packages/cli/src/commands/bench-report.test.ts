// Unit tests of bench aggregation (medians, max RSS, speed-ups, attention share) and of token-id file parsing.

import { describe, expect, it } from "vitest";
import { UsageError } from "../args/index.js";
import type { BenchLine } from "./bench-line.js";
import { aggregateRuns, formatBenchTable, withSpeedups } from "./bench-report.js";
import { parseIds } from "./prompt-input.js";

function line(over: Partial<BenchLine>): BenchLine {
  return { strategy: "full", hosts: 1, tokens: 1024, anchor: 0, passing: 0, selection: null, promptTokens: 1040, prefillMs: 100, queryMs: 5, decodeMs: 0, peakRssKiB: 102_400, profile: null, ...over };
}

describe("bench rows", () => {
  it("takes median times and the largest RSS over repeats", () => {
    const row = aggregateRuns([line({ prefillMs: 300, peakRssKiB: 1024 }), line({ prefillMs: 100, peakRssKiB: 4096 }), line({ prefillMs: 200 })]);
    expect(row).toMatchObject({ prefillMs: 200, peakRssMB: 100, repeats: 3, attentionPct: null, speedup: null });
  });

  it("computes the speed-up against full at the same length and the attention share", () => {
    const rows = withSpeedups([
      aggregateRuns([line({ prefillMs: 400, profile: { attentionMs: 300, totalOpMs: 400 } })]),
      aggregateRuns([line({ strategy: "apb", hosts: 4, anchor: 256, passing: 128, prefillMs: 100, profile: { attentionMs: 50, totalOpMs: 200 } })]),
      aggregateRuns([line({ strategy: "apb", hosts: 4, tokens: 2048, prefillMs: 100 })]),
    ]);
    expect(rows.map((r) => [r.speedup, r.attentionPct])).toEqual([[1, 75], [4, 25], [null, null]]);
    const table = formatBenchTable(rows);
    expect(table.split("\n")[0]).toMatch(/^strategy\s+hosts\s+tokens\s+anchor\s+passing\s+prefill ms\s+query ms\s+speed-up\s+attn %\s+peak RSS MB$/);
    expect(table).toMatch(/apb\s+4\s+1024\s+256\s+128\s+100\.0\s+5\.0\s+4\.00x\s+25\.0\s+100\.0/);
    expect(formatBenchTable([rows[2]!])).not.toContain("attn %");
  });
});

describe("parseIds", () => {
  it("reads whitespace-separated ids", () => {
    expect(Array.from(parseIds(" 1 2\n3\t44 \n", "f", "generate"))).toEqual([1, 2, 3, 44]);
  });

  it.each([["", /holds no token ids/], ["1 -2", /token 1 is "-2", not a token id/], ["1 2.5", /token 1 is "2.5"/], ["9999999999", /token 0 is "9999999999"/]])("rejects %j", (text, message) => {
    expect(() => parseIds(text, "f", "generate")).toThrow(UsageError);
    expect(() => parseIds(text, "f", "generate")).toThrow(message);
  });
});
