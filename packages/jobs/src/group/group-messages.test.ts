// Unit tests of the group's stream messages: plans survive the base64 round trip, malformed entries are FRAME_INVALID.

import { parseSampling, planGroup } from "@apb/core";
import { describe, expect, it } from "vitest";
import { announcementSchema, decodeMessage, decodePlan, encodePlan, hostReportSchema } from "./index.js";

const plan = planGroup({ context: Int32Array.from({ length: 100 }, (_, i) => i + 3), query: Int32Array.of(7, 8), anchorQuery: Int32Array.of(7, 8) }, { strategy: "apb", numHosts: 3, selection: "query" });

describe("group messages", () => {
  it("round-trips a plan through JSON", () => {
    const wire = JSON.parse(JSON.stringify({ v: 1, kind: "run", requestKey: "g1.0", plan: encodePlan(plan), sampling: parseSampling({}), mode: { kind: "generate" }, stepTimeoutMs: 1000 }));
    const m = decodeMessage(announcementSchema, ["m", JSON.stringify(wire)], "announcement");
    expect(m.kind).toBe("run");
    expect(decodePlan((m as Extract<typeof m, { kind: "run" }>).plan)).toEqual(plan);
  });

  it.each([
    [["m", "not json"], /not JSON/],
    [["x", "{}"], /not JSON/],
    [["m", JSON.stringify({ v: 2, kind: "abort", requestKey: "a" })], /malformed/],
    [["m", JSON.stringify({ v: 1, kind: "abort", requestKey: "a b" })], /requestKey/],
    [["m", JSON.stringify({ v: 1, kind: "launch" })], /malformed/],
  ])("refuses %j as FRAME_INVALID", (fields, message) => {
    expect(() => decodeMessage(announcementSchema, fields, "announcement")).toThrow(message);
    expect(() => decodeMessage(announcementSchema, fields, "announcement")).toThrow(expect.objectContaining({ code: "FRAME_INVALID" }));
  });

  it("checks host reports", () => {
    const done = { v: 1, kind: "done", host: 1, instance: "i", result: { tokens: [1], finishReason: "stop", timings: { prefillMs: 1, queryMs: 1, decodeMs: 1 }, cacheRows: { prefill: 1, query: 1, end: 1 } } };
    expect(decodeMessage(hostReportSchema, ["m", JSON.stringify(done)], "report")).toEqual(done);
    expect(() => decodeMessage(hostReportSchema, ["m", JSON.stringify({ ...done, host: -1 })], "report")).toThrow(/host/);
  });
});
