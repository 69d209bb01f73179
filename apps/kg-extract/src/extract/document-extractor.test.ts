// The extractor with a scripted Answerer (no model): which questions it asks, over which context ids, and how answers
// become merged, verified triples with mention offsets.
import { loadTokenizer } from "@apb/core";
import type { ApbTokenizer } from "@apb/core";
import { QUERY_PREFIX, QUERY_SUFFIX, factQuestion, modelTinyPath } from "@apb/model-tiny";
import { beforeAll, describe, expect, it } from "vitest";
import type { Answer, AnswerRequest, Answerer } from "../answer/index.js";
import { DocumentExtractor, documentCandidates } from "./document-extractor.js";
import { DEFAULT_TEMPLATE, parsePromptTemplate } from "./prompt-template.js";

const TEXT = "The following text mentions several people. Mira Lund lives in Oslo. Theo Berg plays the tuba. Mira Lund is friends with Theo Berg.";

/** Answers each question from a table keyed by the entity in the question, and records what it was asked. */
class ScriptedAnswerer implements Answerer {
  readonly where = "script";
  readonly requests: AnswerRequest[] = [];
  constructor(
    private readonly tokenizer: ApbTokenizer,
    private readonly answers: Record<string, string>,
  ) {}
  async answerAll(req: AnswerRequest, onAnswer?: (a: Answer) => void): Promise<Answer[]> {
    this.requests.push(req);
    return req.questions.map((q) => {
      const text = this.tokenizer.decode(q);
      const entity = Object.keys(this.answers).find((e) => text.includes(e));
      const a = { text: entity === undefined ? "" : this.answers[entity]!, numPromptTokens: q.length, numGeneratedTokens: 3 };
      onAnswer?.(a);
      return a;
    });
  }
}

let tokenizer: ApbTokenizer;
beforeAll(async () => {
  tokenizer = (await loadTokenizer(modelTinyPath()))!;
});

describe("DocumentExtractor", () => {
  it("asks one question per candidate over one context with BOS, and keeps verified triples", async () => {
    const answerer = new ScriptedAnswerer(tokenizer, {
      "Mira Lund": " (Mira Lund; lives in; Oslo)\n(Mira Lund; is friends with; Theo Berg)\n(Mira Lund; plays; the tuba)",
      "Theo Berg": " (Theo Berg; plays; the tuba)\n(Theo Berg; plays; The Tuba)",
    });
    const ex = new DocumentExtractor({ tokenizer, template: DEFAULT_TEMPLATE, verify: "sentence", maxEntities: 10 });
    const seen: Answer[] = [];
    const x = await ex.extract(TEXT, answerer, { onAnswer: (a) => seen.push(a) });
    expect(answerer.requests).toHaveLength(1);
    const req = answerer.requests[0]!;
    expect(req.contextIds[0]).toBe(tokenizer.tokenToId("<s>"));
    expect(Array.from(req.contextIds.subarray(1))).toEqual(Array.from(tokenizer.encode(TEXT, { addSpecialTokens: false })));
    expect(req.questions.map((q) => tokenizer.decode(q))).toEqual([QUERY_PREFIX + factQuestion("Mira Lund") + QUERY_SUFFIX, QUERY_PREFIX + factQuestion("Theo Berg") + QUERY_SUFFIX]);
    expect(seen).toHaveLength(2);
    expect(x.triples.map((t) => `${t.subject}|${t.relation}|${t.object}`)).toEqual(["Mira Lund|lives in|Oslo", "Mira Lund|is friends with|Theo Berg", "Theo Berg|plays|the tuba"]);
    expect(x.numDropped).toBe(1); // Mira's copied tuba; Theo's second spelling of the same fact is merged, not dropped
    expect(x.numEntities).toBe(2);
    expect(x.numGeneratedTokens).toBe(6);
    for (const m of x.mentions) expect(TEXT.slice(m.start, m.end).toLowerCase()).toBe(m.name.toLowerCase());
    expect(x.mentions.filter((m) => m.kind === "name" && m.key === "mira lund")).toHaveLength(2);
    expect(x.mentions.some((m) => m.kind === "object" && m.key === "oslo")).toBe(true);
  });

  it("skips the model for a document without candidates, and caps the entities asked", async () => {
    const answerer = new ScriptedAnswerer(tokenizer, {});
    const ex = new DocumentExtractor({ tokenizer, template: DEFAULT_TEMPLATE, verify: "none", maxEntities: 1 });
    const empty = await ex.extract("nothing to see here.", answerer);
    expect(answerer.requests).toHaveLength(0);
    expect(empty.triples).toEqual([]);
    await ex.extract(TEXT, answerer);
    expect(answerer.requests[0]!.questions).toHaveLength(1);
  });

  it("merges candidates by key and refuses a BOS token the tokenizer does not know", () => {
    expect(documentCandidates("Anna Berg met Anna Berg and Ola Nord.", 5).map((c) => [c.name, c.offsets.length])).toEqual([["Anna Berg", 2], ["Ola Nord", 1]]);
    const template = parsePromptTemplate({ bos: "<|no-such-token|>" });
    expect(() => new DocumentExtractor({ tokenizer, template, verify: "none", maxEntities: 1 })).toThrow(expect.objectContaining({ code: "CONFIG_INVALID" }));
    const noBos = new DocumentExtractor({ tokenizer, template: parsePromptTemplate({ bos: null }), verify: "none", maxEntities: 1 });
    expect(noBos.contextIds("Hello there.")[0]).not.toBe(tokenizer.tokenToId("<s>"));
  });

  it("plans questions as text and finishes from answers in question order (the corpus-flow path)", () => {
    const ex = new DocumentExtractor({ tokenizer, template: DEFAULT_TEMPLATE, verify: "sentence", maxEntities: 10 });
    const plan = ex.plan(TEXT);
    expect(plan.candidates.map((c) => c.name)).toEqual(["Mira Lund", "Theo Berg"]);
    expect(plan.questions).toEqual([QUERY_PREFIX + factQuestion("Mira Lund") + QUERY_SUFFIX, QUERY_PREFIX + factQuestion("Theo Berg") + QUERY_SUFFIX]);
    expect(ex.contextText(TEXT, true)).toBe(`<s>${TEXT}`);
    expect(ex.contextText(TEXT, false)).toBe(TEXT);
    const answer = (text: string) => ({ text, numPromptTokens: 5, numGeneratedTokens: 2 });
    // Answers are matched to candidates by position: swapping them moves each fact to the other asked entity.
    const x = ex.finish(plan, [answer(" (Theo Berg; plays; the tuba)"), answer(" (Mira Lund; lives in; Oslo)")]);
    expect(x.triples.map((t) => [t.askedEntity, t.subject])).toEqual([]); // verify=sentence keeps only facts about the asked entity
    const y = ex.finish(plan, [answer(" (Mira Lund; lives in; Oslo)"), answer(" (Theo Berg; plays; the tuba)")]);
    expect(y.triples.map((t) => [t.askedEntity, t.subject, t.object])).toEqual([["Mira Lund", "Mira Lund", "Oslo"], ["Theo Berg", "Theo Berg", "the tuba"]]);
    expect([y.numQuestions, y.numPromptTokens, y.numGeneratedTokens]).toEqual([2, 10, 4]);
    expect(() => ex.finish(plan, [answer("")])).toThrow(expect.objectContaining({ code: "INPUT_INVALID" }));
  });
});
