// Unit tests of the job payload schemas: defaults, exactly-one rules, caps as PROMPT_TOO_LONG, unknown kinds.

import { ApbError } from "@apb/core";
import { describe, expect, it } from "vitest";
import { PAYLOAD_LIMITS, parsePayload } from "./index.js";

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ApbError);
    return (err as ApbError).code;
  }
  return undefined;
}

describe("parsePayload", () => {
  it("applies sampling and session defaults", () => {
    expect(parsePayload("generate", { prompt: "hi" }).sampling).toMatchObject({ maxTokens: 32, temperature: 0, seed: 0 });
    expect(parsePayload("session.open", { sessionId: "s-1", ids: [1, 2, 3] }).ttlMs).toBe(30 * 60 * 1000);
  });

  it.each([
    ["generate", { prompt: "a", ids: [1] }, /exactly one of prompt or ids/],
    ["generate", {}, /exactly one of prompt or ids/],
    ["generate", { prompt: "a", question: "q", questionIds: [1] }, /at most one of question/],
    ["generate", { prompt: 42 }, /prompt/],
    ["generate", { prompt: "a", extra: 1 }, /extra/],
    ["generate", { ids: [1, -2] }, /ids\.1/],
    ["generate", { prompt: "a", sampling: { topP: 0 } }, /sampling\.topP/],
    ["session.open", { sessionId: "a b", prompt: "x" }, /sessionId/],
    ["session.open", { sessionId: "s", prompt: "x", ttlMs: 5 }, /ttlMs/],
    ["session.ask", { sessionId: "s" }, /exactly one of question or questionIds/],
    ["session.close", {}, /sessionId/],
    ["corpus.document", { docId: "d", text: "t" }, /exactly one of question or questions/],
    ["corpus.document", { docId: "d", text: "t", question: "q", questions: ["q"] }, /exactly one of question or questions/],
    ["corpus.document", { docId: "d", text: "t", questions: [] }, /questions/],
    ["corpus.document", { docId: "d", text: "t", questions: ["q", ""] }, /questions\.1/],
    ["corpus.document", { docId: "d", text: "t", questions: new Array(PAYLOAD_LIMITS.maxQuestionsPerDocument + 1).fill("q") }, /questions/],
    ["corpus", { question: "q", questions: ["q"], numDocuments: 1 }, /at most one of question or questions/],
    ["corpus", { question: "q", numDocuments: 0 }, /numDocuments/],
    ["frobnicate", {}, /unknown job kind "frobnicate"/],
  ])("%s %j → INPUT_INVALID", (kind, data, message) => {
    expect(() => parsePayload(kind, data)).toThrow(message);
    expect(codeOf(() => parsePayload(kind, data))).toBe("INPUT_INVALID");
  });

  it("takes a corpus document's question or questions (old single-question payloads unchanged)", () => {
    expect(parsePayload("corpus.document", { docId: "d", text: "t", question: "q" })).toMatchObject({ question: "q" });
    expect(parsePayload("corpus.document", { docId: "d", text: "t", questions: ["a", "b"] })).toMatchObject({ questions: ["a", "b"] });
    expect(parsePayload("corpus", { question: "q", numDocuments: 2 })).toEqual({ question: "q", numDocuments: 2 });
    expect(parsePayload("corpus", { numDocuments: 2 })).toEqual({ numDocuments: 2 }); // per-document questions
  });

  it("refuses contexts over the caps with PROMPT_TOO_LONG", () => {
    expect(codeOf(() => parsePayload("generate", { prompt: "a".repeat(PAYLOAD_LIMITS.maxContextChars + 1) }))).toBe("PROMPT_TOO_LONG");
    expect(codeOf(() => parsePayload("generate", { ids: new Array(PAYLOAD_LIMITS.maxContextIds + 1).fill(1) }))).toBe("PROMPT_TOO_LONG");
    expect(codeOf(() => parsePayload("corpus.document", { docId: "d", question: "q", text: "a".repeat(PAYLOAD_LIMITS.maxContextChars + 1) }))).toBe("PROMPT_TOO_LONG");
    expect(codeOf(() => parsePayload("generate", { prompt: "a", question: "q".repeat(PAYLOAD_LIMITS.maxQuestionChars + 1) }))).toBe("INPUT_INVALID");
  });
});
