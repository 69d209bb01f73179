// The exports against a graph full of hostile text: GraphML parses as XML with every value intact, every Cypher
// string literal decodes back to the original, JSON round-trips.
import { describe, expect, it } from "vitest";
import { lexCypher } from "../../test/helpers/cypher.js";
import { parseXml } from "../../test/helpers/xml.js";
import type { GraphData } from "../store/index.js";
import { JSON_FORMAT, cypherIdentifier, cypherString, exportGraph, relationshipType, toCypher, toGraphml, toJson, xmlEscape } from "./index.js";

const NASTY = [`Ann "The <Boss>" O'Neil & Co`, "Zoë 🦊 \\ back\\'slash", "line\nbreak\r\ttab", "</script><!-- x -->", "`rm -rf`; DROP", "bell\u0001\u007f end", "sep\u2028arator"];

function graph(): GraphData {
  const nodes = NASTY.map((name, i) => ({ id: i + 1, key: name.toLowerCase(), name, kind: i % 2 === 0 ? ("entity" as const) : ("value" as const), mentions: [{ doc: `d'oc ${i}.txt`, start: i, end: i + 3, kind: "name" as const }] }));
  const edges = NASTY.slice(1).map((_, i) => ({
    id: i + 1,
    source: 1,
    target: i + 2,
    relation: i === 0 ? `owns 'the' \\ "thing"` : `rel ${i}`,
    relationKey: i === 0 ? `owns 'the' \\ "thing"` : `rel ${i}`,
    sources: [{ doc: `d'oc ${i}.txt`, askedEntity: NASTY[0]!, subjectStart: 0, objectStart: 5, objectEnd: 9 }],
  }));
  const documents = [{ key: "a.txt", path: "a.txt", hash: "h", status: "done" as const, numChars: 1, numEntities: 1, numQuestions: 1, numTriples: 1, numPromptTokens: 1, numGeneratedTokens: 1, error: null, updatedAt: "t" }];
  return { nodes, edges, documents };
}

/** What survives XML: characters XML 1.0 cannot carry are dropped. */
const xmlSafe = (s: string): string => s.replace(/[\u0001\u007f]/g, (c) => (c === "\u007f" ? c : ""));

describe("GraphML export", () => {
  it("is well-formed XML that carries every name, relation and provenance", () => {
    const root = parseXml(toGraphml(graph()));
    expect(root.name).toBe("graphml");
    expect(root.attrs.xmlns).toBe("http://graphml.graphdrawing.org/xmlns");
    const keys = root.children.filter((c) => c.name === "key");
    const g = root.children.find((c) => c.name === "graph")!;
    expect(g.attrs.edgedefault).toBe("directed");
    const nodes = g.children.filter((c) => c.name === "node");
    const edges = g.children.filter((c) => c.name === "edge");
    expect(nodes).toHaveLength(NASTY.length);
    const ids = new Set(nodes.map((n) => n.attrs.id));
    for (const e of edges) expect(ids.has(e.attrs.source) && ids.has(e.attrs.target)).toBe(true);
    for (const c of [...nodes, ...edges]) for (const d of c.children) expect(keys.some((k) => k.attrs.id === d.attrs.key && k.attrs.for === c.name)).toBe(true);
    const names = nodes.map((n) => n.children.find((d) => d.attrs.key === "d_name")!.text);
    expect(names).toEqual(NASTY.map(xmlSafe));
    expect(edges[0]!.children.find((d) => d.attrs.key === "d_relation")!.text).toBe(`owns 'the' \\ "thing"`);
    const mentions = JSON.parse(nodes[0]!.children.find((d) => d.attrs.key === "d_mentions")!.text) as unknown[];
    expect(mentions).toEqual(graph().nodes[0]!.mentions);
  });

  it("escapes markup and drops characters XML forbids; the checker rejects broken XML", () => {
    expect(xmlEscape(`<a href="x">&'</a>\u0000`)).toBe("&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;");
    expect(() => parseXml("<a><b></a>")).toThrow(/mismatched/);
    expect(() => parseXml("<a>x & y</a>")).toThrow(/entity/);
    expect(() => parseXml('<a b="1" b="2"/>')).toThrow(/duplicate/);
    expect(() => parseXml("<a>\u0001</a>")).toThrow(/illegal/);
  });
});

describe("Cypher export", () => {
  it("escapes every literal so that it decodes back to the original", () => {
    const g = graph();
    const statements = lexCypher(toCypher(g));
    expect(statements).toHaveLength(1 + g.nodes.length + g.edges.length);
    expect(statements[0]!.text).toMatch(/^CREATE CONSTRAINT kg_entity_key IF NOT EXISTS FOR \(n:Entity\) REQUIRE n\.key IS UNIQUE$/);
    const nodeStrings = statements.slice(1, 1 + g.nodes.length).map((s) => s.strings);
    nodeStrings.forEach((strings, i) => {
      expect(strings[0]).toBe(g.nodes[i]!.key);
      expect(strings[1]).toBe(g.nodes[i]!.name); // control characters survive as \\u escapes
      expect(JSON.parse(strings.at(-1)!)).toEqual(g.nodes[i]!.mentions);
    });
    const firstEdge = statements[1 + g.nodes.length]!;
    expect(firstEdge.text).toMatch(/^MATCH \(a:Entity \{key: '…'\}\), \(b:Entity \{key: '…'\}\) MERGE \(a\)-\[r:`…` \{relation: '…'\}\]->\(b\) SET /);
    expect(firstEdge.identifiers).toEqual(["OWNS_THE_THING"]);
    expect(firstEdge.strings.slice(0, 3)).toEqual([g.nodes[0]!.key, g.nodes[1]!.key, `owns 'the' \\ "thing"`]);
  });

  it("quotes identifiers, names relationship types, and the lexer catches bad escaping", () => {
    expect(cypherString("it's \\ \n")).toBe("'it\\'s \\\\ \\n'");
    expect(cypherString("\u0000\u2028")).toBe("'\\u0000\\u2028'");
    expect(cypherIdentifier("a`b")).toBe("`a``b`");
    expect(relationshipType("lives in")).toBe("LIVES_IN");
    expect(relationshipType("était né à")).toBe("ETAIT_NE_A");
    expect(relationshipType("2nd cousin of")).toBe("R_2ND_COUSIN_OF");
    expect(relationshipType("!!!")).toBe("RELATED");
    expect(() => lexCypher("MATCH (a {k: 'it's'});")).toThrow();
    expect(() => lexCypher("MATCH (a {k: 'x'};")).toThrow(/unbalanced/);
  });
});

describe("JSON export", () => {
  it("round-trips the graph with a format tag", () => {
    const g = graph();
    const parsed = JSON.parse(exportGraph(g, "json")) as { format: string; nodes: unknown; edges: unknown; documents: unknown };
    expect(parsed.format).toBe(JSON_FORMAT);
    expect({ nodes: parsed.nodes, edges: parsed.edges, documents: parsed.documents }).toEqual(g);
    expect(toJson(g).endsWith("}\n")).toBe(true);
  });
});
