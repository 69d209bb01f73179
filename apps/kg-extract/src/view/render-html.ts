// The static HTML view: ONE self-contained file (inline CSS, inline script, the graph as inline JSON; no network,
// no server) that draws the graph in SVG with entity and relation labels, an entity list and a search box.

import type { GraphData } from "../store/index.js";
import { forceLayout } from "./force-layout.js";
import { VIEW_SCRIPT } from "./view-script.js";

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:13px system-ui,sans-serif;color:#222;display:flex;flex-direction:column;height:100vh}
header{display:flex;gap:12px;align-items:center;padding:8px 12px;border-bottom:1px solid #ddd}header h1{font-size:15px;margin:0}
#search{width:260px;padding:4px 8px}#stats{color:#666}main{flex:1;display:flex;min-height:0}
#graph{flex:1;background:#fafafa;cursor:grab}aside{width:300px;overflow:auto;border-left:1px solid #ddd;padding:8px}
#entity-list{list-style:none;margin:0;padding:0}#entity-list li{padding:2px 4px;cursor:pointer}#entity-list li:hover{background:#eef}
#entity-list li.value{color:#777}.edge{stroke:#999;stroke-width:1}.edge-label{font-size:9px;fill:#777;text-anchor:middle}
.node circle{fill:#4a7bd0;stroke:#fff;stroke-width:1.5}.node.value circle{fill:#e0a030}.node-label{font-size:11px;fill:#222}
.node.match circle{fill:#d03030}.node.focus circle{stroke:#000;stroke-width:2}.node.dim{opacity:.2}#details h2{font-size:14px;margin:8px 0 4px}
`;

/** Escapes JSON for an inline <script type="application/json"> (no `</script>`, no line separators). */
export function inlineJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** What the page script reads: nodes with positions, edges by node id, sizes. */
export function viewData(g: GraphData, size = { width: 1200, height: 800 }): unknown {
  const index = new Map(g.nodes.map((n, i) => [n.id, i]));
  const pos = forceLayout(
    g.nodes.length,
    g.edges.map((e) => [index.get(e.source)!, index.get(e.target)!] as const),
    size,
  );
  return {
    width: size.width,
    height: size.height,
    numDocuments: g.documents.length,
    nodes: g.nodes.map((n, i) => ({ id: n.id, key: n.key, name: n.name, kind: n.kind, x: Math.round(pos[i]!.x * 10) / 10, y: Math.round(pos[i]!.y * 10) / 10, documents: [...new Set(n.mentions.map((m) => m.doc))] })),
    edges: g.edges.map((e) => ({ source: e.source, target: e.target, relation: e.relation, documents: [...new Set(e.sources.map((s) => s.doc))] })),
  };
}

/** The whole page. */
export function renderHtml(g: GraphData, title = "kg-extract graph"): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>${escapeHtml(title)}</h1><input id="search" type="search" placeholder="Search entities" aria-label="Search entities"><span id="stats"></span></header>
<main>
<svg id="graph" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="knowledge graph"><defs><marker id="arrow" viewBox="0 0 10 10" refX="16" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#999"/></marker></defs></svg>
<aside><div id="details"><p>Click an entity for its facts.</p></div><ul id="entity-list"></ul></aside>
</main>
<script id="graph-data" type="application/json">${inlineJson(viewData(g))}</script>
<script>${VIEW_SCRIPT}</script>
</body>
</html>
`;
}
