// Synthetic fact corpora on disk for the end-to-end tests: documents with exact ground truth (src/synthetic), written
// as .txt files (and optionally some as one .jsonl file), with their document keys.

import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadTokenizer } from "@apb/core";
import { modelTinyPath } from "@apb/model-tiny";
import { corpusKey, generateFactCorpus, harvestFactPools, writeCorpus } from "../../src/index.js";
import type { SyntheticDocument } from "../../src/index.js";

export interface DiskCorpus {
  readonly root: string;
  readonly corpus: string;
  readonly docs: readonly SyntheticDocument[];
  /** Document key (as the store has it) → the synthetic document. */
  readonly byKey: ReadonlyMap<string, SyntheticDocument>;
}

/** A fresh temp folder with `corpus/` holding `numDocuments` documents; the last `numJsonl` go into corpus.jsonl. */
export async function makeDiskCorpus(o: { numDocuments: number; length: number; numJsonl?: number; seed?: string }): Promise<DiskCorpus> {
  const tokenizer = (await loadTokenizer(modelTinyPath()))!;
  const docs = generateFactCorpus({ numDocuments: o.numDocuments, length: o.length, seed: o.seed }, harvestFactPools(tokenizer), tokenizer);
  const root = await mkdtemp(join(tmpdir(), "kg-test-"));
  const corpus = join(root, "corpus");
  const numTxt = docs.length - (o.numJsonl ?? 0);
  await writeCorpus(corpus, docs.slice(0, numTxt), "txt");
  if (numTxt < docs.length) await writeCorpus(corpus, docs.slice(numTxt), "jsonl");
  const byKey = new Map(docs.map((d, i) => [corpusKey(d.id, i < numTxt ? "txt" : "jsonl"), d]));
  return { root, corpus, docs, byKey };
}
