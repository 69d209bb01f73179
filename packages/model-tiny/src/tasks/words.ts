// The generator's word lists, loaded verbatim from words.json (written from tools/train/words.py by
// `python3 tools/train/export_samples.py --words ...`). Their ORDER is part of the data format.

import data from "./words.json" with { type: "json" };

type Pair = readonly [base: string, past: string];

function pairs(lists: readonly (readonly string[])[]): readonly Pair[] {
  return lists.map((p) => [p[0]!, p[1]!] as const);
}

export const NOUNS: readonly string[] = data.NOUNS;
export const ADJS: readonly string[] = data.ADJS;
/** Transitive verbs as (base form, past tense). */
export const VERBS_T: readonly Pair[] = pairs(data.VERBS_T);
/** Intransitive verbs as (base form, past tense). */
export const VERBS_I: readonly Pair[] = pairs(data.VERBS_I);
export const ADVS: readonly string[] = data.ADVS;
export const PLACES: readonly string[] = data.PLACES;
export const TIMES: readonly string[] = data.TIMES;
export const PREPS: readonly string[] = data.PREPS;
export const ROLES: readonly string[] = data.ROLES;
export const FIRST_NAMES: readonly string[] = data.FIRST_NAMES;
export const LAST_NAMES: readonly string[] = data.LAST_NAMES;
export const CITIES: readonly string[] = data.CITIES;
export const JOBS: readonly string[] = data.JOBS;
export const LANGUAGES: readonly string[] = data.LANGUAGES;
export const INSTRUMENTS: readonly string[] = data.INSTRUMENTS;
export const COLORS: readonly string[] = data.COLORS;
export const ANIMALS: readonly string[] = data.ANIMALS;
export const SUBJECTS: readonly string[] = data.SUBJECTS;
export const COLLECTIBLES: readonly string[] = data.COLLECTIBLES;
