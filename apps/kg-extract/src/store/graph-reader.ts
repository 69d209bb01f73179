// Reads a whole graph out of a database (in one read transaction, so an export never sees half a document).

import type Database from "better-sqlite3";
import type { DocumentStatus, GraphData, GraphDocument, GraphEdge, GraphMention, GraphNode, GraphSource } from "./graph-types.js";

interface DocRow {
  id: number;
  doc_key: string;
  path: string;
  content_hash: string;
  status: DocumentStatus;
  num_chars: number;
  num_entities: number;
  num_questions: number;
  num_triples: number;
  num_prompt_tokens: number;
  num_generated_tokens: number;
  error_code: string | null;
  error_message: string | null;
  updated_at: string;
}

function toDocument(r: DocRow): GraphDocument {
  return {
    key: r.doc_key,
    path: r.path,
    hash: r.content_hash,
    status: r.status,
    numChars: r.num_chars,
    numEntities: r.num_entities,
    numQuestions: r.num_questions,
    numTriples: r.num_triples,
    numPromptTokens: r.num_prompt_tokens,
    numGeneratedTokens: r.num_generated_tokens,
    error: r.error_code === null ? null : { code: r.error_code, message: r.error_message ?? "" },
    updatedAt: r.updated_at,
  };
}

function groupBy<T>(rows: readonly T[], key: (r: T) => number): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const r of rows) {
    const list = out.get(key(r));
    if (list === undefined) out.set(key(r), [r]);
    else list.push(r);
  }
  return out;
}

function readNodes(db: Database.Database, docKey: Map<number, string>): GraphNode[] {
  const mentions = db.prepare("SELECT entity_id, document_id, start, end, kind FROM mentions ORDER BY entity_id, document_id, start").all() as { entity_id: number; document_id: number; start: number; end: number; kind: "name" | "object" }[];
  const byEntity = groupBy(mentions, (m) => m.entity_id);
  const subjects = new Set((db.prepare("SELECT DISTINCT subject_id FROM triples").all() as { subject_id: number }[]).map((r) => r.subject_id));
  const rows = db.prepare("SELECT id, entity_key, name FROM entities ORDER BY id").all() as { id: number; entity_key: string; name: string }[];
  return rows.map((e) => {
    const ms: GraphMention[] = (byEntity.get(e.id) ?? []).map((m) => ({ doc: docKey.get(m.document_id)!, start: m.start, end: m.end, kind: m.kind }));
    const named = subjects.has(e.id) || ms.some((m) => m.kind === "name");
    return { id: e.id, key: e.entity_key, name: e.name, kind: named ? "entity" : "value", mentions: ms };
  });
}

function readEdges(db: Database.Database, docKey: Map<number, string>): GraphEdge[] {
  const sources = db.prepare("SELECT triple_id, document_id, asked_entity, subject_start, object_start, object_end FROM triple_sources ORDER BY triple_id, document_id").all() as {
    triple_id: number;
    document_id: number;
    asked_entity: string;
    subject_start: number | null;
    object_start: number | null;
    object_end: number | null;
  }[];
  const byTriple = groupBy(sources, (s) => s.triple_id);
  const rows = db.prepare("SELECT id, subject_id, relation, relation_key, object_id FROM triples ORDER BY id").all() as { id: number; subject_id: number; relation: string; relation_key: string; object_id: number }[];
  return rows.map((t) => ({
    id: t.id,
    source: t.subject_id,
    target: t.object_id,
    relation: t.relation,
    relationKey: t.relation_key,
    sources: (byTriple.get(t.id) ?? []).map((s): GraphSource => ({ doc: docKey.get(s.document_id)!, askedEntity: s.asked_entity, subjectStart: s.subject_start, objectStart: s.object_start, objectEnd: s.object_end })),
  }));
}

/** The whole graph, consistent with one point in time. */
export function readGraph(db: Database.Database): GraphData {
  return db.transaction(() => {
    const docs = db.prepare("SELECT * FROM documents ORDER BY id").all() as DocRow[];
    const docKey = new Map(docs.map((d) => [d.id, d.doc_key]));
    return { nodes: readNodes(db, docKey), edges: readEdges(db, docKey), documents: docs.map(toDocument) };
  })();
}
