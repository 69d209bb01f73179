// Unit tests of `apb submit --task facts` without Redis: one question per candidate entity in the trained query format,
// documents without entities kept out of the flow but in the report, and answers parsed into triples per document.

import { PAYLOAD_LIMITS } from "@apb/jobs";
import type { CorpusResult, DocumentResult } from "@apb/jobs";
import { QUERY_PREFIX, QUERY_SUFFIX, candidateEntities, factQuestion } from "@apb/model-tiny";
import { describe, expect, it } from "vitest";
import { factsQuestionText, factsReport, formatFactsReport, planFacts } from "./submit-facts.js";

const DOCS = [
  { id: "a.txt", text: "Mira Lund lives in Oslo. Later Anna Berg met Mira Lund at the market." },
  { id: "b.txt", text: "the cat sat on the mat." },
];

function documentResult(docId: string, answers: string[]): DocumentResult {
  const timings = { prefillMs: 0, queryMs: 0, decodeMs: 0 };
  return {
    docId,
    tokens: [],
    text: answers.join("\n"),
    finishReason: "stop",
    timings,
    promptTokens: 10,
    strategy: "apb",
    group: "g1",
    hosts: 2,
    answers: answers.map((text, i) => ({ question: `q${i}`, tokens: [], text, finishReason: "stop" as const, timings, questionTokens: 3 })),
  };
}

describe("apb submit --task facts", () => {
  it("asks about every candidate entity in the trained query format, skipping documents that name none", () => {
    const plan = planFacts(DOCS);
    const names = candidateEntities(DOCS[0]!.text).map((e) => e.name);
    expect(names).toEqual(["Mira Lund", "Anna Berg"]);
    expect(plan.documents).toEqual([{ id: "a.txt", text: DOCS[0]!.text, questions: names.map(factsQuestionText) }]);
    expect(factsQuestionText("Mira Lund")).toBe(QUERY_PREFIX + factQuestion("Mira Lund") + QUERY_SUFFIX);
    expect([...plan.entities]).toEqual([["a.txt", names], ["b.txt", []]]);
    expect(plan.truncated).toEqual([]);
  });

  it("caps the questions of a document at the job layer's limit", () => {
    const many = Array.from({ length: PAYLOAD_LIMITS.maxQuestionsPerDocument + 3 }, (_, i) => `Person ${String.fromCharCode(65 + (i % 26))}${"x".repeat(1 + Math.floor(i / 26))} Smith`).join(". ");
    const plan = planFacts([{ id: "big", text: many }]);
    expect(plan.truncated).toEqual(["big"]);
    expect(plan.documents[0]!.questions).toHaveLength(PAYLOAD_LIMITS.maxQuestionsPerDocument);
  });

  it("parses each answer's triples per document, in entity order", () => {
    const plan = planFacts(DOCS);
    const r: CorpusResult = {
      jobId: "c1",
      results: [documentResult("a.txt", ["(Mira Lund; lives in; Oslo)\n(Mira Lund; met; Anna Berg)", "not a triple"])],
      aggregated: { numDocuments: 1, answers: [], numTokens: 0, numPromptTokens: 0, groups: {} },
    };
    const rep = factsReport(plan, r);
    expect(rep.numTriples).toBe(2);
    expect(rep.documents.map((d) => [d.docId, d.group, d.answers.map((a) => a.entity), d.triples.length])).toEqual([
      ["a.txt", "g1", ["Mira Lund", "Anna Berg"], 2],
      ["b.txt", undefined, [], 0],
    ]);
    expect(rep.documents[0]!.triples[1]).toEqual({ subject: "Mira Lund", relation: "met", object: "Anna Berg" });
    expect(formatFactsReport(rep)).toBe("a.txt: 2 triple(s) from 2 entities\n  (Mira Lund; lives in; Oslo)\n  (Mira Lund; met; Anna Berg)\nb.txt: 0 triple(s) from 0 entities\n");
  });
});
