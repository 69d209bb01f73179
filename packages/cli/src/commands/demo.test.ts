// `apb demo` in-process on short documents: the shipped model's answers and exactness (--json and text), the
// random-weights variant (--random), and a usage error.

import { describe, expect, it } from "vitest";
import type { CliIo } from "../output/index.js";
import type { ModelDemoResult } from "./demo-model-report.js";
import { runCli } from "./index.js";

function bufferIo(): { io: CliIo; out: () => string; err: () => string } {
  let out = "";
  let err = "";
  const io: CliIo = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env: {} };
  return { io, out: () => out, err: () => err };
}

describe("apb demo", () => {
  it("answers a 1024-token niah_single document with full attention and APB on the shipped model (--json)", async () => {
    const b = bufferIo();
    const code = await runCli(["demo", "--tokens", "1024", "--json"], b.io);
    expect(code, b.err()).toBe(0);
    expect(b.out().trimEnd().split("\n")).toHaveLength(1);
    const r = JSON.parse(b.out()) as ModelDemoResult;
    expect(r).toMatchObject({ mode: "model", backend: "onnx", ok: true, model: { name: "@apb/model-tiny", vocab: 4096, retainingHeads: true } });
    const a = r.answer;
    expect(a.sample).toMatchObject({ task: "niah_single", split: "eval", index: 0, length: 1024 });
    expect(a.sample.contextTokens).toBeGreaterThan(900);
    expect(a.full).toMatchObject({ strategy: "full", hosts: 1, correct: true, answer: a.sample.expected });
    expect(a.apb).toMatchObject({ strategy: "apb", hosts: 4, selection: "retaining-heads", queryStart: 1, correct: true, answer: a.sample.expected });
    expect(a.apb.anchor).toBeGreaterThan(0);
    for (const run of [a.full, a.apb]) for (const t of [run.prefillMs, run.queryMs, run.decodeMs]) expect(t).toBeGreaterThan(0);
    expect(a.speedup).toBeCloseTo(a.full.prefillMs / a.apb.prefillMs, 6);
    const e = r.exactness;
    expect(e.sample.length).toBe(512);
    expect(e.rows.map((x) => [x.strategy, x.hosts, x.anchor, x.match])).toEqual([["full", 1, 0, true], ["ring", 4, 0, true], ["apb", 4, 0, true]]);
    expect(e.rows[2]!.passing).toBe(e.rows[1]!.passing);
    expect(e.rows.every((x) => x.correct && x.text === e.sample.expected)).toBe(true);
    expect(b.err()).toContain("demo [7/7] long document: apb on 4 hosts");
  });

  it("prints both parts and the verdicts as text (2 hosts, 512 tokens, another eval sample)", async () => {
    const b = bufferIo();
    const code = await runCli(["demo", "--tokens", "512", "--hosts", "2", "--seed", "3"], b.io);
    expect(code, b.err()).toBe(0);
    const out = b.out();
    expect(out).toMatch(/^apb demo on the shipped model @apb\/model-tiny: Llama, 8 layers/);
    expect(out).toContain("1. A question over a long document");
    expect(out).toContain("niah_single eval sample 3");
    expect(out).toMatch(/expected: {2}"[a-z-]+=\d+"/);
    expect(out).toMatch(/\n {3}APB +2 {2}"[^"]*" +(OK|WRONG) /);
    expect(out).toMatch(/APB's prefill is \d+\.\d\dx as fast as full attention's/);
    expect(out).toContain("2. Exactness");
    expect(out).toContain("OK: ring and exact APB gave full attention's tokens exactly.");
    expect(out).toMatch(/Long-document answers: full attention (OK|WRONG), APB (OK|WRONG)/);
    expect(b.err()).toContain("demo [3/7] exactness: full attention on 1 host");
  });

  it("keeps the random-weights demo behind --random (exactness on random ids and a speed comparison)", async () => {
    const b = bufferIo();
    const code = await runCli(["demo", "--random", "--tokens", "256", "--json"], b.io);
    expect(code, b.err()).toBe(0);
    expect(b.err()).toMatch(/weights are RANDOM/);
    const out = JSON.parse(b.out()) as { mode: string; ok: boolean; backend: string; exactness: { strategy: string; hosts: number; match: boolean; tokens: number[] }[]; speed: { tokens: number; full: { prefillMs: number }; apb: { hosts: number } } };
    expect(out).toMatchObject({ mode: "random", ok: true, backend: "onnx" });
    expect(out.exactness.map((e) => [e.strategy, e.hosts, e.match, e.tokens.length])).toEqual([["full", 1, true, 16], ["ring", 4, true, 16], ["apb", 4, true, 16]]);
    expect(out.speed).toMatchObject({ tokens: 256, apb: { hosts: 4 } });
    expect(out.speed.full.prefillMs).toBeGreaterThan(0);
  });

  it("rejects a document shorter than 256 tokens with exit code 2", async () => {
    const b = bufferIo();
    expect(await runCli(["demo", "--tokens", "100"], b.io)).toBe(2);
    expect(b.err()).toContain("--tokens");
  });
});
