// The HTML view rendered by headless Debian chromium (installed by the test set-up when missing; never skipped):
// the DOM after the page script ran holds every node, label and edge it should have drawn, the search filters, a
// screenshot is not blank, and chromium's XML parser accepts the GraphML export.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GraphStore, entityKey, relationKey, runKgExtract } from "../src/index.js";
import type { CliIo, DocumentExtraction, TripleRecord } from "../src/index.js";
import { dumpDom, ensureChromium, screenshot } from "./helpers/chromium.js";
import { colourStats } from "./helpers/png.js";

const FACTS: [string, string, string][] = [
  ["Mira Lund", "lives in", "Oslo"],
  ["Mira Lund", "is friends with", "Theo Berg"],
  ["Theo Berg", "plays", "the tuba"],
  ["Theo Berg", "works as", `a "chef" & <baker>`],
  ["Ana O'Neil", "owns", "</script><b>bold</b>"],
  ["Ana O'Neil", "is friends with", "Mira Lund"],
];

function triple([subject, relation, object]: [string, string, string]): TripleRecord {
  return { subject, subjectKey: entityKey(subject), relation, relationKey: relationKey(relation), object, objectKey: entityKey(object), askedEntity: subject, subjectStart: 0, objectStart: 10, objectEnd: 14 };
}

const escapeHtml = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

let dir = "";
let bin = "";
let html = "";
const names = [...new Set(FACTS.flatMap(([s, , o]) => [s, o]))];

beforeAll(async () => {
  bin = ensureChromium();
  dir = await mkdtemp(join(tmpdir(), "kg-view-"));
  const db = join(dir, "graph.db");
  const store = GraphStore.open(db);
  store.planRun([{ key: "a.txt", path: "a.txt", hash: "h", numChars: 100 }]);
  const x: DocumentExtraction = { triples: FACTS.map(triple), mentions: [], numEntities: 3, numQuestions: 3, numDropped: 0, numPromptTokens: 1, numGeneratedTokens: 1 };
  store.saveDocument("a.txt", x);
  store.close();
  html = join(dir, "graph.html");
  const io: CliIo = { stdout: { write: () => true }, stderr: { write: () => true }, env: {} };
  expect(await runKgExtract(["view", "--db", db, "--out", html], io)).toBe(0);
  expect(await runKgExtract(["export", "--db", db, "--format", "graphml", "--out", join(dir, "graph.graphml")], io)).toBe(0);
});

afterAll(async () => {
  if (dir !== "") await rm(dir, { recursive: true, force: true });
});

describe("the HTML view in headless chromium", () => {
  it("draws every node with its label, every edge with its relation, and the entity list", async () => {
    const dom = await dumpDom(bin, pathToFileURL(html).href);
    expect(dom).toMatch(/<body[^>]*data-rendered="true"/);
    expect(dom).toContain(`data-nodes="${names.length}"`);
    expect(dom).toContain(`data-edges="${FACTS.length}"`);
    expect(dom.match(/<g class="node (entity|value)"/g)).toHaveLength(names.length);
    expect(dom.match(/<line class="edge"/g)).toHaveLength(FACTS.length);
    const labels = [...dom.matchAll(/<text class="node-label"[^>]*>(.*?)<\/text>/g)].map((m) => m[1]);
    expect(labels.sort()).toEqual(names.map(escapeHtml).sort());
    const relations = [...dom.matchAll(/<text class="edge-label"[^>]*>(.*?)<\/text>/g)].map((m) => m[1]);
    expect(relations.sort()).toEqual(FACTS.map(([, r]) => r).sort());
    expect(dom.match(/<li data-key=/g)).toHaveLength(names.length);
    expect(dom).not.toContain("<b>bold</b>"); // a hostile name stays text
    expect(dom).toContain(`${names.length} of ${names.length} entities, ${FACTS.length} facts`);
  });

  it("filters the list and highlights matches from the search (#q=)", async () => {
    const dom = await dumpDom(bin, `${pathToFileURL(html).href}#q=theo`);
    const hidden = [...dom.matchAll(/<li data-key="([^"]*)"[^>]*hidden=""/g)].map((m) => m[1]);
    expect(hidden).toHaveLength(names.length - 1);
    expect(hidden).not.toContain("theo berg");
    expect(dom).toMatch(/<g class="node entity match" data-key="theo berg"/);
    expect(dom).toContain(`1 of ${names.length} entities`);
  });

  it("renders a picture that is not blank (and a blank page would fail this check)", async () => {
    const shot = join(dir, "graph.png");
    await screenshot(bin, pathToFileURL(html).href, shot);
    const drawn = colourStats(await readFile(shot));
    const blankPage = join(dir, "blank.html");
    await writeFile(blankPage, "<!doctype html><html><body></body></html>");
    await screenshot(bin, pathToFileURL(blankPage).href, join(dir, "blank.png"));
    const blank = colourStats(await readFile(join(dir, "blank.png")));
    expect(blank.nonBackground).toBeLessThan(0.001);
    expect(drawn.numColours).toBeGreaterThan(50);
    expect(drawn.nonBackground).toBeGreaterThan(0.01);
  });

  it("parses the GraphML export with chromium's XML parser (and the parser does catch broken XML)", async () => {
    const xml = join(dir, "graph.xml"); // chromium picks its XML parser by extension
    await writeFile(xml, await readFile(join(dir, "graph.graphml")));
    const dom = await dumpDom(bin, pathToFileURL(xml).href);
    expect(dom).toContain("xml-viewer-style");
    expect(dom).not.toMatch(/parsererror|This page contains the following errors/);
    const broken = join(dir, "broken.xml");
    await writeFile(broken, '<?xml version="1.0"?><graphml><graph></graphml>');
    expect(await dumpDom(bin, pathToFileURL(broken).href)).toMatch(/parsererror/);
  });
});
