// Fact extraction from one document: candidate entities → one question per entity (over one context) → parsed,
// verified triples with provenance. plan/finish bracket the model, which runs behind an Answerer (local engine) or a
// corpus flow on worker groups (src/flow).

import { InputError } from "@apb/core";
import type { ApbTokenizer } from "@apb/core";
import { candidateEntities } from "@apb/model-tiny";
import type { Answer, Answerer } from "../answer/index.js";
import { TemplateError } from "../errors/index.js";
import type { DocumentExtraction, MentionRecord, TripleRecord, VerifyLevel } from "./extraction-types.js";
import { cleanName, entityKey, findMentions, tripleKey } from "./normalise.js";
import { renderContext, renderQuestion } from "./prompt-template.js";
import type { PromptTemplate } from "./prompt-template.js";
import { filterTriples } from "./triple-filter.js";

/** Object occurrences recorded per entity and document at most (a value such as a year may recur often). */
const MAX_OBJECT_MENTIONS = 32;

export interface ExtractorOptions {
  readonly tokenizer: ApbTokenizer;
  readonly template: PromptTemplate;
  readonly verify: VerifyLevel;
  /** Entities asked about per document at most (in order of first mention). */
  readonly maxEntities: number;
}

/** A candidate entity with its merge key and mentions. */
export interface Candidate {
  readonly name: string;
  readonly key: string;
  readonly offsets: readonly number[];
}

/** What a document will be asked: its candidates (merged by key, at most maxEntities) and one question each. */
export interface DocumentPlan {
  readonly text: string;
  readonly candidates: readonly Candidate[];
  /** The rendered question per candidate, in order. */
  readonly questions: readonly string[];
}

/** Candidate entities merged by key (two spellings of one name are asked about once), at most `max`. */
export function documentCandidates(text: string, max: number): Candidate[] {
  const byKey = new Map<string, Candidate>();
  for (const e of candidateEntities(text)) {
    const key = entityKey(e.name);
    if (key === "") continue;
    const seen = byKey.get(key);
    byKey.set(key, seen === undefined ? { name: cleanName(e.name), key, offsets: e.offsets } : { ...seen, offsets: [...seen.offsets, ...e.offsets] });
  }
  return [...byKey.values()].slice(0, max);
}

function objectMentions(text: string, triples: readonly TripleRecord[]): MentionRecord[] {
  const out: MentionRecord[] = [];
  const done = new Set<string>();
  for (const t of triples) {
    if (t.objectStart === undefined || done.has(t.objectKey)) continue;
    done.add(t.objectKey);
    for (const s of findMentions(text, t.object).slice(0, MAX_OBJECT_MENTIONS)) out.push({ key: t.objectKey, name: t.object, start: s.start, end: s.end, kind: "object" });
  }
  return out;
}

export class DocumentExtractor {
  private readonly bosIds: number[];

  /** @throws TemplateError when the template's BOS token is not in the tokenizer's vocabulary */
  constructor(private readonly o: ExtractorOptions) {
    const bos = o.template.bos;
    const id = bos === null ? undefined : o.tokenizer.tokenToId(bos);
    if (bos !== null && id === undefined) throw new TemplateError(`the template's bos token ${JSON.stringify(bos)} is not in the model's vocabulary; set "bos" to the model's BOS token or null`, { bos });
    this.bosIds = id === undefined ? [] : [id];
  }

  /** The context ids of a document (BOS + the rendered context). */
  contextIds(text: string): Int32Array {
    const body = this.o.tokenizer.encode(renderContext(this.o.template, text), { addSpecialTokens: false });
    return Int32Array.from([...this.bosIds, ...body]);
  }

  /** The context as text (the template's BOS token text, then the rendered document): what a corpus flow sends. */
  contextText(text: string, withBos: boolean): string {
    return (withBos && this.o.template.bos !== null ? this.o.template.bos : "") + renderContext(this.o.template, text);
  }

  /** A document's candidate entities, their name mentions and one question (text) per candidate. */
  plan(text: string): DocumentPlan {
    const candidates = documentCandidates(text, this.o.maxEntities);
    return { text, candidates, questions: candidates.map((c) => renderQuestion(this.o.template, c.name)) };
  }

  /** The question token ids of a plan (what the local engine is asked). */
  questionIds(plan: DocumentPlan): Int32Array[] {
    return plan.questions.map((q) => this.o.tokenizer.encode(q, { addSpecialTokens: false }));
  }

  /**
   * Extracts one document with `answerer` (plan, answer every question, finish). `onAnswer` reports each answered
   * question (progress).
   * @throws the Answerer's typed errors
   */
  async extract(text: string, answerer: Answerer, opts: { signal?: AbortSignal; onAnswer?: (a: Answer) => void } = {}): Promise<DocumentExtraction> {
    const plan = this.plan(text);
    const answers = plan.candidates.length === 0 ? [] : await answerer.answerAll({ contextIds: this.contextIds(text), questions: this.questionIds(plan), signal: opts.signal }, opts.onAnswer);
    return this.finish(plan, answers);
  }

  /**
   * Turns a plan's answers (one per question, in order; from the engine or a corpus flow) into the document's
   * verified triples and mentions.
   * @throws InputError INPUT_INVALID when the number of answers is not the number of questions
   */
  finish(plan: DocumentPlan, answers: readonly Answer[]): DocumentExtraction {
    if (answers.length !== plan.candidates.length) throw new InputError("INPUT_INVALID", `${answers.length} answers for ${plan.candidates.length} questions`);
    const { text, candidates } = plan;
    const mentions: MentionRecord[] = candidates.flatMap((c) => c.offsets.map((at) => ({ key: c.key, name: c.name, start: at, end: at + c.name.length, kind: "name" as const })));
    const triples = new Map<string, TripleRecord>();
    let numDropped = 0;
    answers.forEach((a, i) => {
      const c = candidates[i]!;
      const r = filterTriples(a.text, { text, entity: c.name, entityKey: c.key, verify: this.o.verify });
      numDropped += r.numDropped;
      for (const t of r.kept) if (!triples.has(tripleKey(t))) triples.set(tripleKey(t), t);
    });
    const kept = [...triples.values()];
    return {
      mentions: [...mentions, ...objectMentions(text, kept)],
      triples: kept,
      numEntities: candidates.length,
      numQuestions: plan.questions.length,
      numDropped,
      numPromptTokens: answers.reduce((n, a) => n + a.numPromptTokens, 0),
      numGeneratedTokens: answers.reduce((n, a) => n + a.numGeneratedTokens, 0),
    };
  }
}
