// The multi-agent example end to end on the shipped model: three agents over one session must cost exactly one
// prefill and three questions (the printed counters too); the archivist's answer must equal the task generator's, and
// every agent's answer must equal what the engine itself answers to the same question on the same briefing.

import { ApbEngine, ApbError } from "@apb/core";
import { QUERY_PREFIX, QUERY_SUFFIX, generateSample, modelTinyPath } from "@apb/model-tiny";
import { describe, expect, it } from "vitest";
import { MAX_TOKENS } from "../src/agents.js";
import { buildBriefing } from "../src/briefing.js";
import { main, parseOptions } from "../src/main.js";
import type { AgentsReport } from "../src/main.js";

const LENGTH = 1024;

/** The counters, the archivist's answer against the generator's, every answer against the engine's own. */
async function check(engine: ApbEngine, report: AgentsReport, printed: string): Promise<void> {
  expect([report.prefills, report.questions]).toEqual([1, 3]);
  expect(printed).toMatch(/counters: prefills: 1, questions: 3/);

  const tokenizer = engine.tokenizer!;
  const numbers = generateSample({ task: "niah_single", length: LENGTH, index: 0, tokenizer });
  const { archivist, biographer, auditor } = report.team;
  expect(archivist.question).toBe(numbers.question);
  expect(archivist.answer).toBe(numbers.answer);
  expect(new Set([archivist.question, biographer.question, auditor.question]).size).toBe(3);

  // The engine's own answers to the same questions on the same briefing (greedy, as the agents ask).
  const briefing = buildBriefing(tokenizer, { length: LENGTH, index: 0 });
  const session = await engine.openSession({ prompt: briefing.document });
  expect(session.numContextTokens).toBe(report.contextTokens);
  for (const a of [archivist, biographer, auditor]) {
    const ref = await session.ask({ question: QUERY_PREFIX + a.question + QUERY_SUFFIX, sampling: { maxTokens: MAX_TOKENS[a.role], stopTokenIds: [...tokenizer.eosTokenIds] } });
    expect(a.answer, a.role).toBe((ref.text ?? "").replace(/^ /, ""));
    expect(a.cachedTokens).toBe(report.contextTokens);
  }
  await session.close();
}

describe("examples/multi-agent-shared-context", () => {
  it("three agents answer three questions over one prefill", async () => {
    const out: string[] = [];
    const engine = await ApbEngine.open({ model: modelTinyPath(), hosts: 2 });
    try {
      const report = await main(["--length", String(LENGTH)], { stdout: { write: (t: string) => out.push(t) }, engine });
      await check(engine, report, out.join(""));
    } finally {
      await engine.close();
    }
  });

  it("refuses bad flags with INPUT_INVALID", () => {
    for (const argv of [["--length", "10"], ["--hosts", "0"], ["--nope"]]) {
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
