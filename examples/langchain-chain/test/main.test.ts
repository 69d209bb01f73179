// The chain example end to end on the shipped model: a ~3K-token document on two in-process hosts; the streamed answer
// must equal the task generator's answer (never a hard-coded model output), and bad flags are typed input errors.

import { ApbError, loadTokenizer } from "@apb/core";
import { generateSample, modelTinyPath } from "@apb/model-tiny";
import { describe, expect, it } from "vitest";
import { main, parseOptions } from "../src/main.js";

const LENGTH = 3072;

describe("examples/langchain-chain", () => {
  it("streams the answer to the question hidden in the document", async () => {
    const out: string[] = [];
    const report = await main(["--length", String(LENGTH), "--hosts", "2"], { stdout: { write: (t: string) => out.push(t) } });
    const s = generateSample({ task: "niah_single", length: LENGTH, index: 0, tokenizer: (await loadTokenizer(modelTinyPath()))! });
    expect(report.question).toBe(s.question);
    expect(report.answer).toBe(s.answer);
    expect(report.right).toBe(true);
    expect(report.chunks.length).toBeGreaterThan(1);
    expect(report.promptTokens).toBeGreaterThan(LENGTH * 0.8);
    expect(report.promptTokens).toBeLessThanOrEqual(LENGTH);
    expect(report.outputTokens).toBeGreaterThan(0);
    expect([report.strategy, report.hosts]).toEqual(["apb", 2]);
    const printed = out.join("");
    expect(printed).toContain(s.answer);
    expect(printed).toMatch(/\nright; \d+ prompt tokens/);
  });

  it("refuses bad flags with INPUT_INVALID", () => {
    for (const argv of [["--length", "3"], ["--hosts", "two"], ["--bogus", "1"]]) {
      let e: unknown;
      try {
        parseOptions(argv);
      } catch (err) {
        e = err;
      }
      expect(e).toBeInstanceOf(ApbError);
      expect((e as ApbError).code).toBe("INPUT_INVALID");
    }
  });
});
