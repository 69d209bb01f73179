// The file side: corpus folders (.txt, .md, .jsonl, nested, hidden), databases that are not ours, and a run where one
// document fails (too long for the model) while the others finish; the rerun retries only the failed one.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GraphStore, readCorpus, runKgExtract } from "../src/index.js";
import type { CliIo } from "../src/index.js";

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "kg-files-"));
});
afterAll(async () => {
  if (dir !== "") await rm(dir, { recursive: true, force: true });
});

function bufferIo(): CliIo & { out: () => string; err: () => string } {
  let out = "";
  let err = "";
  return { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env: {}, out: () => out, err: () => err };
}

describe("readCorpus", () => {
  it("reads .txt, .md and .jsonl files recursively in path order, skipping hidden and other files", async () => {
    const c = join(dir, "corpus");
    await mkdir(join(c, "sub", "deeper"), { recursive: true });
    await mkdir(join(c, ".git"));
    await writeFile(join(c, "b.txt"), "\uFEFFBee text.");
    await writeFile(join(c, "a.md"), "# A");
    await writeFile(join(c, "sub", "deeper", "z.jsonl"), '{"id": "one", "text": "First."}\n{"text": "Second."}\n');
    await writeFile(join(c, "notes.pdf"), "binary");
    await writeFile(join(c, ".hidden.txt"), "secret");
    await writeFile(join(c, ".git", "HEAD.txt"), "ref");
    const docs = await readCorpus(c);
    expect(docs.map((d) => [d.key, d.path, d.text])).toEqual([
      ["a.md", "a.md", "# A"],
      ["b.txt", "b.txt", "Bee text."],
      ["sub/deeper/z.jsonl#one", "sub/deeper/z.jsonl", "First."],
      ["sub/deeper/z.jsonl#2", "sub/deeper/z.jsonl", "Second."],
    ]);
  });

  it("refuses an empty corpus and colliding keys", async () => {
    await mkdir(join(dir, "empty"));
    await expect(readCorpus(join(dir, "empty"))).rejects.toMatchObject({ code: "INPUT_INVALID", message: expect.stringContaining("holds no .txt, .md or .jsonl files") });
    await mkdir(join(dir, "dups"));
    await writeFile(join(dir, "dups", "x.jsonl"), '{"id": "2", "text": "a"}\n{"text": "b"}\n');
    await expect(readCorpus(join(dir, "dups"))).rejects.toMatchObject({ message: expect.stringContaining("two documents have the key x.jsonl#2") });
  });
});

describe("GraphStore on files", () => {
  it("refuses files that are not kg-extract databases of this version, and leaves them alone", async () => {
    const text = join(dir, "notes.db");
    await writeFile(text, "this is not sqlite at all, just some text that is long enough to have a header");
    expect(() => GraphStore.open(text)).toThrow(expect.objectContaining({ code: "INPUT_INVALID", message: expect.stringContaining("not a SQLite database") }));
    const foreign = join(dir, "foreign.db");
    const other = new Database(foreign);
    other.exec("CREATE TABLE people (name TEXT)");
    other.close();
    expect(() => GraphStore.open(foreign)).toThrow(expect.objectContaining({ code: "INPUT_INVALID", message: expect.stringContaining("another program") }));
    const old = join(dir, "old.db");
    GraphStore.open(old).close();
    const conn = new Database(old);
    conn.pragma("user_version = 99");
    conn.close();
    expect(() => GraphStore.open(old)).toThrow(expect.objectContaining({ message: expect.stringContaining("schema version 99") }));
    const io = bufferIo();
    expect(await runKgExtract(["export", "--db", foreign, "--format", "json"], io)).toBe(2);
    expect(new Database(foreign).prepare("SELECT count(*) AS n FROM sqlite_master").get()).toEqual({ n: 1 });
  });
});

describe("a run where one document is too long", () => {
  it("finishes the others, exits 2 naming the document, and retries only it", async () => {
    const c = join(dir, "mixed");
    await mkdir(c);
    await writeFile(join(c, "short.txt"), "Nothing here names anyone.");
    await writeFile(join(c, "long.txt"), `Anna Berg lives in Oslo. ${"and then it rained again ".repeat(8000)}`);
    const db = join(dir, "mixed.db");
    const io = bufferIo();
    expect(await runKgExtract(["run", "--corpus", c, "--db", db], io)).toBe(2);
    expect(io.out()).toMatch(/failed: long\.txt \[PROMPT_TOO_LONG\]/);
    expect(io.err()).toMatch(/long\.txt: FAILED \[PROMPT_TOO_LONG\]/);
    const store = GraphStore.open(db, { readonly: true });
    expect(store.readGraph().documents.map((d) => [d.key, d.status, d.error?.code ?? null])).toEqual([
      ["long.txt", "failed", "PROMPT_TOO_LONG"],
      ["short.txt", "done", null],
    ]);
    store.close();
    const again = bufferIo();
    expect(await runKgExtract(["run", "--corpus", c, "--db", db, "--json"], again)).toBe(2);
    expect(JSON.parse(again.out())).toMatchObject({ ok: false, numSkipped: 1, numProcessed: 0, numFailed: 1 });
  });
});
