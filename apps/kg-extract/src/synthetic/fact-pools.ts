// Vocabulary for synthetic fact documents, harvested from the shipped model's own task generator (@apb/model-tiny's
// `generateSample`): person names, relation → objects, sentence openers, fact-free filler sentences and the intro.

import { candidateEntities, generateSample, parseTriples } from "@apb/model-tiny";
import type { TokenEncoder, Triple } from "@apb/model-tiny";

/** A filler sentence and its token count (with the leading space it gets in a document). */
export interface FillerSentence {
  readonly text: string;
  readonly numTokens: number;
}

export interface FactPools {
  readonly intro: string;
  readonly firstNames: readonly string[];
  readonly lastNames: readonly string[];
  /** Relation phrase → objects seen with it, in first-seen order. */
  readonly objects: ReadonlyMap<string, readonly string[]>;
  /** Relations whose objects are people (`is friends with`). */
  readonly personRelations: ReadonlySet<string>;
  readonly openers: readonly string[];
  readonly filler: readonly FillerSentence[];
}

/** Samples harvested: enough for every relation to show many objects and for thousands of filler sentences. */
const HARVEST_SAMPLES = 120;
const HARVEST_LENGTH = 1024;

const splitSentences = (text: string): string[] => text.split(/(?<=[.!?])\s+/u).filter((s) => s !== "");

/** An insertion-ordered set of strings. */
class Pool {
  private readonly items = new Set<string>();
  add(s: string): void {
    this.items.add(s);
  }
  get list(): string[] {
    return [...this.items];
  }
}

class Harvest {
  readonly firstNames = new Pool();
  readonly lastNames = new Pool();
  readonly objects = new Map<string, Pool>();
  readonly personRelations = new Set<string>();
  readonly openers = new Pool();
  readonly filler = new Pool();

  addTriples(triples: readonly Triple[], names: ReadonlySet<string>): void {
    for (const t of triples) {
      const parts = t.subject.split(" ");
      if (parts.length === 2) {
        this.firstNames.add(parts[0]!);
        this.lastNames.add(parts[1]!);
      }
      const pool = this.objects.get(t.relation) ?? new Pool();
      pool.add(t.object);
      this.objects.set(t.relation, pool);
      if (names.has(t.object)) this.personRelations.add(t.relation);
    }
  }

  /** Fact sentences give openers (the text before the subject); sentences with no name at all are filler. */
  addSentences(sentences: readonly string[], triples: readonly Triple[]): void {
    for (const s of sentences) {
      const fact = triples.find((t) => s.includes(`${t.subject} ${t.relation} ${t.object}.`));
      if (fact !== undefined) this.openers.add(s.slice(0, s.indexOf(fact.subject)));
      else if (candidateEntities(s).length === 0) this.filler.add(s);
    }
  }
}

/** Harvests the pools from `HARVEST_SAMPLES` fact samples. Deterministic: the generator is seeded by sample index. */
export function harvestFactPools(tokenizer: TokenEncoder): FactPools {
  const h = new Harvest();
  let intro = "";
  for (let index = 0; index < HARVEST_SAMPLES; index++) {
    const s = generateSample({ task: "facts", length: HARVEST_LENGTH, index, tokenizer });
    const sentences = splitSentences(s.context);
    intro ||= sentences[0]!;
    const triples = parseTriples(s.answer);
    h.addTriples(triples, new Set(candidateEntities(s.context).map((e) => e.name)));
    h.addSentences(sentences.slice(1), triples);
  }
  const objects = new Map([...h.objects].map(([rel, pool]) => [rel, pool.list] as const));
  const filler = h.filler.list.map((text) => ({ text, numTokens: tokenizer.encode(" " + text, { addSpecialTokens: false }).length }));
  return { intro, firstNames: h.firstNames.list, lastNames: h.lastNames.list, objects, personRelations: h.personRelations, openers: h.openers.list, filler };
}
