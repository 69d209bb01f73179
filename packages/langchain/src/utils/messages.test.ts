// Messages → APB inputs: the data format's layout, the chat-template split, and the messages ChatAPB refuses.

import { ApbError, ApbTokenizer, tinyTokenizerFiles } from "@apb/core";
import { AIMessage, ChatMessage, HumanMessage, SystemMessage, ToolMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { toApbPrompt } from "./messages.js";
import type { PromptOptions } from "./messages.js";

const DATA: PromptOptions = { tokenizer: undefined, format: "auto", queryPrefix: "\n\nQ: ", querySuffix: "\nA:", documents: [], bound: false };

function expectInputError(f: () => unknown, pattern: RegExp): void {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ApbError);
  expect((caught as ApbError).code).toBe("INPUT_INVALID");
  expect((caught as ApbError).message).toMatch(pattern);
}

describe("data format", () => {
  it("puts system messages then documents in the context and the last human message in the question", () => {
    const p = toApbPrompt([new SystemMessage("Rules."), new HumanMessage("Who?")], { ...DATA, documents: ["Doc one.", "Doc two."] });
    expect(p).toEqual({ context: { text: "Rules.\n\nDoc one.\n\nDoc two." }, question: { text: "\n\nQ: Who?\nA:" }, stripLeadingSpace: true });
  });

  it("appends earlier turns to the context in the same question/answer layout", () => {
    const p = toApbPrompt([new SystemMessage("Ctx."), new HumanMessage("q1"), new AIMessage("a1"), new HumanMessage("q2")], DATA);
    expect(p.context).toEqual({ text: "Ctx.\n\nQ: q1\nA: a1" });
    expect(p.question).toEqual({ text: "\n\nQ: q2\nA:" });
  });

  it("reads text content blocks and generic chat messages by role", () => {
    const p = toApbPrompt([new ChatMessage("Ctx.", "system"), new HumanMessage({ content: [{ type: "text", text: "Wh" }, { type: "text", text: "o?" }] })], DATA);
    expect(p.context).toEqual({ text: "Ctx." });
    expect(p.question).toEqual({ text: "\n\nQ: Who?\nA:" });
  });

  it("a session-bound prompt has no context: history goes before the question", () => {
    const p = toApbPrompt([new HumanMessage("q1"), new AIMessage("a1"), new HumanMessage("q2")], { ...DATA, bound: true });
    expect(p.context).toBeUndefined();
    expect(p.question).toEqual({ text: "\n\nQ: q1\nA: a1\n\nQ: q2\nA:" });
  });
});

describe("refused messages", () => {
  it("the last message must be human", () => {
    expectInputError(() => toApbPrompt([new HumanMessage("q"), new AIMessage("a")], DATA), /last message must be a human message/);
    expectInputError(() => toApbPrompt([], DATA), /last message must be a human message/);
  });

  it("tool messages and non-text blocks", () => {
    expectInputError(() => toApbPrompt([new ToolMessage({ content: "r", tool_call_id: "1" }), new HumanMessage("q")], DATA), /no tool calling.*tool message/);
    expectInputError(() => toApbPrompt([new HumanMessage({ content: [{ type: "image_url", image_url: { url: "data:," } }] })], DATA), /text only.*image_url/);
  });

  it("a session-bound model refuses system messages and documents", () => {
    expectInputError(() => toApbPrompt([new SystemMessage("s"), new HumanMessage("q")], { ...DATA, bound: true }), /session-bound/);
    expectInputError(() => toApbPrompt([new HumanMessage("q")], { ...DATA, bound: true, documents: ["d"] }), /session-bound/);
  });

  it("promptFormat chat-template without a template", () => {
    expectInputError(() => toApbPrompt([new HumanMessage("q")], { ...DATA, format: "chat-template" }), /needs a tokenizer with a chat template/);
  });
});

describe("chat template", () => {
  const files = tinyTokenizerFiles(300);
  const tok = ApbTokenizer.fromJson(files.tokenizerJson, files.tokenizerConfig);
  const opts: PromptOptions = { ...DATA, tokenizer: tok };

  it("splits the rendering into the conversation before the last message and the rest", () => {
    const msgs = [new SystemMessage("the secret key is one two"), new HumanMessage("what is the key"), new AIMessage("one two"), new HumanMessage("and the value")];
    const p = toApbPrompt(msgs, { ...opts, documents: ["the document"] });
    if (p.context === undefined || !("ids" in p.context) || !("ids" in p.question)) throw new TypeError("expected token ids");
    const full = tok.applyChatTemplate(
      [{ role: "system", content: "the secret key is one two\n\nthe document" }, { role: "user", content: "what is the key" }, { role: "assistant", content: "one two" }, { role: "user", content: "and the value" }],
      { addGenerationPrompt: true },
    )!;
    expect(tok.decode([...p.context.ids, ...p.question.ids])).toBe(tok.decode(tok.encode(full, { addSpecialTokens: false })));
    expect(tok.decode(p.question.ids)).toMatch(/^<\|user\|> and the value <\/s> <\|assistant\|>$/);
    expect(p.stripLeadingSpace).toBe(false);
  });

  it("promptFormat data ignores the template", () => {
    expect(toApbPrompt([new HumanMessage("q")], { ...opts, format: "data" }).question).toEqual({ text: "\n\nQ: q\nA:" });
  });

  it("session-bound: the question is the last turn with the generation prompt", () => {
    const p = toApbPrompt([new HumanMessage("what is the key")], { ...opts, bound: true });
    expect(p.context).toBeUndefined();
    if (!("ids" in p.question)) throw new TypeError("expected token ids");
    expect(tok.decode(p.question.ids)).toMatch(/^<\|user\|> what is the key <\/s> <\|assistant\|>$/);
  });
});
