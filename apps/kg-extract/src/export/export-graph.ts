// The export formats by name, for the CLI's --format.

import type { GraphData } from "../store/index.js";
import { toCypher } from "./to-cypher.js";
import { toGraphml } from "./to-graphml.js";
import { toJson } from "./to-json.js";

export const EXPORT_FORMATS = ["json", "graphml", "cypher"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The graph in one of the export formats. */
export function exportGraph(g: GraphData, format: ExportFormat): string {
  switch (format) {
    case "json":
      return toJson(g);
    case "graphml":
      return toGraphml(g);
    case "cypher":
      return toCypher(g);
  }
}
