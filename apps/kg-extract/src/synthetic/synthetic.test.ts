// The synthetic corpus: every fact of the ground truth is stated in the text, no other name appears, documents fit
// their length and are reproducible; and the scorer's arithmetic.
import { loadTokenizer } from "@apb/core";
import type { ApbTokenizer } from "@apb/core";
import { candidateEntities, modelTinyPath } from "@apb/model-tiny";
import { beforeAll, describe, expect, it } from "vitest";
import { generateFactCorpus } from "./fact-corpus.js";
import { harvestFactPools } from "./fact-pools.js";
import type { FactPools } from "./fact-pools.js";
import { scoreFacts } from "./score.js";

let tokenizer: ApbTokenizer;
let pools: FactPools;
beforeAll(async () => {
  tokenizer = (await loadTokenizer(modelTinyPath()))!;
  pools = harvestFactPools(tokenizer);
});

describe("synthetic fact corpus", () => {
  it("harvests names, every relation with objects, openers and fact-free filler", () => {
    expect(pools.intro).toMatch(/people/);
    expect(pools.firstNames.length).toBeGreaterThan(20);
    expect(pools.objects.size).toBeGreaterThanOrEqual(8);
    for (const objs of pools.objects.values()) expect(objs.length).toBeGreaterThan(3);
    expect(pools.personRelations.size).toBeGreaterThan(0);
    expect(pools.openers).toContain("");
    for (const f of pools.filler.slice(0, 500)) expect(candidateEntities(f.text)).toEqual([]);
  });

  it("states every ground-truth fact verbatim and mentions no one else", () => {
    const docs = generateFactCorpus({ numDocuments: 12, length: 1024 }, pools, tokenizer);
    const people = new Set<string>();
    for (const d of docs) {
      expect(d.text.startsWith(pools.intro)).toBe(true);
      expect(tokenizer.encode(d.text, { addSpecialTokens: false }).length + 1).toBeLessThanOrEqual(1024);
      expect(tokenizer.encode(d.text, { addSpecialTokens: false }).length).toBeGreaterThan(700);
      expect(d.facts.length).toBeGreaterThanOrEqual(d.people.length + 1);
      for (const f of d.facts) expect(d.text).toContain(`${f.subject} ${f.relation} ${f.object}.`);
      const named = new Set(candidateEntities(d.text).map((e) => e.name));
      for (const n of named) expect(d.people.includes(n) || d.facts.some((f) => f.object === n)).toBe(true);
      d.people.forEach((p) => people.add(p));
    }
    expect(people.size).toBeLessThan(docs.reduce((n, d) => n + d.people.length, 0)); // some people recur across documents
  });

  it("is reproducible and prefix-stable, and the seed changes it", () => {
    const a = generateFactCorpus({ numDocuments: 3, length: 512 }, pools, tokenizer);
    const b = generateFactCorpus({ numDocuments: 5, length: 512 }, pools, tokenizer);
    expect(b.slice(0, 3)).toEqual(a);
    expect(generateFactCorpus({ numDocuments: 3, length: 512, seed: "other" }, pools, tokenizer)[0]!.text).not.toBe(a[0]!.text);
  });
});

describe("scoreFacts", () => {
  it("counts per (document, fact) in key space", () => {
    const truth = [
      { docId: "a", facts: [{ subject: "Mira Lund", relation: "lives in", object: "Oslo" }, { subject: "Mira Lund", relation: "owns", object: "a cat" }] },
      { docId: "b", facts: [{ subject: "Theo Berg", relation: "speaks", object: "Dutch" }] },
    ];
    const predicted = [
      { docId: "a", facts: [{ subject: "mira lund", relation: "Lives in", object: "oslo" }, { subject: "Mira Lund", relation: "lives in", object: "Oslo." }, { subject: "Mira Lund", relation: "speaks", object: "Dutch" }] },
      { docId: "c", facts: [{ subject: "Theo Berg", relation: "speaks", object: "Dutch" }] }, // right fact, wrong document
    ];
    const s = scoreFacts(truth, predicted);
    expect(s).toMatchObject({ numTrue: 3, numPredicted: 3, numCorrect: 1 });
    expect(s.precision).toBeCloseTo(1 / 3);
    expect(s.recall).toBeCloseTo(1 / 3);
    expect(scoreFacts([], [])).toMatchObject({ precision: 1, recall: 1 });
  });
});
