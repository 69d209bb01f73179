// Public names of the export concept: the graph as JSON, GraphML and Cypher.
export { EXPORT_FORMATS, exportGraph } from "./export-graph.js";
export type { ExportFormat } from "./export-graph.js";
export { JSON_FORMAT, JSON_FORMAT_VERSION, toJson } from "./to-json.js";
export { toGraphml, xmlEscape } from "./to-graphml.js";
export { cypherIdentifier, cypherString, relationshipType, toCypher } from "./to-cypher.js";
