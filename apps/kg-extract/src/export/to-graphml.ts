// The GraphML export (yEd, Gephi, NetworkX): nodes and directed edges with their attributes declared as <key>s;
// provenance lists are JSON strings. Text is XML-escaped and characters XML 1.0 forbids are dropped.

import type { GraphData } from "../store/index.js";

/** Characters XML 1.0 does not allow anywhere (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF). */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Escapes text for XML element content and double- or single-quoted attribute values. */
export function xmlEscape(s: string): string {
  return s
    .replace(NOT_XML, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;")
    .replace(/\r/g, "&#13;");
}

const KEYS: readonly (readonly [id: string, target: "node" | "edge", name: string, type: "string" | "int"])[] = [
  ["d_name", "node", "name", "string"],
  ["d_key", "node", "key", "string"],
  ["d_kind", "node", "kind", "string"],
  ["d_mentions", "node", "mentions", "string"],
  ["d_num_mentions", "node", "numMentions", "int"],
  ["d_relation", "edge", "relation", "string"],
  ["d_documents", "edge", "documents", "string"],
  ["d_sources", "edge", "sources", "string"],
];

const data = (key: string, value: string | number): string => `      <data key="${key}">${xmlEscape(String(value))}</data>`;

/** The graph as a GraphML document. */
export function toGraphml(g: GraphData): string {
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">',
    ...KEYS.map(([id, target, name, type]) => `  <key id="${id}" for="${target}" attr.name="${name}" attr.type="${type}"/>`),
    '  <graph id="kg" edgedefault="directed">',
  ];
  for (const n of g.nodes) {
    out.push(`    <node id="n${n.id}">`, data("d_name", n.name), data("d_key", n.key), data("d_kind", n.kind), data("d_mentions", JSON.stringify(n.mentions)), data("d_num_mentions", n.mentions.length), "    </node>");
  }
  for (const e of g.edges) {
    const docs = [...new Set(e.sources.map((s) => s.doc))];
    out.push(`    <edge id="e${e.id}" source="n${e.source}" target="n${e.target}">`, data("d_relation", e.relation), data("d_documents", docs.join("\n")), data("d_sources", JSON.stringify(e.sources)), "    </edge>");
  }
  out.push("  </graph>", "</graphml>");
  return out.join("\n") + "\n";
}
