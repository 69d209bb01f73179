// Public names of the pipeline concept: one extraction run over a corpus into a graph database.
export { runExtraction } from "./run-extraction.js";
export type { RunEvent, RunOptions, RunSummary } from "./run-extraction.js";
