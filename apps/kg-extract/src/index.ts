// @apb/kg-extract: knowledge-graph extraction over a corpus with the APB engine (local) or worker groups (jobs):
// candidate entities → one question each → triples, merged into a SQLite graph with provenance; exports and a view.
export * from "./errors/index.js";
export * from "./answer/index.js";
export * from "./extract/index.js";
export * from "./corpus/index.js";
export * from "./store/index.js";
export * from "./pipeline/index.js";
export * from "./export/index.js";
export * from "./view/index.js";
export * from "./synthetic/index.js";
export { COMMANDS, runKgExtract } from "./commands/index.js";
export { processIo } from "@apb/cli/toolkit";
export type { CliIo, TextSink } from "@apb/cli/toolkit";
