// The prefill bench's pure parts: deadline planning, token agreement with near-tie classification, the teacher-forced
// check, the summary table (ratio against the 1.1x bar, memory, skips) and the command line.
import { describe, expect, it } from "vitest";
import { median, planReps, predictMs, secondsLeft } from "./deadline.js";
import { parsePrefillBenchArgs } from "./prefill-options.js";
import { NEAR_TIE_FACTOR, forcedCheck, formatSummary, logitsRelL2, speedTable, tokenAgreement } from "./prefill-report.js";
import type { FullRow, PrefillBenchResult } from "./prefill-result.js";
import type { ReferenceStep, TorchBench } from "./torch-results.js";

const step = (token: number, margin: number, runnerUp = 0): ReferenceStep => ({ token, top1: 5, top2: 5 - margin, margin, runnerUp, std: 1, top5: [token, runnerUp] });

describe("deadline planning", () => {
  it("scales the last measurement by L^1.7 and keeps the repetitions that fit after a warm-up", () => {
    expect(predictMs(16384, { length: 8192, ms: 250 }, 400)).toBeCloseTo(250 * 2 ** 1.7, 6);
    expect(predictMs(8192, undefined, 400)).toBe(400);
    expect(planReps({ predictedMs: 10_000, reps: 3, leftS: 100 })).toBe(3);
    expect(planReps({ predictedMs: 10_000, reps: 3, leftS: 30 })).toBe(2);
    expect(planReps({ predictedMs: 10_000, reps: 3, leftS: 19 })).toBe(0);
    expect(secondsLeft(0, 5, 1e12)).toBe(Infinity);
    expect(secondsLeft(1000, 5, 900_000)).toBe(95);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe("token agreement", () => {
  it("reports identical tokens, or the first mismatch with the reference margin and whether it was a near-tie", () => {
    expect(tokenAgreement([1, 2, 3], [1, 2, 3])).toEqual({ numSame: 3, numTokens: 3, identical: true });
    const steps = [step(1, 1), step(2, 0.01, 9), step(3, 1)];
    const tie = tokenAgreement([1, 9, 4], [1, 2, 3], { steps, rmsError: 0.01 });
    expect(tie.identical).toBe(false);
    expect(tie.firstMismatch).toMatchObject({ step: 1, ours: 9, expected: 2, margin: 0.01, oursWasRunnerUp: true, nearTie: true });
    const real = tokenAgreement([1, 9, 4], [1, 2, 3], { steps, rmsError: 0.01 / NEAR_TIE_FACTOR / 2 });
    expect(real.firstMismatch?.nearTie).toBe(false);
    expect(tokenAgreement([1, 2], [1, 2, 3]).firstMismatch).toMatchObject({ step: 2, ours: undefined, expected: 3 });
  });

  it("teacher-forced: a differing argmax passes only at a near-tie", () => {
    const vocab = 4;
    const ref = { greedy: [0, 1], steps: [step(0, 1), step(1, 0.001, 2)], lastLogits: Float32Array.from([5, 4, 0, 0]), stepLogits: [Float32Array.from([5, 4, 0, 0]), Float32Array.from([0, 5, 4.999, 0])] };
    const ours = Float32Array.from([5, 4, 0, 0, 0, 4.999, 5, 0]);
    const c = forcedCheck(ours, ref, 2e-2);
    expect(c).toMatchObject({ numSteps: 2, numArgmaxSame: 1, numNearTies: 1, badSteps: [], ok: true });
    expect(c.maxRelL2).toBeCloseTo(logitsRelL2(ours.subarray(vocab), ref.stepLogits[1]!), 9);
    const clear = { ...ref, steps: [step(0, 1), step(1, 1, 2)], stepLogits: [ref.stepLogits[0]!, Float32Array.from([0, 5, 4, 0])] };
    const wrong = Float32Array.from([5, 4, 0, 0, 0, 4, 5, 0]);
    expect(forcedCheck(wrong, clear, 2e-2)).toMatchObject({ numArgmaxSame: 1, numNearTies: 0, badSteps: [1], ok: false });
  });
});

describe("summary", () => {
  const full = (length: number, medianMs: number): FullRow => ({ length, warmupMs: medianMs, runsMs: [medianMs], medianMs, minMs: medianMs, prefillMs: medianMs, queryMs: 1, memory: { usedHighBytes: 40 * 2 ** 30, reservedHighBytes: 42 * 2 ** 30, totalBytes: 140 * 2 ** 30 } });
  const torch: TorchBench = {
    format: "apb-torch-bench/1",
    device: "NVIDIA H200",
    torch: "2.11",
    transformers: "5.17",
    attention: "sdpa",
    rows: [8192, 131072].map((length, i) => ({ length, warmupMs: 1, runsMs: [1], medianMs: [250, 11850][i]!, minMs: 1, peakAllocatedBytes: 31 * 2 ** 30, peakReservedBytes: 32 * 2 ** 30 })),
    skipped: [{ length: 65536, reason: "deadline" }],
  };

  it("prints ours vs PyTorch per length with the ratio against the 1.1x bar", () => {
    const t = speedTable([full(8192, 270), full(131072, 14000)], torch);
    const lines = t.split("\n");
    expect(lines[2]).toMatch(/^8192\s+0\.270\s+0\.250\s+1\.08x\s+ok\s+40\.0\s+31\.0/);
    expect(lines[3]).toMatch(/^131072\s+14\.000\s+11\.850\s+1\.18x\s+SLOW/);
  });

  it("tolerates a missing side and lists skips and errors", () => {
    const r: PrefillBenchResult = { format: "apb-gpu-prefill/1", date: "", backend: "cuda", model: { dir: "m", layers: 32, hidden: 4096, vocab: 128256, heads: "32/8x128" }, full: [full(131072, 12000)], strategies: [], skipped: ["full 65536: deadline"], errors: [{ phase: "strategies", code: "BACKEND_FAILED", message: "boom" }], attentionPaths: [], gemmPaths: [] };
    const s = formatSummary(r, undefined);
    expect(s).toContain("PyTorch (not run)");
    expect(s).toContain("128K: peak 40.0 GiB in use (pool reserved 42.0) of 140.0 GiB: fits");
    expect(s).toContain("skipped: full 65536: deadline");
    expect(s).toContain("ERROR in strategies: BACKEND_FAILED: boom");
    expect(formatSummary(undefined, torch)).toContain("torch skipped 65536: deadline");
  });
});

describe("command line", () => {
  it("maps --kebab-case flags, lists and numbers onto the schema, and refuses unknown ones", () => {
    const o = parsePrefillBenchArgs(["--model", "/m", "--lengths", "8192,32768", "--strategy-length", "16384", "--phases", "full", "--deadline", "1700000000"]);
    expect(o).toMatchObject({ model: "/m", lengths: [8192, 32768], strategyLength: 16384, phases: ["full"], deadline: 1700000000, hosts: 4, backend: "cuda" });
    expect(parsePrefillBenchArgs(["--summarize", "--json", "x.json"])).toMatchObject({ summarize: true, json: "x.json" });
    expect(() => parsePrefillBenchArgs(["--model", "/m", "--bogus", "1"])).toThrow(expect.objectContaining({ code: "INPUT_INVALID" }));
    expect(() => parsePrefillBenchArgs(["--model", "/m", "--lengths", "0"])).toThrow(expect.objectContaining({ code: "INPUT_INVALID" }));
    expect(() => parsePrefillBenchArgs(["--model"])).toThrow(expect.objectContaining({ code: "INPUT_INVALID" }));
  });
});
