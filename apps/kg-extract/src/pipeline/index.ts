// Public names of the pipeline concept: one extraction run over a corpus into a graph database, and the executor
// contract (local slots here; corpus flows in src/flow).
export { runExtraction } from "./run-extraction.js";
export type { AnswerTokens, DocumentSink, ExtractionExecutor, RunEvent, RunOptions, RunSummary } from "./run-extraction.js";
export { slotExecutor } from "./slot-executor.js";
export type { ExtractionSlot } from "./slot-executor.js";
