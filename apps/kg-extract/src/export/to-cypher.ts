// The Cypher export for a Neo4j import (`cypher-shell -f graph.cypher`): a uniqueness constraint, one MERGE per node
// and per edge (so running it twice changes nothing), every string literal and identifier escaped.

import type { GraphData } from "../store/index.js";

/** A Cypher string literal: single-quoted, with backslash escapes for quotes, backslashes and control characters. */
export function cypherString(s: string): string {
  let out = "'";
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === "\\") out += "\\\\";
    else if (ch === "'") out += "\\'";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (c < 0x20 || c === 0x7f || c === 0x2028 || c === 0x2029) out += `\\u${c.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return out + "'";
}

/** A backtick-quoted Cypher identifier (a backtick inside is doubled). */
export function cypherIdentifier(s: string): string {
  return "`" + s.replace(/`/g, "``") + "`";
}

/** A relationship type from a relation phrase: `lives in` → `LIVES_IN` (RELATED when nothing is left). */
export function relationshipType(relation: string): string {
  const t = relation
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  if (t === "") return "RELATED";
  return /^[0-9]/.test(t) ? `R_${t}` : t;
}

const list = (items: readonly string[]): string => `[${items.map(cypherString).join(", ")}]`;

/** The graph as a Cypher script (one statement per line). */
export function toCypher(g: GraphData): string {
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const out = [
    `// kg-extract graph: ${g.nodes.length} nodes, ${g.edges.length} edges, ${g.documents.length} documents. Run: cypher-shell -f FILE`,
    "CREATE CONSTRAINT kg_entity_key IF NOT EXISTS FOR (n:Entity) REQUIRE n.key IS UNIQUE;",
  ];
  for (const n of g.nodes) {
    const docs = [...new Set(n.mentions.map((m) => m.doc))];
    out.push(`MERGE (n:Entity {key: ${cypherString(n.key)}}) SET n.name = ${cypherString(n.name)}, n.kind = ${cypherString(n.kind)}, n.documents = ${list(docs)}, n.mentions = ${cypherString(JSON.stringify(n.mentions))};`);
  }
  for (const e of g.edges) {
    const [a, b] = [byId.get(e.source)!, byId.get(e.target)!];
    const docs = [...new Set(e.sources.map((s) => s.doc))];
    out.push(
      `MATCH (a:Entity {key: ${cypherString(a.key)}}), (b:Entity {key: ${cypherString(b.key)}}) MERGE (a)-[r:${cypherIdentifier(relationshipType(e.relationKey))} {relation: ${cypherString(e.relationKey)}}]->(b) SET r.text = ${cypherString(e.relation)}, r.documents = ${list(docs)}, r.sources = ${cypherString(JSON.stringify(e.sources))};`,
    );
  }
  return out.join("\n") + "\n";
}
