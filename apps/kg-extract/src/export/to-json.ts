// The JSON export: the whole graph (nodes with mentions, edges with sources, documents) as one versioned object.

import type { GraphData } from "../store/index.js";

export const JSON_FORMAT = "kg-extract/graph" as const;
export const JSON_FORMAT_VERSION = 1;

/** The graph as pretty-printed JSON (ends with a newline). */
export function toJson(g: GraphData): string {
  return JSON.stringify({ format: JSON_FORMAT, version: JSON_FORMAT_VERSION, nodes: g.nodes, edges: g.edges, documents: g.documents }, null, 2) + "\n";
}
