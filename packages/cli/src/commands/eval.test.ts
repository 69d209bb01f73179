// `apb eval` end to end in-process on the shipped tiny model: short samples, --json rows, and usage errors.

import { describe, expect, it } from "vitest";
import type { CliIo } from "../output/index.js";
import type { EvalRow } from "./eval-report.js";
import { runCli } from "./index.js";

function bufferIo(): { io: CliIo; out: () => string; err: () => string } {
  let out = "";
  let err = "";
  const io: CliIo = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env: {} };
  return { io, out: () => out, err: () => err };
}

describe("apb eval", () => {
  it("scores the shipped model on 256-token niah_single samples under full and apb (--json rows)", async () => {
    const b = bufferIo();
    const code = await runCli(["eval", "--tasks", "niah_single", "--lengths", "256", "--samples", "2", "--strategies", "full,apb", "--hosts", "2", "--json"], b.io);
    expect(code, b.err()).toBe(0);
    const rows = JSON.parse(b.out()) as EvalRow[];
    const full = rows.find((r) => r.task === "niah_single" && r.strategy === "full")!;
    expect(full).toMatchObject({ length: 256, hosts: 1, samples: 2, exact: 1, first: 1 });
    expect(rows.find((r) => r.task === "niah_single" && r.strategy === "apb")).toMatchObject({ hosts: 2, samples: 2, selection: "retaining-heads" });
    expect(rows.filter((r) => r.task === "mean")).toHaveLength(2);
    expect(b.err()).toContain("eval [4/4] niah_single @ 256, sample 2/2 (index 1), apb");
  });

  it("--first-sample starts at another index of the eval split", async () => {
    const b = bufferIo();
    const code = await runCli(["eval", "--tasks", "niah_single", "--lengths", "256", "--samples", "1", "--first-sample", "7", "--strategies", "full", "--json"], b.io);
    expect(code, b.err()).toBe(0);
    expect(b.err()).toContain("sample 1/1 (index 7), full");
    expect(b.err()).not.toContain("(index 0)");
  });

  it("rejects an unknown task with exit code 2 and names the choices", async () => {
    const b = bufferIo();
    const code = await runCli(["eval", "--tasks", "niah"], b.io);
    expect(code).toBe(2);
    expect(b.err()).toContain("niah_single");
  });
});
