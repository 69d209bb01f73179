// Crash safety of the built bin: `kg-extract run` is killed with SIGKILL once at least one document is saved; the
// database holds only whole documents, and a rerun skips the finished ones, completes the rest and duplicates nothing.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { makeDiskCorpus } from "./helpers/corpus.js";
import type { DiskCorpus } from "./helpers/corpus.js";

const BIN = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
const NUM_DOCS = 5;

interface Child {
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly kill: () => void;
  readonly out: () => string;
  readonly err: () => string;
}

function startBin(args: string[]): Child {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, APB_DEBUG: "" } });
  let out = "";
  let err = "";
  child.stdout.on("data", (b: Buffer) => (out += b.toString()));
  child.stderr.on("data", (b: Buffer) => (err += b.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  return { exit, kill: () => child.kill("SIGKILL"), out: () => out, err: () => err };
}

/** Done documents, or undefined while the database does not exist yet or has no schema. */
function doneDocs(db: string): { key: string; updatedAt: string }[] | undefined {
  if (!existsSync(db)) return undefined;
  try {
    const conn = new Database(db, { readonly: true, fileMustExist: true });
    try {
      return conn.prepare("SELECT doc_key AS key, updated_at AS updatedAt FROM documents WHERE status = 'done' ORDER BY doc_key").all() as { key: string; updatedAt: string }[];
    } finally {
      conn.close();
    }
  } catch {
    return undefined;
  }
}

function query<T>(db: string, sql: string): T[] {
  const conn = new Database(db, { readonly: true });
  try {
    return conn.prepare(sql).all() as T[];
  } finally {
    conn.close();
  }
}

/** Whole documents only: every done document's sources match its count; unfinished ones have no results at all. */
function expectConsistent(db: string): void {
  expect(query<{ integrity_check: string }>(db, "PRAGMA integrity_check")).toEqual([{ integrity_check: "ok" }]);
  const rows = query<{ status: string; num_triples: number; sources: number; mentions: number }>(
    db,
    "SELECT status, num_triples, (SELECT count(*) FROM triple_sources s WHERE s.document_id = d.id) AS sources, (SELECT count(*) FROM mentions m WHERE m.document_id = d.id) AS mentions FROM documents d",
  );
  for (const r of rows) {
    if (r.status === "done") expect(r.sources).toBe(r.num_triples);
    else expect([r.sources, r.mentions]).toEqual([0, 0]);
  }
  const dup = (sql: string): number => query<{ n: number }>(db, `SELECT count(*) AS n FROM (${sql})`)[0]!.n;
  expect(dup("SELECT 1 FROM triples GROUP BY subject_id, relation_key, object_id HAVING count(*) > 1")).toBe(0);
  expect(dup("SELECT 1 FROM triple_sources GROUP BY triple_id, document_id HAVING count(*) > 1")).toBe(0);
  expect(dup("SELECT 1 FROM entities GROUP BY entity_key HAVING count(*) > 1")).toBe(0);
  expect(dup("SELECT 1 FROM mentions GROUP BY entity_id, document_id, start HAVING count(*) > 1")).toBe(0);
}

let c: DiskCorpus | undefined;
afterAll(async () => {
  if (c !== undefined) await rm(c.root, { recursive: true, force: true });
});

describe("kg-extract run killed with SIGKILL", () => {
  it("keeps every finished document, and a rerun completes the rest without duplicates", async () => {
    expect(existsSync(BIN), `${BIN} is missing: build first (npx tsc -p apps/kg-extract/tsconfig.build.json)`).toBe(true);
    c = await makeDiskCorpus({ numDocuments: NUM_DOCS, length: 1024, seed: "kill-test" });
    const db = join(c.root, "graph.db");
    const run = startBin(["run", "--corpus", c.corpus, "--db", db]);
    let before: { key: string; updatedAt: string }[] = [];
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      before = doneDocs(db) ?? [];
      if (before.length >= 1) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    run.kill();
    const killed = await run.exit;
    expect(killed.signal, run.err()).toBe("SIGKILL");
    before = doneDocs(db)!; // what the killed process had committed
    expect(before.length).toBeGreaterThanOrEqual(1);
    expect(before.length, "the run finished before the kill; the test proves nothing").toBeLessThan(NUM_DOCS);
    expectConsistent(db);

    const rerun = startBin(["run", "--corpus", c.corpus, "--db", db, "--json"]);
    const done = await rerun.exit;
    expect(done.code, rerun.err()).toBe(0);
    expect(JSON.parse(rerun.out())).toMatchObject({ ok: true, numSkipped: before.length, numProcessed: NUM_DOCS - before.length, numFailed: 0 });
    expect(rerun.err()).toContain(`${before.length} of ${NUM_DOCS} documents are already done; skipping them`);
    const after = doneDocs(db)!;
    expect(after).toHaveLength(NUM_DOCS);
    for (const b of before) expect(after.find((a) => a.key === b.key)!.updatedAt).toBe(b.updatedAt); // not redone
    expectConsistent(db);
  });
});
