// Unit tests of the output helpers: tables, streamed tokens, the progress bar and error reporting.

import { describe, expect, it } from "vitest";
import { ApbError, InputError, ModelError } from "@apb/core";
import { UsageError } from "../args/index.js";
import { EXIT, ProgressBar, TokenStreamer, formatTable, reportError } from "./index.js";
import type { CliIo, TextSink } from "./index.js";

function sink(isTTY = false): TextSink & { chunks: string[]; text(): string } {
  const chunks: string[] = [];
  return { isTTY, chunks, write: (s: string) => chunks.push(s), text: () => chunks.join("") };
}

function io(env: Record<string, string> = {}): CliIo & { err: ReturnType<typeof sink> } {
  const err = sink();
  return { stdout: sink(), stderr: err, env, err };
}

describe("formatTable", () => {
  it("aligns numbers right and text left, and shows missing values as —", () => {
    const rows = [{ s: "full", n: 1, x: 2.5 as number | undefined }, { s: "apb", n: 16, x: undefined }];
    const t = formatTable([{ header: "strategy", value: (r) => r.s }, { header: "n", value: (r) => r.n }, { header: "x", value: (r) => r.x }], rows);
    expect(t).toBe("strategy   n    x\n--------  --  ---\nfull       1  2.5\napb       16    —\n");
  });
});

describe("TokenStreamer", () => {
  const words = ["the", "cat", "sat", "STOP", "here"];
  const decode = (ts: readonly number[]): string => ts.map((t) => words[t]).join(" ");

  it("writes ids as they arrive", () => {
    const out = sink();
    const s = new TokenStreamer({ sink: out });
    s.push(5);
    expect(out.text()).toBe("5");
    s.push(7);
    s.finish(undefined);
    expect(out.chunks).toEqual(["5", " 7", "\n"]);
  });

  it("writes text per token and never prints a stop string", () => {
    const out = sink();
    const s = new TokenStreamer({ sink: out, decode, stopStrings: [" STOP"] });
    s.push(0);
    s.push(1);
    const before = out.text();
    expect(before.length).toBeGreaterThan(0);
    s.push(2);
    s.push(3);
    s.finish("the cat sat");
    expect(out.text()).toBe("the cat sat\n");
    expect(out.chunks.length).toBeGreaterThan(2);
  });
});

describe("ProgressBar", () => {
  it("prints one plain line per step when stderr is not a TTY", () => {
    const out = sink(false);
    const bar = new ProgressBar(out, { total: 2, label: "bench" });
    bar.step("a");
    bar.tick();
    bar.step("b");
    bar.tick();
    bar.finish();
    expect(out.text()).toBe("bench [1/2] a\nbench [2/2] b\n");
  });

  it("redraws in place on a TTY, throttled, and clears at the end", () => {
    const out = sink(true);
    const bar = new ProgressBar(out, { total: 100, label: "x", throttleMs: 10_000 });
    bar.step("start");
    for (let i = 0; i < 99; i++) bar.tick();
    expect(out.chunks.length).toBe(1); // throttled: only the step's forced draw
    bar.tick();
    expect(out.chunks.at(-1)).toMatch(/^\r\x1b\[Kx \[#{24}\] 100\/100/);
    bar.finish();
    expect(out.chunks.at(-1)).toBe("\r\x1b[K");
  });
});

describe("reportError", () => {
  it("exits 2 without a stack for user errors and usage errors", () => {
    for (const err of [new UsageError("bad flag", "generate"), new InputError("PROMPT_TOO_LONG", "too long"), new ModelError("TENSOR_SHAPE", "shape")]) {
      const o = io();
      expect(reportError(err, o)).toBe(EXIT.usage);
      expect(o.err.text()).toMatch(/^apb: /);
      expect(o.err.text()).not.toMatch(/at .*:\d+:\d+/);
    }
    const o = io();
    reportError(new UsageError("bad flag", "generate"), o);
    expect(o.err.text()).toBe("apb: bad flag\nRun `apb generate --help` for usage.\n");
  });

  it("exits 1 for runtime failures, with the stack only under APB_DEBUG=1", () => {
    const quiet = io();
    expect(reportError(new Error("boom"), quiet)).toBe(EXIT.failure);
    expect(quiet.err.text()).toContain("apb: error: boom");
    expect(quiet.err.text()).not.toMatch(/at .*:\d+:\d+/);
    const loud = io({ APB_DEBUG: "1" });
    expect(reportError(new ApbError("BACKEND_FAILED", "kernel died", { cause: new Error("inner") }), loud)).toBe(EXIT.failure);
    expect(loud.err.text()).toContain("[BACKEND_FAILED]");
    expect(loud.err.text()).toMatch(/at .*:\d+:\d+/);
    expect(loud.err.text()).toContain("Caused by: Error: inner");
  });

  it("exits 130 when interrupted", () => {
    expect(reportError(new ApbError("ABORTED", "aborted"), io())).toBe(EXIT.interrupted);
  });
});
