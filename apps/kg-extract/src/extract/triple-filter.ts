// From one answer to kept triples: parse the `(s; r; o)` lines, clean them, verify them against the asked entity and
// the text, and attach provenance (the object occurrence nearest after a subject mention).

import { parseTriples } from "@apb/model-tiny";
import type { TripleRecord, VerifyLevel } from "./extraction-types.js";
import { cleanName, entityKey, findMentions, relationKey } from "./normalise.js";

interface Span {
  readonly start: number;
  readonly end: number;
}

/** Pairs further apart than this never count as one sentence, whatever the punctuation. */
const MAX_SENTENCE_CHARS = 600;

/** True when no sentence end (`.`, `!`, `?` before a space, or a blank line) lies between the two spans. */
function sameSentence(text: string, a: Span, b: Span): boolean {
  const [first, second] = a.start <= b.start ? [a, b] : [b, a];
  if (second.start - first.end > MAX_SENTENCE_CHARS) return false;
  return !/[.!?](?=\s)|\n\s*\n/u.test(text.slice(first.end, second.start));
}

/** The subject/object pair that is closest (an object after its subject wins ties), and whether it shares a sentence. */
function evidence(text: string, subjects: readonly Span[], objects: readonly Span[]): { subject: Span | undefined; object: Span | undefined; together: boolean } {
  if (objects.length === 0 || subjects.length === 0) return { subject: subjects[0], object: objects[0], together: false };
  let best = { subject: subjects[0]!, object: objects[0]!, score: Infinity, together: false };
  for (const s of subjects) {
    for (const o of objects) {
      const together = sameSentence(text, s, o);
      const distance = o.start >= s.end ? o.start - s.end : 2 * (s.start - o.end) + 1;
      const score = (together ? 0 : 1e9) + distance;
      if (score < best.score) best = { subject: s, object: o, score, together };
    }
  }
  return best;
}

export interface FilterContext {
  readonly text: string;
  /** The asked entity's name and key. */
  readonly entity: string;
  readonly entityKey: string;
  readonly verify: VerifyLevel;
}

function passes(verify: VerifyLevel, aboutEntity: boolean, ev: { object: Span | undefined; together: boolean }): boolean {
  switch (verify) {
    case "none":
      return true;
    case "subject":
      return aboutEntity;
    case "object":
      return aboutEntity && ev.object !== undefined;
    case "sentence":
      return aboutEntity && ev.together;
  }
}

/** Kept triples of one answer and the number of parsed lines dropped. */
export function filterTriples(answer: string, c: FilterContext): { kept: TripleRecord[]; numDropped: number } {
  const kept: TripleRecord[] = [];
  let numDropped = 0;
  for (const t of parseTriples(answer)) {
    const [subject, relation, object] = [cleanName(t.subject), cleanName(t.relation), cleanName(t.object)];
    const [sk, rk, ok] = [entityKey(subject), relationKey(relation), entityKey(object)];
    const wellFormed = sk !== "" && rk !== "" && ok !== "" && sk !== ok;
    const ev = evidence(c.text, findMentions(c.text, subject), findMentions(c.text, object));
    if (!wellFormed || !passes(c.verify, sk === c.entityKey, ev)) {
      numDropped++;
      continue;
    }
    kept.push({
      subject,
      subjectKey: sk,
      relation,
      relationKey: rk,
      object,
      objectKey: ok,
      askedEntity: c.entity,
      subjectStart: ev.subject?.start,
      objectStart: ev.object?.start,
      objectEnd: ev.object?.end,
    });
  }
  return { kept, numDropped };
}
