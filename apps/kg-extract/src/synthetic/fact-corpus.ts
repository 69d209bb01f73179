// Synthetic fact corpora with exact ground truth: documents in the shipped model's fact format (intro, fact
// sentences scattered through filler) whose facts this generator chooses itself, so scoring never trusts the model.

import { Rng, candidateEntities, fnv1a32 } from "@apb/model-tiny";
import type { TokenEncoder, Triple } from "@apb/model-tiny";
import { ApbError } from "@apb/core";
import type { FactPools } from "./fact-pools.js";

export interface SyntheticDocument {
  readonly id: string;
  readonly text: string;
  /** Every fact stated in the text, exactly as written. */
  readonly facts: readonly Triple[];
  readonly people: readonly string[];
}

export interface CorpusSpec {
  readonly numDocuments: number;
  /** Target tokens per document (the text is never longer; room is left for a question and its answer). */
  readonly length: number;
  /** People per document (default: the model's training mix, max(2, min(12, 1 + length / 1024))). */
  readonly numPeople?: number;
  /** Varies the corpus; the same seed gives the same documents. */
  readonly seed?: string;
}

/** Tokens kept free for the question and the answer (the model's training samples fit both in the length). */
const QA_RESERVE = 96;
/** People shared across the corpus, so the merged graph links documents. */
const NUM_RECURRING = 6;
const RECUR_PROBABILITY = 0.3;
/** A person-valued relation names another person of the document this often (else a stranger). */
const FRIEND_IN_DOC_PROBABILITY = 0.5;

function drawName(rng: Rng, pools: FactPools): string {
  return `${rng.choice(pools.firstNames)} ${rng.choice(pools.lastNames)}`;
}

function drawPeople(rng: Rng, pools: FactPools, n: number, recurring: readonly string[]): string[] {
  const people: string[] = [];
  while (people.length < n) {
    const p = rng.below(1000) < RECUR_PROBABILITY * 1000 ? rng.choice(recurring) : drawName(rng, pools);
    if (!people.includes(p)) people.push(p);
  }
  return people;
}

function drawFacts(rng: Rng, pools: FactPools, people: readonly string[]): Triple[] {
  const relations = [...pools.objects.keys()];
  const facts: Triple[] = [];
  people.forEach((subject, i) => {
    const k = i === 0 ? 2 + rng.below(3) : 1 + rng.below(4);
    for (const relation of rng.sample(relations, Math.min(k, relations.length))) {
      let object: string;
      if (pools.personRelations.has(relation)) {
        const others = people.filter((p) => p !== subject);
        object = rng.below(1000) < FRIEND_IN_DOC_PROBABILITY * 1000 ? rng.choice(others) : drawName(rng, pools);
        while (object === subject) object = drawName(rng, pools);
      } else object = rng.choice(pools.objects.get(relation)!);
      facts.push({ subject, relation, object });
    }
  });
  return rng.shuffle(facts);
}

/** Filler sentences until the next would pass `budget` tokens. */
function drawFiller(rng: Rng, pools: FactPools, budget: number): string[] {
  const out: string[] = [];
  let used = 0;
  for (;;) {
    const f = rng.choice(pools.filler);
    if (used + f.numTokens > budget) return out;
    out.push(f.text);
    used += f.numTokens;
  }
}

/** Fact sentences placed among the filler at sorted random positions (their order kept). */
function scatter(rng: Rng, facts: readonly string[], filler: readonly string[]): string[] {
  const at = facts.map(() => rng.below(filler.length + 1)).sort((a, b) => a - b);
  const out: string[] = [];
  let k = 0;
  for (let i = 0; i <= filler.length; i++) {
    while (k < facts.length && at[k] === i) out.push(facts[k++]!);
    if (i < filler.length) out.push(filler[i]!);
  }
  return out;
}

/** @throws ApbError INTERNAL when a document mentions a name that is not one of its people (the ground truth would be wrong) */
function checkDocument(d: SyntheticDocument): void {
  const allowed = new Set([...d.people, ...d.facts.map((f) => f.object)]);
  const stray = candidateEntities(d.text).find((e) => !allowed.has(e.name));
  if (stray !== undefined) throw new ApbError("INTERNAL", `synthetic document ${d.id} mentions "${stray.name}", which is in no fact of its ground truth`);
}

/**
 * Builds a corpus. Document i depends only on (seed, length, i), so a corpus of 50 starts with the corpus of 6.
 * @throws ApbError INTERNAL when the harvested pools could produce a document with unknown names
 */
export function generateFactCorpus(spec: CorpusSpec, pools: FactPools, tokenizer: TokenEncoder): SyntheticDocument[] {
  const seed = spec.seed ?? "kg-extract";
  const base = new Rng(fnv1a32(`kg-extract-corpus/${seed}`));
  const recurring = Array.from({ length: NUM_RECURRING }, () => drawName(base, pools));
  const numPeople = spec.numPeople ?? Math.max(2, Math.min(12, 1 + Math.floor(spec.length / 1024)));
  const count = (s: string): number => tokenizer.encode(s, { addSpecialTokens: false }).length;
  const docs: SyntheticDocument[] = [];
  for (let i = 0; i < spec.numDocuments; i++) {
    const rng = new Rng(fnv1a32(`kg-extract-doc/${seed}/${spec.length}/${i}`));
    const people = drawPeople(rng, pools, numPeople, recurring);
    const facts = drawFacts(rng, pools, people);
    const sentences = facts.map((f) => `${rng.choice(pools.openers)}${f.subject} ${f.relation} ${f.object}.`);
    const fixed = 1 + count(pools.intro) + sentences.reduce((n, s) => n + count(" " + s), 0);
    const filler = drawFiller(rng, pools, spec.length - fixed - QA_RESERVE);
    const text = [pools.intro, ...scatter(rng, sentences, filler)].join(" ");
    const doc = { id: `doc-${String(i).padStart(4, "0")}`, text, facts, people };
    checkDocument(doc);
    docs.push(doc);
  }
  return docs;
}
