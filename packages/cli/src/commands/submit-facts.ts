// `apb submit --task facts`: the shipped model's fact recipe over a corpus flow. Each document is asked about every
// candidate entity it names (one prefill per document, the questions in order); the answers parse into triples.

import { PAYLOAD_LIMITS } from "@apb/jobs";
import type { CorpusResult } from "@apb/jobs";
import { EOS_ID, QUERY_PREFIX, QUERY_SUFFIX, candidateEntities, factQuestion, formatTriple, parseTriples } from "@apb/model-tiny";
import type { Triple } from "@apb/model-tiny";

/** The question about one entity, in the query format the shipped model was trained on. */
export function factsQuestionText(entity: string): string {
  return QUERY_PREFIX + factQuestion(entity) + QUERY_SUFFIX;
}

/** Sampling additions of the recipe: an answer ends at a blank line or the end-of-sequence token. */
export const FACTS_STOPS = { stopStrings: ["\n\n"], stopTokenIds: [EOS_ID] };

/** What `--task facts` submits. */
export interface FactsPlan {
  /** Documents naming at least one candidate entity, each with its questions. */
  readonly documents: readonly { readonly id: string; readonly text: string; readonly questions: string[] }[];
  /** Every document's entities in question order (empty for a document naming none: it is not submitted). */
  readonly entities: ReadonlyMap<string, readonly string[]>;
  /** Documents naming more candidates than a job asks (PAYLOAD_LIMITS.maxQuestionsPerDocument): the first are asked. */
  readonly truncated: readonly string[];
}

export function planFacts(documents: readonly { readonly id: string; readonly text: string }[]): FactsPlan {
  const max = PAYLOAD_LIMITS.maxQuestionsPerDocument;
  const entities = new Map<string, readonly string[]>();
  const truncated: string[] = [];
  const asked: FactsPlan["documents"][number][] = [];
  for (const d of documents) {
    const names = candidateEntities(d.text).map((e) => e.name);
    if (names.length > max) truncated.push(d.id);
    const kept = names.slice(0, max);
    entities.set(d.id, kept);
    if (kept.length > 0) asked.push({ id: d.id, text: d.text, questions: kept.map(factsQuestionText) });
  }
  return { documents: asked, entities, truncated };
}

/** One document's facts. */
export interface FactsDocument {
  readonly docId: string;
  /** The group that ran it (absent for a document naming no entity). */
  readonly group?: string;
  readonly answers: readonly { readonly entity: string; readonly text: string | null; readonly triples: readonly Triple[] }[];
  /** Every answer's triples, in entity order. */
  readonly triples: readonly Triple[];
}

/** What `apb submit --task facts --follow` prints (--json: as is). */
export interface FactsReport {
  readonly task: "facts";
  readonly jobId: string;
  /** In the corpus's document order, documents without entities included. */
  readonly documents: readonly FactsDocument[];
  readonly numTriples: number;
}

export function factsReport(plan: FactsPlan, r: CorpusResult): FactsReport {
  const byDoc = new Map(r.results.map((x) => [x.docId, x]));
  const documents = [...plan.entities].map(([docId, entities]): FactsDocument => {
    const result = byDoc.get(docId);
    const answers = (result?.answers ?? []).map((a, i) => ({ entity: entities[i]!, text: a.text, triples: parseTriples(a.text ?? "") }));
    return { docId, ...(result === undefined ? {} : { group: result.group }), answers, triples: answers.flatMap((a) => a.triples) };
  });
  return { task: "facts", jobId: r.jobId, documents, numTriples: documents.reduce((n, d) => n + d.triples.length, 0) };
}

/** The report as text: a line per document, then its triples. */
export function formatFactsReport(rep: FactsReport): string {
  const lines: string[] = [];
  for (const d of rep.documents) {
    lines.push(`${d.docId}: ${d.triples.length} triple(s) from ${d.answers.length} entit${d.answers.length === 1 ? "y" : "ies"}`);
    for (const t of d.triples) lines.push(`  ${formatTriple(t)}`);
  }
  return `${lines.join("\n")}\n`;
}
