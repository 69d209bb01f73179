// The shared context of the example: a generated briefing with two sections (a hidden "magic number" and facts about
// people), the question each agent asks, and the generator's answers to check against.

import type { ApbTokenizer } from "@apb/core";
import { generateSample } from "@apb/model-tiny";

export interface Briefing {
  /** The long context: the number section, a blank line, the people section. */
  readonly document: string;
  /** The archivist's question (the number section's) and the generator's answer. */
  readonly archive: { readonly question: string; readonly expected: string };
  /** The biographer's question (the people section's) and the generator's answer. */
  readonly people: { readonly question: string; readonly expected: string };
  /** The auditor's question: the same kind as the archivist's, for a key that is not in the document. */
  readonly decoy: { readonly question: string };
}

/** A briefing of two sections of `length` tokens each; `index` picks the generated documents. */
export function buildBriefing(tokenizer: ApbTokenizer, o: { readonly length: number; readonly index: number }): Briefing {
  const numbers = generateSample({ task: "niah_single", length: o.length, index: o.index, tokenizer });
  const people = generateSample({ task: "facts", length: o.length, index: o.index, tokenizer });
  const document = `${numbers.context}\n\n${people.context}`;
  let decoyIndex = o.index + 1000;
  let decoy = generateSample({ task: "niah_single", length: 256, index: decoyIndex, tokenizer });
  // The decoy's cue (its key) must not occur in the document; keys are random word pairs, so this rarely loops.
  while (decoy.question === numbers.question || (decoy.lookupPrefix !== "" && document.includes(decoy.lookupPrefix))) {
    decoy = generateSample({ task: "niah_single", length: 256, index: ++decoyIndex, tokenizer });
  }
  return {
    document,
    archive: { question: numbers.question, expected: numbers.answer },
    people: { question: people.question, expected: people.answer },
    decoy: { question: decoy.question },
  };
}
