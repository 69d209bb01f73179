// Task content of the data format v3 (datagen.py content_* for the eval settings): the needle sentences grouped
// for scattering, and the question / answer / lookup prefix. The draws happen in datagen.py's order.

import { article } from "./grammar.js";
import type { Rng } from "./rng.js";
import type { Task } from "./types.js";
import * as W from "./words.js";

/** Needle sentences in groups (a group's sentences keep their order in the document) and the question. */
export interface Content {
  readonly groups: readonly (readonly string[])[];
  readonly question: string;
  readonly answer: string;
  readonly lookupPrefix: string;
  /** kv: the needle's key, which filler pairs must not reuse. */
  readonly usedKeys?: readonly string[];
}

export const INTROS = {
  niah: "Some special magic numbers are hidden inside the following text. Remember them.",
  kv: "Below is a list of keys and their values. Every key is unique.",
  vt: "Follow the variable assignments hidden in the following text.",
  facts: "The following text mentions several people and facts about them.",
} as const;

export const FACT_OPENERS: readonly string[] = ["", "", "", "According to the records, ", "It is known that ", "Interestingly, ", "The notes say that ", "By all accounts, ", "As everyone in town knows, ", "Rumor has it that "];

export const number5 = (rng: Rng): string => String(10000 + rng.below(90000));
export const niahKey = (rng: Rng): string => rng.choice(W.ADJS) + "-" + rng.choice(W.NOUNS);
export const kvKey = (rng: Rng): string => rng.choice(W.NOUNS) + "-" + rng.choice(W.NOUNS);
export const person = (rng: Rng): string => rng.choice(W.FIRST_NAMES) + " " + rng.choice(W.LAST_NAMES);
export const kvPair = (key: string, value: string): string => `${key}=${value},`;

/** Whether `key` ("a-b") has a word in common with any of `keys` (v3: the key's last word alone tells needles apart). */
export function sharesWord(key: string, keys: readonly string[]): boolean {
  const [a, b] = key.split("-") as [string, string];
  return keys.some((k) => {
    const parts = k.split("-");
    return parts.includes(a) || parts.includes(b);
  });
}

/** Relation phrase (verbatim in sentence and triple) and its object generator, in datagen.py's order. */
export const RELATIONS: readonly (readonly [string, (rng: Rng) => string])[] = [
  ["lives in", (r) => r.choice(W.CITIES)],
  ["grew up in", (r) => r.choice(W.CITIES)],
  ["works as", (r) => article(r.choice(W.JOBS))],
  ["was born in", (r) => String(1940 + r.below(70))],
  ["speaks", (r) => r.choice(W.LANGUAGES)],
  ["plays", (r) => "the " + r.choice(W.INSTRUMENTS)],
  ["owns", (r) => article(r.choice(W.COLORS) + " " + r.choice(W.ANIMALS))],
  ["studied", (r) => r.choice(W.SUBJECTS)],
  ["collects", (r) => r.choice(W.COLLECTIBLES)],
  ["is friends with", person],
];

/** Eval setting of the multi-needle NIAH tasks. */
const NIAH_NEEDLES = 4;
const VT_CHAINS = 2;
const VT_VARS = 5;

const magic = (key: string, value: string): string => `One of the special magic numbers is ${key}=${value}.`;

function distinctKeys(rng: Rng, n: number): { keys: string[]; values: string[] } {
  const keys: string[] = [];
  const values: string[] = [];
  while (keys.length < n) {
    const k = niahKey(rng);
    if (!sharesWord(k, keys)) {
      keys.push(k);
      values.push(number5(rng));
    }
  }
  return { keys, values };
}

function niahSingle(rng: Rng): Content {
  const key = niahKey(rng);
  const value = number5(rng);
  return { groups: [[magic(key, value)]], question: `What is the special magic number for ${key}?`, answer: `${key}=${value}`, lookupPrefix: `${key}=` };
}

function niahMultivalue(rng: Rng): Content {
  const key = niahKey(rng);
  const values: string[] = [];
  while (values.length < NIAH_NEEDLES) {
    const v = number5(rng);
    if (!values.includes(v)) values.push(v);
  }
  return { groups: [values.map((v) => magic(key, v))], question: `What are all the special magic numbers for ${key}?`, answer: values.join(", "), lookupPrefix: "" };
}

function niahMultikey(rng: Rng): Content {
  const { keys, values } = distinctKeys(rng, NIAH_NEEDLES);
  const q = rng.below(NIAH_NEEDLES);
  const key = keys[q]!;
  return { groups: keys.map((k, i) => [magic(k, values[i]!)]), question: `What is the special magic number for ${key}?`, answer: `${key}=${values[q]}`, lookupPrefix: `${key}=` };
}

function niahMultiquery(rng: Rng): Content {
  const { keys, values } = distinctKeys(rng, NIAH_NEEDLES);
  const [a, b] = rng.sample([0, 1, 2, 3], 2) as [number, number];
  return {
    groups: keys.map((k, i) => [magic(k, values[i]!)]),
    question: `What are the special magic numbers for ${keys[a]} and ${keys[b]}?`,
    answer: `${keys[a]}=${values[a]}, ${keys[b]}=${values[b]}`,
    lookupPrefix: `${keys[a]}=`,
  };
}

function kvContent(rng: Rng): Content {
  let key = kvKey(rng);
  while (key.split("-")[0] === key.split("-")[1]) key = kvKey(rng);
  const value = number5(rng);
  return { groups: [[kvPair(key, value)]], question: `What is the value of the key ${key}?`, answer: `${key}=${value}`, lookupPrefix: `${key}=`, usedKeys: [key] };
}

function varName(rng: Rng): string {
  let s = "";
  for (let i = 0; i < 4; i++) s += String.fromCharCode(65 + rng.below(26));
  return s;
}

function vtContent(rng: Rng): Content {
  const names: string[] = [];
  const values: string[] = [];
  const chains: string[][] = [];
  for (let c = 0; c < VT_CHAINS; c++) {
    let v = number5(rng);
    while (values.includes(v)) v = number5(rng);
    values.push(v);
    const chain: string[] = [];
    while (chain.length < VT_VARS) {
      const nm = varName(rng);
      if (!names.includes(nm)) {
        names.push(nm);
        chain.push(nm);
      }
    }
    chains.push(chain);
  }
  const groups = chains.map((c, i) => c.map((nm, j) => `Assign ${j === 0 ? values[i] : c[j - 1]} => ${nm}.`));
  const v0 = values[0]!;
  return { groups, question: `Which variables receive the value ${v0}?`, answer: [v0, ...chains[0]!].join(" => "), lookupPrefix: `${v0} =>` };
}

type Fact = readonly [subject: string, relation: string, object: string];

function factsOf(rng: Rng, numEntities: number): { people: string[]; facts: Fact[] } {
  const people: string[] = [];
  while (people.length < numEntities) {
    const p = person(rng);
    if (!people.includes(p)) people.push(p);
  }
  const facts: Fact[] = [];
  people.forEach((p, i) => {
    const k = i === 0 ? 2 + rng.below(3) : 1 + rng.below(4);
    for (const r of rng.sample([...RELATIONS.keys()], k)) {
      const [rel, gen] = RELATIONS[r]!;
      let obj = gen(rng);
      while (obj === p) obj = gen(rng);
      facts.push([p, rel, obj]);
    }
  });
  return { people, facts };
}

function factsContent(rng: Rng, target: number): Content {
  const { people, facts } = factsOf(rng, Math.max(2, Math.min(12, 1 + Math.floor(target / 1024))));
  const docFacts = rng.shuffle([...facts.keys()]).map((i) => facts[i]!);
  const sentences = docFacts.map((f) => rng.choice(FACT_OPENERS) + `${f[0]} ${f[1]} ${f[2]}.`);
  const p0 = people[0]!;
  const answer = docFacts.filter((f) => f[0] === p0).map((f) => `(${f[0]}; ${f[1]}; ${f[2]})`).join("\n");
  return { groups: [sentences], question: `What does the text say about ${p0}?`, answer, lookupPrefix: `(${p0};` };
}

/** The content of one eval-format sample (every draw from `rng`, in datagen.py's order). */
export function taskContent(task: Task, rng: Rng, target: number): Content {
  switch (task) {
    case "niah_single":
      return niahSingle(rng);
    case "niah_multikey":
      return niahMultikey(rng);
    case "niah_multivalue":
      return niahMultivalue(rng);
    case "niah_multiquery":
      return niahMultiquery(rng);
    case "kv":
      return kvContent(rng);
    case "vt":
      return vtContent(rng);
    case "facts":
      return factsContent(rng, target);
  }
}

/** The intro sentence of a task's documents. */
export function introOf(task: Task): string {
  return task.startsWith("niah") ? INTROS.niah : INTROS[task as "kv" | "vt" | "facts"];
}
