// The graph database (better-sqlite3, WAL): registers a corpus, saves each document's extraction in ONE transaction
// (a crash loses no finished document and leaves no half of one), and never duplicates (unique keys, upserts).

import { existsSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { DocumentExtraction } from "../extract/index.js";
import { StoreError } from "../errors/index.js";
import { readGraph } from "./graph-reader.js";
import type { DocumentRef, DocumentStatus, GraphData, RunPlan, StoreCounts } from "./graph-types.js";
import { APPLICATION_ID, GC_SQL, SCHEMA_SQL, SCHEMA_VERSION } from "./schema.js";

const now = (): string => new Date().toISOString();

function storeFailure(file: string, err: unknown): StoreError {
  const code = (err as { code?: unknown }).code;
  if (code === "SQLITE_NOTADB" || code === "SQLITE_CORRUPT") return new StoreError("INPUT_INVALID", `${file} is not a SQLite database; give another --db FILE`, { cause: err });
  return new StoreError("INTERNAL", `SQLite failed on ${file}: ${(err as Error).message}`, { cause: err, data: { sqliteCode: String(code) } });
}

/** Creates the schema in a new file, or checks that an existing one is a kg-extract database of this version. */
function prepareSchema(db: Database.Database, file: string, readonly: boolean): void {
  const appId = db.pragma("application_id", { simple: true }) as number;
  const version = db.pragma("user_version", { simple: true }) as number;
  const numTables = (db.prepare("SELECT count(*) AS n FROM sqlite_master").get() as { n: number }).n;
  if (appId === 0 && numTables === 0 && readonly) throw new StoreError("INPUT_INVALID", `${file} is empty: run \`kg-extract run --db ${file}\` first`, { data: { file } });
  if (appId === 0 && numTables === 0) {
    db.transaction(() => {
      db.exec(SCHEMA_SQL);
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    })();
    return;
  }
  if (appId !== APPLICATION_ID) throw new StoreError("INPUT_INVALID", `${file} is a SQLite database of another program; give a new --db FILE`, { data: { file } });
  if (version !== SCHEMA_VERSION) throw new StoreError("INPUT_INVALID", `${file} has schema version ${version}; this kg-extract writes version ${SCHEMA_VERSION}. Extract into a new --db FILE`, { data: { file, version } });
}

export class GraphStore {
  private constructor(
    private readonly db: Database.Database,
    readonly file: string,
  ) {}

  /**
   * Opens (or creates) a graph database.
   * @throws StoreError INPUT_INVALID for a file that is not a kg-extract database of this schema version, INTERNAL for I/O failures
   */
  static open(file: string, opts: { readonly?: boolean } = {}): GraphStore {
    GraphStore.checkPath(file, opts);
    let db: Database.Database | undefined;
    try {
      db = new Database(file, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
      if (!opts.readonly) {
        db.pragma("journal_mode = WAL"); // readers (export, view) never block the writer; a killed writer loses nothing committed
        db.pragma("synchronous = NORMAL"); // durable against a process crash; a power loss may drop the last commits
      }
      db.pragma("foreign_keys = ON");
      db.pragma("busy_timeout = 5000");
      prepareSchema(db, file, opts.readonly ?? false);
      return new GraphStore(db, file);
    } catch (err) {
      db?.close();
      if (err instanceof StoreError) throw err;
      if ((err as { code?: unknown }).code === "SQLITE_CANTOPEN") throw new StoreError("INPUT_INVALID", `cannot open ${file}: ${(err as Error).message}`, { cause: err });
      throw storeFailure(file, err);
    }
  }

  /**
   * Checks, without touching anything, that `file` can be opened: it exists (read-only) or its folder does.
   * @throws StoreError INPUT_INVALID naming the problem
   */
  static checkPath(file: string, opts: { readonly?: boolean } = {}): void {
    if (file === ":memory:") return;
    if (opts.readonly && !existsSync(file)) throw new StoreError("INPUT_INVALID", `there is no database at ${file}; create it with \`kg-extract run --db ${file}\``, { data: { file } });
    if (!existsSync(dirname(file))) throw new StoreError("INPUT_INVALID", `cannot create ${file}: the folder ${dirname(file)} does not exist`, { data: { file } });
  }

  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw err instanceof StoreError ? err : storeFailure(this.file, err);
    }
  }

  /**
   * Registers the corpus: new documents become pending; a finished document whose hash changed loses its results and
   * becomes pending again; documents no longer in the corpus are kept. Returns what the run has to process.
   * @throws StoreError INTERNAL on a SQLite failure
   */
  planRun(docs: readonly DocumentRef[]): RunPlan {
    return this.guard(() =>
      this.db.transaction(() => {
        const find = this.db.prepare("SELECT id, content_hash AS hash, status FROM documents WHERE doc_key = ?");
        const insert = this.db.prepare("INSERT INTO documents (doc_key, path, content_hash, status, num_chars, updated_at) VALUES (?, ?, ?, 'pending', ?, ?)");
        const reset = this.db.prepare("UPDATE documents SET path = ?, content_hash = ?, status = 'pending', num_chars = ?, num_entities = 0, num_questions = 0, num_triples = 0, num_prompt_tokens = 0, num_generated_tokens = 0, error_code = NULL, error_message = NULL, updated_at = ? WHERE id = ?");
        const toProcess: string[] = [];
        let [numDone, numNew, numChanged] = [0, 0, 0];
        for (const d of docs) {
          const row = find.get(d.key) as { id: number; hash: string; status: DocumentStatus } | undefined;
          if (row === undefined) {
            insert.run(d.key, d.path, d.hash, d.numChars, now());
            numNew++;
          } else if (row.hash !== d.hash) {
            this.clearResults(row.id);
            reset.run(d.path, d.hash, d.numChars, now(), row.id);
            numChanged++;
          } else if (row.status === "done") {
            numDone++;
            continue;
          }
          toProcess.push(d.key);
        }
        if (numChanged > 0) this.db.exec(GC_SQL);
        return { toProcess, numDone, numNew, numChanged };
      })(),
    );
  }

  private clearResults(documentId: number): void {
    this.db.prepare("DELETE FROM mentions WHERE document_id = ?").run(documentId);
    this.db.prepare("DELETE FROM triple_sources WHERE document_id = ?").run(documentId);
  }

  private documentId(key: string): number {
    const row = this.db.prepare("SELECT id FROM documents WHERE doc_key = ?").get(key) as { id: number } | undefined;
    if (row === undefined) throw new StoreError("INTERNAL", `document ${key} was never registered (planRun first)`, { data: { key } });
    return row.id;
  }

  /**
   * Saves one document's extraction and marks it done, all in one transaction. Saving the same document again
   * replaces its mentions and sources; nothing is ever duplicated.
   * @throws StoreError INTERNAL on a SQLite failure or an unregistered document
   */
  saveDocument(key: string, x: DocumentExtraction): void {
    this.guard(() =>
      this.db.transaction(() => {
        const docId = this.documentId(key);
        this.clearResults(docId);
        const entity = this.entityUpserter();
        const mention = this.db.prepare("INSERT INTO mentions (entity_id, document_id, start, end, kind) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
        for (const m of x.mentions) mention.run(entity(m.key, m.name), docId, m.start, m.end, m.kind);
        const triple = this.db.prepare("INSERT INTO triples (subject_id, relation_key, relation, object_id) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET relation = relation RETURNING id");
        const source = this.db.prepare("INSERT INTO triple_sources (triple_id, document_id, asked_entity, subject_start, object_start, object_end) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
        for (const t of x.triples) {
          const { id } = triple.get(entity(t.subjectKey, t.subject), t.relationKey, t.relation, entity(t.objectKey, t.object)) as { id: number };
          source.run(id, docId, t.askedEntity, t.subjectStart ?? null, t.objectStart ?? null, t.objectEnd ?? null);
        }
        this.db
          .prepare("UPDATE documents SET status = 'done', num_entities = ?, num_questions = ?, num_triples = ?, num_prompt_tokens = ?, num_generated_tokens = ?, error_code = NULL, error_message = NULL, updated_at = ? WHERE id = ?")
          .run(x.numEntities, x.numQuestions, x.triples.length, x.numPromptTokens, x.numGeneratedTokens, now(), docId);
      })(),
    );
  }

  /** key + display name → entity id (the first spelling seen stays the name). */
  private entityUpserter(): (key: string, name: string) => number {
    const upsert = this.db.prepare("INSERT INTO entities (entity_key, name) VALUES (?, ?) ON CONFLICT (entity_key) DO UPDATE SET name = name RETURNING id");
    return (key, name) => (upsert.get(key, name) as { id: number }).id;
  }

  /** Records a document's failure (retried by the next run). @throws StoreError INTERNAL on a SQLite failure */
  markFailed(key: string, error: { code: string; message: string }): void {
    this.guard(() => {
      this.db.prepare("UPDATE documents SET status = 'failed', error_code = ?, error_message = ?, updated_at = ? WHERE doc_key = ?").run(error.code, error.message, now(), key);
    });
  }

  /** The status of one document; undefined when it was never registered. */
  status(key: string): DocumentStatus | undefined {
    return this.guard(() => (this.db.prepare("SELECT status FROM documents WHERE doc_key = ?").get(key) as { status: DocumentStatus } | undefined)?.status);
  }

  counts(): StoreCounts {
    return this.guard(() => {
      const n = (sql: string): number => (this.db.prepare(sql).get() as { n: number }).n;
      return {
        documents: n("SELECT count(*) AS n FROM documents"),
        done: n("SELECT count(*) AS n FROM documents WHERE status = 'done'"),
        failed: n("SELECT count(*) AS n FROM documents WHERE status = 'failed'"),
        pending: n("SELECT count(*) AS n FROM documents WHERE status = 'pending'"),
        entities: n("SELECT count(*) AS n FROM entities"),
        triples: n("SELECT count(*) AS n FROM triples"),
        sources: n("SELECT count(*) AS n FROM triple_sources"),
        mentions: n("SELECT count(*) AS n FROM mentions"),
      };
    });
  }

  /** The whole graph. @throws StoreError INTERNAL on a SQLite failure */
  readGraph(): GraphData {
    return this.guard(() => readGraph(this.db));
  }

  close(): void {
    this.db.close();
  }
}
