// The SQLite store on an in-memory database: registration and resume planning, one-transaction saves without
// duplicates, merging of subjects and objects into one node, provenance, changed documents, failures.
import { afterEach, describe, expect, it } from "vitest";
import type { DocumentExtraction, MentionRecord, TripleRecord } from "../extract/index.js";
import { entityKey, relationKey } from "../extract/index.js";
import { GraphStore } from "./graph-store.js";

const doc = (key: string, hash = `h-${key}`) => ({ key, path: key.split("#")[0]!, hash, numChars: 100 });

function triple(subject: string, relation: string, object: string, at: { s?: number; o?: number } = {}): TripleRecord {
  return {
    subject,
    subjectKey: entityKey(subject),
    relation,
    relationKey: relationKey(relation),
    object,
    objectKey: entityKey(object),
    askedEntity: subject,
    subjectStart: at.s,
    objectStart: at.o,
    objectEnd: at.o === undefined ? undefined : at.o + object.length,
  };
}

function mention(name: string, start: number, kind: "name" | "object" = "name"): MentionRecord {
  return { key: entityKey(name), name, start, end: start + name.length, kind };
}

function extraction(triples: TripleRecord[], mentions: MentionRecord[] = []): DocumentExtraction {
  return { triples, mentions, numEntities: 2, numQuestions: 2, numDropped: 0, numPromptTokens: 500, numGeneratedTokens: 40 };
}

let store: GraphStore;
afterEach(() => store?.close());

describe("GraphStore", () => {
  it("plans a run: new documents pending, finished ones skipped, failed ones retried", () => {
    store = GraphStore.open(":memory:");
    expect(store.planRun([doc("a.txt"), doc("b.txt"), doc("c.txt")])).toEqual({ toProcess: ["a.txt", "b.txt", "c.txt"], numDone: 0, numNew: 3, numChanged: 0 });
    store.saveDocument("a.txt", extraction([]));
    store.markFailed("b.txt", { code: "PROMPT_TOO_LONG", message: "too long" });
    expect(store.status("a.txt")).toBe("done");
    expect(store.status("b.txt")).toBe("failed");
    expect(store.planRun([doc("a.txt"), doc("b.txt"), doc("c.txt"), doc("d.txt")])).toEqual({ toProcess: ["b.txt", "c.txt", "d.txt"], numDone: 1, numNew: 1, numChanged: 0 });
    expect(store.status("zzz")).toBeUndefined();
  });

  it("merges subjects and objects into one node and never duplicates a fact", () => {
    store = GraphStore.open(":memory:");
    store.planRun([doc("a.txt"), doc("b.txt")]);
    const a = extraction([triple("Mira Lund", "is friends with", "Theo Berg", { s: 0, o: 30 }), triple("Mira Lund", "lives in", "Oslo", { s: 0, o: 60 })], [mention("Mira Lund", 0), mention("Theo Berg", 30)]);
    store.saveDocument("a.txt", a);
    store.saveDocument("a.txt", a); // saved twice (a retry): replaced, not doubled
    store.saveDocument("b.txt", extraction([triple("THEO  BERG", "Lives In", "oslo", { s: 5, o: 40 }), triple("mira lund", "lives in", "Oslo.", { o: 70 })], [mention("Theo Berg", 5)]));
    const g = store.readGraph();
    expect(g.nodes.map((n) => [n.key, n.name, n.kind])).toEqual([
      ["mira lund", "Mira Lund", "entity"],
      ["theo berg", "Theo Berg", "entity"], // the friend object and the subject of b.txt: one node
      ["oslo", "Oslo", "value"],
    ]);
    expect(g.edges.map((e) => [e.source, e.relationKey, e.target, e.sources.map((s) => s.doc)])).toEqual([
      [1, "is friends with", 2, ["a.txt"]],
      [1, "lives in", 3, ["a.txt", "b.txt"]], // the same fact from two documents: one edge, two sources
      [2, "lives in", 3, ["b.txt"]],
    ]);
    expect(store.counts()).toMatchObject({ entities: 3, triples: 3, sources: 4, mentions: 3, done: 2 });
  });

  it("keeps provenance: mention offsets per document and each source's evidence offsets", () => {
    store = GraphStore.open(":memory:");
    store.planRun([doc("c.jsonl#7")]);
    store.saveDocument("c.jsonl#7", extraction([triple("Mira Lund", "lives in", "Oslo", { s: 3, o: 20 }), triple("Mira Lund", "speaks", "Klingon")], [mention("Mira Lund", 3), mention("Mira Lund", 50), mention("Oslo", 20, "object")]));
    const g = store.readGraph();
    const mira = g.nodes.find((n) => n.key === "mira lund")!;
    expect(mira.mentions).toEqual([
      { doc: "c.jsonl#7", start: 3, end: 12, kind: "name" },
      { doc: "c.jsonl#7", start: 50, end: 59, kind: "name" },
    ]);
    const [lives, speaks] = g.edges;
    expect(lives!.sources).toEqual([{ doc: "c.jsonl#7", askedEntity: "Mira Lund", subjectStart: 3, objectStart: 20, objectEnd: 24 }]);
    expect(speaks!.sources[0]).toMatchObject({ subjectStart: null, objectStart: null });
    expect(g.documents[0]).toMatchObject({ key: "c.jsonl#7", path: "c.jsonl", status: "done", numTriples: 2, numPromptTokens: 500, error: null });
  });

  it("drops a changed document's results (and facts only it supported) and runs it again", () => {
    store = GraphStore.open(":memory:");
    store.planRun([doc("a.txt"), doc("b.txt")]);
    store.saveDocument("a.txt", extraction([triple("Mira Lund", "lives in", "Oslo"), triple("Mira Lund", "owns", "a cat")], [mention("Mira Lund", 0)]));
    store.saveDocument("b.txt", extraction([triple("Mira Lund", "lives in", "Oslo")]));
    expect(store.planRun([doc("a.txt", "new hash"), doc("b.txt")])).toEqual({ toProcess: ["a.txt"], numDone: 1, numNew: 0, numChanged: 1 });
    const g = store.readGraph();
    expect(g.edges.map((e) => [e.relationKey, e.sources.map((s) => s.doc)])).toEqual([["lives in", ["b.txt"]]]);
    expect(g.nodes.map((n) => n.key).sort()).toEqual(["mira lund", "oslo"]); // "cat" is gone with its only fact
    expect(g.documents.find((d) => d.key === "a.txt")).toMatchObject({ status: "pending", hash: "new hash", numTriples: 0 });
  });

  it("refuses to save a document that was never registered, without writing anything", () => {
    store = GraphStore.open(":memory:");
    expect(() => store.saveDocument("nope.txt", extraction([triple("A B", "r", "c")]))).toThrow(expect.objectContaining({ code: "INTERNAL", name: "StoreError" }));
    expect(store.counts()).toMatchObject({ entities: 0, triples: 0, documents: 0 });
  });

  it("rolls back a whole document when a write fails midway (no half document, status unchanged)", () => {
    store = GraphStore.open(":memory:");
    store.planRun([doc("a.txt")]);
    const broken = extraction([triple("Mira Lund", "lives in", "Oslo")], [mention("Mira Lund", 0), { ...mention("Theo Berg", 5), kind: "bogus" as "name" }]);
    expect(() => store.saveDocument("a.txt", broken)).toThrow(expect.objectContaining({ name: "StoreError" }));
    expect(store.counts()).toMatchObject({ entities: 0, mentions: 0, triples: 0, sources: 0, pending: 1, done: 0 });
  });
});
