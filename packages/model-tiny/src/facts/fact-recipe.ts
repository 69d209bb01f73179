// The shipped model's fact task as a recipe for real text: find candidate entities, ask one question per
// entity in the format the model was trained on, parse the `(subject; relation; object)` lines it answers.

/** One extracted fact. */
export interface Triple {
  readonly subject: string;
  readonly relation: string;
  readonly object: string;
}

/** A candidate entity and where it occurs (UTF-16 offsets into the text). */
export interface EntityMention {
  readonly name: string;
  readonly offsets: readonly number[];
}

/** Capitalised words that start sentences or clauses and so never begin a name. */
const NOT_A_FIRST_NAME = new Set(["The", "A", "An", "In", "On", "At", "It", "There", "When", "Why", "Near", "Beyond", "Every", "Each", "Some", "No", "Nobody", "Later", "According", "Interestingly", "Rumor", "As", "By", "This", "That", "What", "Question", "Answer"]);

const NAME = /\b(\p{Lu}\p{Ll}+)(?: (\p{Lu}\p{Ll}+))+\b/gu;

/**
 * Candidate entities: runs of two or more capitalised words (person names in the shipped model's data), in
 * order of first mention, each with the offsets of all its mentions. A run whose first word is a common
 * sentence opener is cut after that word.
 */
export function candidateEntities(text: string): EntityMention[] {
  const found = new Map<string, number[]>();
  for (const m of text.matchAll(NAME)) {
    let name = m[0];
    let at = m.index;
    const first = m[1]!;
    if (NOT_A_FIRST_NAME.has(first)) {
      name = name.slice(first.length + 1);
      at += first.length + 1;
      if (!name.includes(" ")) continue;
    }
    const list = found.get(name);
    if (list) list.push(at);
    else found.set(name, [at]);
  }
  return [...found].map(([name, offsets]) => ({ name, offsets }));
}

/** The question the shipped model answers with the facts about one entity. */
export const factQuestion = (entity: string): string => `What does the text say about ${entity}?`;

const TRIPLE_LINE = /^\s*\(([^;()]+);([^;()]+);([^;()]+)\)\s*$/;

/** Parses `(subject; relation; object)` lines; lines in another shape are skipped. */
export function parseTriples(answer: string): Triple[] {
  const out: Triple[] = [];
  for (const line of answer.split("\n")) {
    const m = TRIPLE_LINE.exec(line);
    if (!m) continue;
    const [subject, relation, object] = [m[1]!.trim(), m[2]!.trim(), m[3]!.trim()];
    if (subject && relation && object) out.push({ subject, relation, object });
  }
  return out;
}

/** `(s; r; o)`, the format the model writes. */
export const formatTriple = (t: Triple): string => `(${t.subject}; ${t.relation}; ${t.object})`;
