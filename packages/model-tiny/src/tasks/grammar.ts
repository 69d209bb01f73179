// Filler text: one of 24 sentence templates with its {slots} filled left to right, one draw each
// (datagen.py TEMPLATES / _slot / filler_sentence, format v3, copied verbatim and in order).

import { ApbError } from "@apb/core";
import type { Rng } from "./rng.js";
import * as W from "./words.js";

export const TEMPLATES: readonly string[] = [
  "The {adj} {noun} {vt} the {noun} {prep} the {place}.",
  "{A_noun} {vi} {adv} in the {time}.",
  "In the {time}, the {role} {vt} {a_adj} {noun}.",
  "Nobody expected the {noun} to {vtb} the {adj} {noun}.",
  "Some say that the {adj} {noun} once {vt} every {noun} in the {place}.",
  "The {noun} was {adj} and {adj}, so the {role} {vi} {adv}.",
  "Near the {place}, {a_adj} {noun} {vi}.",
  "It was {a_adj} {time}, and the {noun} {vi} {prep} the {place}.",
  "The {role} of the {place} {vt} the {noun} at {time}.",
  "Why the {role} {vt} the {noun} is still a mystery to the {role}.",
  "Every {noun} in the {place} {vi} {adv} while the {adj} {role} watched.",
  "The {role} and the {role} {vt} the {noun} together.",
  "There was {a_adj} {noun} {prep} the {place}, and it {vi} {adv}.",
  "When the {noun} {vi}, the {adj} {role} {vt} the {noun}.",
  "The old {noun} {vi} {adv}, and then the {role} {vt} it.",
  "The {role} {vi} because the {noun} {vt} the {adj} {noun}.",
  "No one in the {place} remembered the {adj} {noun}.",
  "Later that {time}, the {role} decided to {vtb} the {noun}.",
  "The {noun} {prep} the {place} looked {adj} to the {role}.",
  "{A_adj} {role} {vt} {a_noun} and {a_noun}.",
  "Each {time} the {role} would {vtb} the {adj} {noun} {adv}.",
  "The {place} smelled of {noun} and {adj} {noun}.",
  "Beyond the {place}, the {noun} {vi} {adv}.",
  "The {adj} {role} said that the {noun} {vi} {prep} the {place}.",
];

/** `"an " + w` when w starts with a vowel letter (any case), else `"a " + w`. */
export function article(word: string): string {
  return ("aeiou".includes(word[0]!.toLowerCase()) ? "an " : "a ") + word;
}

const PLAIN_SLOTS: Readonly<Record<string, (rng: Rng) => string>> = {
  adj: (r) => r.choice(W.ADJS),
  noun: (r) => r.choice(W.NOUNS),
  vt: (r) => r.choice(W.VERBS_T)[1],
  vtb: (r) => r.choice(W.VERBS_T)[0],
  vi: (r) => r.choice(W.VERBS_I)[1],
  adv: (r) => r.choice(W.ADVS),
  prep: (r) => r.choice(W.PREPS),
  place: (r) => r.choice(W.PLACES),
  time: (r) => r.choice(W.TIMES),
  role: (r) => r.choice(W.ROLES),
};

function slot(rng: Rng, name: string): string {
  if (name === "a_adj" || name === "A_adj" || name === "a_noun" || name === "A_noun") {
    const w = article(slot(rng, name.slice(2)));
    return name[0] === "A" ? w[0]!.toUpperCase() + w.slice(1) : w;
  }
  const draw = PLAIN_SLOTS[name];
  if (draw === undefined) throw new ApbError("INTERNAL", `unknown template slot {${name}}`);
  return draw(rng);
}

interface Parsed {
  /** Literal text around the slots: parts.length === slots.length + 1. */
  readonly parts: readonly string[];
  readonly slots: readonly string[];
}

function parse(t: string): Parsed {
  const parts: string[] = [];
  const slots: string[] = [];
  let i = 0;
  for (;;) {
    const j = t.indexOf("{", i);
    if (j < 0) {
      parts.push(t.slice(i));
      return { parts, slots };
    }
    const k = t.indexOf("}", j);
    parts.push(t.slice(i, j));
    slots.push(t.slice(j + 1, k));
    i = k + 1;
  }
}

const PARSED: readonly Parsed[] = TEMPLATES.map(parse);

/** One filler sentence: a template (below(24)), then its slots left to right. */
export function fillerSentence(rng: Rng): string {
  const { parts, slots } = PARSED[rng.below(PARSED.length)]!;
  let out = parts[0]!;
  for (let i = 0; i < slots.length; i++) out += slot(rng, slots[i]!) + parts[i + 1]!;
  return out;
}
