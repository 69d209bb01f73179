// Planner invariants (APB.md 2 and 9.7): layout, positions, padding, anchors, strategy lengths, typed errors.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PlanError } from "../errors/index.js";
import { anchorIds, defaultApbLengths, planGroup } from "./planner.js";
import type { PlanOptions } from "./types.js";

const range = (a: number, b: number): Int32Array => Int32Array.from({ length: b - a }, (_, i) => a + i);
// Context ids 1000.. so they are distinguishable from the question (500..) and the pad id 0.
const ctx = (n: number): Int32Array => range(1000, 1000 + n);

describe("planGroup", () => {
  it("lays out APB hosts exactly as APB.md section 2", () => {
    const q = range(500, 503);
    const plan = planGroup({ context: ctx(30), query: q, anchorQuery: q }, { strategy: "apb", numHosts: 4, anchorLen: 6, passingLen: 2, queryStart: 1 });
    expect(plan.blockLen).toBe(8);
    expect(plan.numPad).toBe(2);
    const [h0, h1, , h3] = plan.hosts;
    expect(Array.from(h0!.ids)).toEqual(Array.from(range(1000, 1008)));
    expect(Array.from(h0!.positions)).toEqual(Array.from(range(0, 8)));
    expect(h0!.anchorLen).toBe(0);
    expect(h0!.selectMaskLen).toBe(6); // host 0 masks its first l_a rows too (APB.md 3.4)
    // anchor = ctx[0:qsp] + question + ctx[qsp : l_a - l_q]
    expect(Array.from(h1!.ids.subarray(0, 6))).toEqual([1000, 500, 501, 502, 1001, 1002]);
    expect(Array.from(h1!.positions.subarray(0, 6))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Array.from(h1!.ids.subarray(6))).toEqual(Array.from(range(1008, 1016)));
    expect(Array.from(h1!.positions.subarray(6))).toEqual(Array.from(range(8, 16)));
    expect(h1!.numPassingRows).toBe(2);
    expect(h3!.numPassingRows).toBe(6);
    // padding only on the last host, id 0, position 0
    expect(h3!.numPad).toBe(2);
    expect(Array.from(h3!.ids.subarray(6))).toEqual([1024, 1025, 1026, 1027, 1028, 1029, 0, 0]);
    expect(Array.from(h3!.positions.subarray(12))).toEqual([0, 0]);
    expect(Array.from(plan.queryPositions)).toEqual([30, 31, 32]);
  });

  it("configures ring, star and full as the same engine", () => {
    const q = Int32Array.of(7);
    const ring = planGroup({ context: ctx(16), query: q }, { strategy: "ring", numHosts: 4 });
    expect(ring.hosts.map((h) => [h.anchorLen, h.passingMode, h.numPassingRows])).toEqual([[0, "all", 0], [0, "all", 4], [0, "all", 8], [0, "all", 12]]);
    const star = planGroup({ context: ctx(16), query: q, anchorQuery: q }, { strategy: "star", numHosts: 4 });
    expect(star.hosts[2]!.anchorLen).toBe(4);
    expect(Array.from(star.hosts[2]!.ids.subarray(0, 4))).toEqual([1000, 1001, 1002, 1003]); // no question in Star's anchor
    expect(star.hosts.every((h) => h.passingMode === "none")).toBe(true);
    const full = planGroup({ context: ctx(16), query: q }, { strategy: "full", numHosts: 1 });
    expect(full.hosts).toHaveLength(1);
    expect(full.hosts[0]!.ids.length).toBe(16);
  });

  it("defaults follow l_a = l_b/4, l_p = l_b/8 rounded to the tile, and grow the anchor for the question", () => {
    expect(defaultApbLengths(4096)).toEqual({ anchorLen: 1024, passingLen: 512 });
    expect(defaultApbLengths(100, 16)).toEqual({ anchorLen: 32, passingLen: 16 });
    const q = range(500, 540);
    const plan = planGroup({ context: ctx(400), query: q, anchorQuery: q }, { strategy: "apb", numHosts: 4 });
    expect(plan.anchorLen).toBe(40);
  });

  it("adds probe rows for query selection, at the question's true positions", () => {
    const q = range(500, 502);
    const plan = planGroup({ context: ctx(16), query: q, anchorQuery: q }, { strategy: "apb", numHosts: 2, anchorLen: 4, passingLen: 2, selection: "query" });
    const h1 = plan.hosts[1]!;
    expect(h1.probeLen).toBe(2);
    expect(Array.from(h1.ids.subarray(-2))).toEqual([500, 501]);
    expect(Array.from(h1.positions.subarray(-2))).toEqual([16, 17]);
  });

  const bad: [string, () => unknown, RegExp][] = [
    ["question longer than the anchor", () => planGroup({ context: ctx(64), query: range(1, 9), anchorQuery: range(1, 9) }, { strategy: "apb", numHosts: 2, anchorLen: 8, queryStart: 4 }), /does not fit in the anchor/],
    ["passing longer than a block", () => planGroup({ context: ctx(64), query: Int32Array.of(1) }, { strategy: "apb", numHosts: 2, passingLen: 40 }), /longer than a block/],
    ["more hosts than tokens", () => planGroup({ context: ctx(3), query: Int32Array.of(1) }, { strategy: "ring", numHosts: 4 }), /fewer than the 4 hosts/],
    ["a last host with no token", () => planGroup({ context: ctx(5), query: Int32Array.of(1) }, { strategy: "ring", numHosts: 4 }), /last host would get no token; use 3 hosts/],
    ["full on several hosts", () => planGroup({ context: ctx(16), query: Int32Array.of(1) }, { strategy: "full", numHosts: 2 }), /one host/],
    ["anchor on star", () => planGroup({ context: ctx(16), query: Int32Array.of(1) }, { strategy: "star", numHosts: 2, anchorLen: 2 }), /apb strategy only/],
    ["query selection without a question", () => planGroup({ context: ctx(16), query: Int32Array.of(1) }, { strategy: "apb", numHosts: 2, selection: "query" }), /needs a question/],
  ];
  it.each(bad)("rejects %s with a PlanError", (_name, f, msg) => {
    expect(f).toThrow(PlanError);
    expect(f).toThrow(msg);
  });

  it("holds its invariants for any sizes (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 5 }), (H, n, lq) => {
        const opts: PlanOptions = { strategy: "apb", numHosts: H };
        const q = range(500, 500 + Math.max(1, lq));
        let plan;
        try {
          plan = planGroup({ context: ctx(n), query: q, anchorQuery: q.subarray(0, lq) }, opts);
        } catch (e) {
          expect(e).toBeInstanceOf(PlanError);
          return;
        }
        const lb = plan.blockLen;
        expect(plan.numPad).toBe(H * lb - n);
        expect(plan.numPad).toBeLessThan(lb);
        let covered = 0;
        for (const h of plan.hosts) {
          expect(h.ids.length).toBe(h.anchorLen + lb + h.probeLen);
          expect(h.numPad).toBe(h.host === H - 1 ? plan.numPad : 0);
          for (let i = 0; i < h.anchorLen; i++) expect(h.positions[i]).toBe(i);
          for (let i = 0; i < lb - h.numPad; i++) {
            expect(h.positions[h.anchorLen + i]).toBe(h.host * lb + i);
            expect(h.ids[h.anchorLen + i]).toBe(1000 + h.host * lb + i);
            covered++;
          }
          expect(h.numPassingRows).toBe(h.host * plan.passingLen);
          expect(h.anchorLen).toBe(h.host === 0 ? 0 : plan.anchorLen);
        }
        expect(covered).toBe(n);
        if (H > 1 && lq > 0 && plan.anchorLen > 0) expect(Array.from(plan.hosts[H - 1]!.ids.subarray(0, lq))).toEqual(Array.from(q.subarray(0, lq)));
      }),
      { numRuns: 300 },
    );
  });
});

describe("anchorIds", () => {
  it("drops the last l_q context tokens of the anchor window", () => {
    expect(Array.from(anchorIds(ctx(10), 6, Int32Array.of(7, 8), 2))).toEqual([1000, 1001, 7, 8, 1002, 1003]);
    expect(Array.from(anchorIds(ctx(10), 4, new Int32Array(0), 2))).toEqual([1000, 1001, 1002, 1003]);
  });
});
