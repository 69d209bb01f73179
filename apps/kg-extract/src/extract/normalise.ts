// Entity and relation normalisation: the keys under which mentions, subjects and objects merge into one graph node
// (case, whitespace, Unicode form, surrounding punctuation and a leading article do not make a new node).

/** Display form: NFKC, whitespace runs collapsed, surrounding quotes and trailing punctuation removed. */
export function cleanName(raw: string): string {
  return raw
    .normalize("NFKC")
    .replace(/\s+/gu, " ")
    .replace(/^[\s"'“”‘’`]+/u, "")
    .replace(/[\s"'“”‘’`.,;:!?]+$/u, "");
}

const LEADING_ARTICLE = /^(?:a|an|the) (?=\S)/u;

/**
 * Merge key of an entity: the clean name in lower case without a leading article, so `Mira  Lund`, `mira lund` and
 * `Mira Lund.` are one node, and `a teacher` / `the teacher` one value. Empty for a name with no letters or digits.
 */
export function entityKey(raw: string): string {
  const key = cleanName(raw).toLowerCase().replace(LEADING_ARTICLE, "");
  return /[\p{L}\p{N}]/u.test(key) ? key : "";
}

/** Merge key of a relation: lower case, whitespace collapsed (`Lives  In` = `lives in`). */
export function relationKey(raw: string): string {
  return cleanName(raw).toLowerCase();
}

/** One `(subject; relation; object)` in key space: what "the same fact" means for dedup and for scoring. */
export function tripleKey(t: { readonly subject: string; readonly relation: string; readonly object: string }): string {
  return `${entityKey(t.subject)}\u0000${relationKey(t.relation)}\u0000${entityKey(t.object)}`;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Where `name` occurs in `text`: UTF-16 [start, end) spans, case-insensitive, any whitespace between its words,
 * on word boundaries. Used for provenance of objects and for the grounding check.
 */
export function findMentions(text: string, name: string): { start: number; end: number }[] {
  const words = cleanName(name).split(" ").filter((w) => w !== "");
  if (words.length === 0) return [];
  const re = new RegExp(`(?<![\\p{L}\\p{N}])${words.map(escapeRegExp).join("\\s+")}(?![\\p{L}\\p{N}])`, "giu");
  return [...text.matchAll(re)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
}
