// Chunked masked attention on onnxruntime: the chunk plan, the chunk graphs and the runner.
export { AttentionRunner } from "./attention-runner.js";
export type { AttentionSessions } from "./attention-runner.js";
export { buildAttentionGraph } from "./attention-graph.js";
export { DEFAULT_CHUNK_BYTES, MAX_CHUNK_ROWS, MIN_CHUNK_ROWS, chunkRows, diagonalBias, planAttentionChunks } from "./attention-plan.js";
export type { AttentionChunk } from "./attention-plan.js";
