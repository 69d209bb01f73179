// Deterministic English-like texts for the job-layer tests (the shipped tokenizer turns them into tokens).

import { Prng } from "@apb/core";

const WORDS = "the a cat dog bird sat ran flew on over under mat hill tree and then far away from home to see its old friend river stone quiet bright".split(" ");

/** `numWords` words from a seeded stream, with `fact` in the middle. */
export function textWithFact(seed: number, numWords: number, fact: string): string {
  const rng = new Prng(seed);
  const words = Array.from({ length: numWords }, () => WORDS[rng.int(WORDS.length)]!);
  words.splice(Math.floor(numWords / 2), 0, fact);
  return words.join(" ");
}
