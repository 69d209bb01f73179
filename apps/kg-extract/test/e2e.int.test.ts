// End to end with the shipped model: a generated corpus of 6 documents (~1K tokens; 4 .txt + 2 in a .jsonl) through
// `kg-extract run` (in-process), scored against the generator's exact ground truth; provenance, merging, a rerun that
// skips everything, and the three exports of the result.
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GraphStore, entityKey, runKgExtract, scoreFacts } from "../src/index.js";
import type { CliIo, GraphData } from "../src/index.js";
import { makeDiskCorpus } from "./helpers/corpus.js";
import type { DiskCorpus } from "./helpers/corpus.js";
import { lexCypher } from "./helpers/cypher.js";
import { parseXml } from "./helpers/xml.js";

/**
 * Measured before fixing them (2026-11-28, this corpus, shipped model, 1 host, full attention, session, verify
 * sentence): precision 1.00, recall 0.935 (29 of 31 facts; the model misses two facts of a person whose last name
 * another person of the document shares). The bars leave room for the model being retrained, not for a broken pipeline:
 * with verification off precision falls to ~0.83, and a pipeline that loses documents or facts falls far below.
 */
const MIN_PRECISION = 0.85;
const MIN_RECALL = 0.8;

function bufferIo(): CliIo & { out: () => string; err: () => string } {
  let out = "";
  let err = "";
  return { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env: {}, out: () => out, err: () => err };
}

let c: DiskCorpus;
let db: string;
let first: { code: number; out: string; err: string };
let graph: GraphData;

beforeAll(async () => {
  c = await makeDiskCorpus({ numDocuments: 6, length: 1024, numJsonl: 2 });
  db = join(c.root, "graph.db");
  const io = bufferIo();
  const code = await runKgExtract(["run", "--corpus", c.corpus, "--db", db, "--json"], io);
  first = { code, out: io.out(), err: io.err() };
  const store = GraphStore.open(db, { readonly: true });
  graph = store.readGraph();
  store.close();
});

afterAll(async () => {
  if (c !== undefined) await rm(c.root, { recursive: true, force: true });
});

describe("kg-extract run on a generated corpus", () => {
  it("extracts every document with a progress line each, and reports one JSON summary", () => {
    expect(first.code, first.err).toBe(0);
    const summary = JSON.parse(first.out) as { ok: boolean; numProcessed: number; numSkipped: number; numFailed: number; ask: string; graph: { triples: number } };
    expect(summary).toMatchObject({ ok: true, numProcessed: 6, numSkipped: 0, numFailed: 0, ask: "session" });
    expect(summary.graph.triples).toBe(graph.edges.length);
    const lines = first.err.split("\n").filter((l) => l.startsWith("docs ["));
    expect(lines).toHaveLength(6);
    expect(lines.at(-1)).toMatch(/^docs \[#+\] 6\/6 \| tokens \d+K? in \d+ out \(\d+\/s\)/);
    expect(graph.documents.map((d) => d.key).sort()).toEqual([...c.byKey.keys()].sort());
  });

  it(`finds the ground-truth facts: precision >= ${MIN_PRECISION}, recall >= ${MIN_RECALL}`, () => {
    const name = new Map(graph.nodes.map((n) => [n.id, n.name]));
    const predicted = graph.edges.flatMap((e) => e.sources.map((s) => ({ docId: c.byKey.get(s.doc)!.id, facts: [{ subject: name.get(e.source)!, relation: e.relation, object: name.get(e.target)! }] })));
    const score = scoreFacts(c.docs.map((d) => ({ docId: d.id, facts: d.facts })), predicted);
    expect(score.numTrue).toBeGreaterThan(20);
    expect(score.precision, JSON.stringify(score)).toBeGreaterThanOrEqual(MIN_PRECISION);
    expect(score.recall, JSON.stringify(score)).toBeGreaterThanOrEqual(MIN_RECALL);
  });

  it("records provenance that points at the mentions in the document texts", () => {
    const byId = new Map(graph.nodes.map((n) => [n.id, n]));
    let checked = 0;
    for (const n of graph.nodes) {
      for (const m of n.mentions) {
        expect(entityKey(c.byKey.get(m.doc)!.text.slice(m.start, m.end))).toBe(n.key);
        checked++;
      }
    }
    for (const e of graph.edges) {
      for (const s of e.sources) {
        const text = c.byKey.get(s.doc)!.text;
        expect(s.objectStart).not.toBeNull(); // verify=sentence keeps only facts with evidence
        expect(entityKey(text.slice(s.objectStart!, s.objectEnd!))).toBe(byId.get(e.target)!.key);
        expect(text.slice(s.subjectStart!, s.subjectStart! + byId.get(e.source)!.name.length).toLowerCase()).toBe(byId.get(e.source)!.name.toLowerCase());
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  it("merges entities: an object that is also a named person is one node, and so is a person of two documents", () => {
    const targets = new Set(graph.edges.map((e) => e.target));
    const personObjects = graph.nodes.filter((n) => targets.has(n.id) && n.kind === "entity" && n.mentions.some((m) => m.kind === "name"));
    expect(personObjects.length).toBeGreaterThan(0); // e.g. the friend of a fact, asked about as a candidate itself
    const recurring = c.docs.flatMap((d) => d.people).filter((p, i, all) => all.indexOf(p) !== i);
    expect(recurring.length).toBeGreaterThan(0); // the generator shares people across documents
    for (const p of recurring) {
      const node = graph.nodes.find((n) => n.key === entityKey(p))!;
      expect(new Set(node.mentions.map((m) => m.doc)).size).toBeGreaterThanOrEqual(2);
    }
    expect(new Set(graph.nodes.map((n) => n.key)).size).toBe(graph.nodes.length);
  });

  it("skips every finished document on a rerun and changes nothing", async () => {
    const io = bufferIo();
    expect(await runKgExtract(["run", "--corpus", c.corpus, "--db", db, "--json"], io)).toBe(0);
    expect(JSON.parse(io.out())).toMatchObject({ numProcessed: 0, numSkipped: 6, numFailed: 0 });
    expect(io.err()).toContain("6 of 6 documents are already done");
    const store = GraphStore.open(db, { readonly: true });
    expect(store.readGraph()).toEqual(graph);
    store.close();
  });

  it("exports JSON, well-formed GraphML and escaped Cypher of the same graph", async () => {
    for (const format of ["json", "graphml", "cypher"]) {
      const io = bufferIo();
      expect(await runKgExtract(["export", "--db", db, "--format", format, "--out", join(c.root, `graph.${format}`)], io), io.err()).toBe(0);
    }
    const json = JSON.parse(await readFile(join(c.root, "graph.json"), "utf8")) as GraphData;
    expect(json.nodes).toEqual(graph.nodes);
    const xml = parseXml(await readFile(join(c.root, "graph.graphml"), "utf8"));
    const g = xml.children.find((e) => e.name === "graph")!;
    expect(g.children.filter((e) => e.name === "node")).toHaveLength(graph.nodes.length);
    expect(g.children.filter((e) => e.name === "edge")).toHaveLength(graph.edges.length);
    const statements = lexCypher(await readFile(join(c.root, "graph.cypher"), "utf8"));
    expect(statements).toHaveLength(1 + graph.nodes.length + graph.edges.length);
    expect(statements.slice(1, 1 + graph.nodes.length).map((s) => s.strings[1])).toEqual(graph.nodes.map((n) => n.name));
    const stdout = bufferIo();
    expect(await runKgExtract(["export", "--db", db, "--format", "json"], stdout)).toBe(0);
    expect(JSON.parse(stdout.out())).toEqual(JSON.parse(await readFile(join(c.root, "graph.json"), "utf8")));
  });
});
