// The benchmark's fixed workload: seeded English-like texts with a fact, and the requests built from them.

import { Prng } from "@apb/core";

const WORDS = "the a cat dog bird sat ran flew on over under mat hill tree and then far away from home to see its old friend river stone quiet bright".split(" ");

/** `numWords` seeded words with `fact` in the middle. */
export function benchText(seed: number, numWords: number, fact: string): string {
  const rng = new Prng(seed);
  const words = Array.from({ length: numWords }, () => WORDS[rng.int(WORDS.length)]!);
  words.splice(Math.floor(numWords / 2), 0, fact);
  return words.join(" ");
}

/** One long-context request (greedy, so both paths must give the same tokens). */
export function overheadRequest(numWords: number): { prompt: string; question: string; strategy: "apb"; sampling: { maxTokens: number } } {
  return { prompt: benchText(numWords, numWords, "The secret code is 4321."), question: "What is the secret code?", strategy: "apb", sampling: { maxTokens: 16 } };
}

/** A corpus of short documents. */
export function corpusDocuments(n: number, numWords: number): { id: string; text: string }[] {
  return Array.from({ length: n }, (_, i) => ({ id: `doc-${String(i).padStart(3, "0")}`, text: benchText(1000 + i, numWords, `The code of item ${i} is ${1000 + 37 * i}.`) }));
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}
