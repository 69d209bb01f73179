// The GPU check's own machinery on this machine: its kernel suite runs end to end on the host-memory device (twins
// against twins, so every row must pass: this tests the harness, poisoning and reporting), argument parsing, the
// comparison and the table.
import { describe, expect, it } from "vitest";
import { loadAddon } from "../native/index.js";
import { fakeDevice } from "../testing-only/index.js";
import { formatTable } from "./check-report.js";
import { compareArrays, compareExact } from "./compare.js";
import { parseGpuCheckArgs } from "./gpu-check.js";
import { runKernelSuite } from "./kernel-suite.js";

const load = loadAddon();

describe("gpu-check", () => {
  it.skipIf(!load.ok)("runs the whole kernel suite on the host-memory device, every row ok", async () => {
    const { addon, stats } = fakeDevice(load.ok ? load.addon : (undefined as never));
    for (const dt of [0, 1] as const) {
      const rows = await runKernelSuite(addon, { dt, seed: 11, cublasLt: true });
      const failed = rows.filter((r) => !r.ok);
      expect(failed, JSON.stringify(failed, null, 1)).toEqual([]);
      expect(rows.map((r) => r.op)).toEqual(expect.arrayContaining(["cast", "embed", "rmsnorm", "gemm", "rope", "swiglu", "silu", "add+biasAdd", "attention.out", "lseMerge", "queryScores", "gatherHeads", "topk", "maxpool", "argmax"]));
      expect(formatTable(rows).split("\n").length).toBe(rows.length + 2);
    }
    expect(stats.live).toBe(0);
  });

  it.skipIf(!load.ok)("--only keeps the kernel cases whose op name contains it (the split-K attention rows among them)", async () => {
    const { addon } = fakeDevice(load.ok ? load.addon : (undefined as never));
    const rows = await runKernelSuite(addon, { dt: 0, seed: 5, cublasLt: true, only: "attention" });
    expect(new Set(rows.map((r) => r.op))).toEqual(new Set(["attention.out", "attention.cudnn"]));
    expect(rows.filter((r) => !r.ok)).toEqual([]);
    const split = rows.filter((r) => /split \d+/.test(r.shape));
    expect(split.length).toBeGreaterThanOrEqual(5);
    for (const r of split) expect(r.note).toContain("ran: kernel split-K");
    expect(rows.some((r) => r.shape.includes("split auto"))).toBe(true);
    expect(await runKernelSuite(addon, { dt: 0, seed: 5, cublasLt: true, only: "no such op" })).toEqual([]);
  });

  it("parses its arguments and refuses unknown ones with INPUT_INVALID", () => {
    expect(parseGpuCheckArgs(["--dtype", "bf16", "--quick", "--seed", "5", "--no-sanitizer"])).toMatchObject({ dtypes: ["bfloat16"], quick: true, seed: 5, sanitizer: false, bench: false });
    expect(parseGpuCheckArgs(["--only", "attention", "--no-sanitizer"])).toMatchObject({ only: "attention", sanitizer: false });
    expect(() => parseGpuCheckArgs(["--only"])).toThrow(expect.objectContaining({ code: "INPUT_INVALID" }));
    expect(() => parseGpuCheckArgs(["--frobnicate"])).toThrow(expect.objectContaining({ code: "INPUT_INVALID" }));
    expect(() => parseGpuCheckArgs(["--dtype", "f16"])).toThrow(expect.objectContaining({ code: "INPUT_INVALID" }));
  });

  it("compares by relative L2: NaN never passes, equal infinities match", () => {
    expect(compareArrays([1, 2, -Infinity], [1, 2.000001, -Infinity], { relL2: 1e-5 }).ok).toBe(true);
    expect(compareArrays([1, Number.NaN], [1, 2], { relL2: 1 }).ok).toBe(false);
    expect(compareArrays([1, Infinity], [1, 2], { relL2: 1 }).ok).toBe(false);
    expect(compareArrays([1.1, 2], [1, 2], { relL2: 1e-3 }).ok).toBe(false);
    expect(compareExact([1, 2], [1, 3]).ok).toBe(false);
  });
});
