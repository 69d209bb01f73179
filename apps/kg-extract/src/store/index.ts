// Public names of the store concept: the SQLite graph database and the graph it reads back.
export { GraphStore } from "./graph-store.js";
export type { DocumentRef, DocumentStatus, GraphData, GraphDocument, GraphEdge, GraphMention, GraphNode, GraphSource, RunPlan, StoreCounts } from "./graph-types.js";
export { APPLICATION_ID, SCHEMA_VERSION } from "./schema.js";
