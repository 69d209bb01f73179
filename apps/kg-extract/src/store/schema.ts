// The SQLite schema of a graph database: documents (content hash + status, for resuming), entities (one row per
// merge key), their mentions, triples (unique per subject/relation/object) and each triple's sources (provenance).

/** `PRAGMA application_id` of a kg-extract database ("KGx1"), so another SQLite file is refused, not altered. */
export const APPLICATION_ID = 0x4b477831;
/** `PRAGMA user_version`: bumped with every incompatible schema change. */
export const SCHEMA_VERSION = 1;

export const SCHEMA_SQL = `
CREATE TABLE documents (
  id INTEGER PRIMARY KEY,
  doc_key TEXT NOT NULL UNIQUE,          -- corpus-relative path, plus #id for a .jsonl line
  path TEXT NOT NULL,                    -- corpus-relative file path
  content_hash TEXT NOT NULL,            -- sha256 of the text; a changed document is extracted again
  status TEXT NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
  num_chars INTEGER NOT NULL,
  num_entities INTEGER NOT NULL DEFAULT 0,
  num_questions INTEGER NOT NULL DEFAULT 0,
  num_triples INTEGER NOT NULL DEFAULT 0,
  num_prompt_tokens INTEGER NOT NULL DEFAULT 0,
  num_generated_tokens INTEGER NOT NULL DEFAULT 0,
  error_code TEXT,
  error_message TEXT,
  updated_at TEXT NOT NULL
);
CREATE TABLE entities (
  id INTEGER PRIMARY KEY,
  entity_key TEXT NOT NULL UNIQUE,       -- normalised name: the merge key
  name TEXT NOT NULL                     -- first spelling seen
);
CREATE TABLE mentions (
  entity_id INTEGER NOT NULL REFERENCES entities(id),
  document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  start INTEGER NOT NULL,                -- UTF-16 offsets into the document text, [start, end)
  end INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('name', 'object')),
  PRIMARY KEY (entity_id, document_id, start)
);
CREATE TABLE triples (
  id INTEGER PRIMARY KEY,
  subject_id INTEGER NOT NULL REFERENCES entities(id),
  relation_key TEXT NOT NULL,
  relation TEXT NOT NULL,                -- first spelling seen
  object_id INTEGER NOT NULL REFERENCES entities(id),
  UNIQUE (subject_id, relation_key, object_id)
);
CREATE TABLE triple_sources (
  triple_id INTEGER NOT NULL REFERENCES triples(id),
  document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  asked_entity TEXT NOT NULL,            -- the candidate whose question produced the triple
  subject_start INTEGER,                 -- the subject mention next to the evidence (NULL: not found in the text)
  object_start INTEGER,
  object_end INTEGER,
  PRIMARY KEY (triple_id, document_id)
);
CREATE INDEX mentions_by_document ON mentions(document_id);
CREATE INDEX sources_by_document ON triple_sources(document_id);
CREATE INDEX triples_by_object ON triples(object_id);
`;

/** Triples no document supports any more, then entities nothing refers to (after a changed document was reset). */
export const GC_SQL = `
DELETE FROM triples WHERE id NOT IN (SELECT triple_id FROM triple_sources);
DELETE FROM entities WHERE id NOT IN (SELECT entity_id FROM mentions)
  AND id NOT IN (SELECT subject_id FROM triples) AND id NOT IN (SELECT object_id FROM triples);
`;
