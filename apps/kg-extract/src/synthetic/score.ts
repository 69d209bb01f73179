// Precision and recall of extracted facts against ground truth, in key space (normalised subject, relation, object),
// counted per (document, fact): a fact found in the wrong document does not count.

import { tripleKey } from "../extract/index.js";

export interface FactSet {
  readonly docId: string;
  readonly facts: readonly { readonly subject: string; readonly relation: string; readonly object: string }[];
}

export interface FactScore {
  readonly numTrue: number;
  readonly numPredicted: number;
  readonly numCorrect: number;
  /** correct / predicted (1 when nothing was predicted). */
  readonly precision: number;
  /** correct / true (1 when there is nothing to find). */
  readonly recall: number;
  readonly f1: number;
}

function keysOf(sets: readonly FactSet[]): Set<string> {
  const out = new Set<string>();
  for (const s of sets) for (const f of s.facts) out.add(`${s.docId}\u0001${tripleKey(f)}`);
  return out;
}

/** Scores predicted facts against the truth (duplicates within a document count once). */
export function scoreFacts(truth: readonly FactSet[], predicted: readonly FactSet[]): FactScore {
  const t = keysOf(truth);
  const p = keysOf(predicted);
  let numCorrect = 0;
  for (const k of p) if (t.has(k)) numCorrect++;
  const precision = p.size === 0 ? 1 : numCorrect / p.size;
  const recall = t.size === 0 ? 1 : numCorrect / t.size;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { numTrue: t.size, numPredicted: p.size, numCorrect, precision, recall, f1 };
}
