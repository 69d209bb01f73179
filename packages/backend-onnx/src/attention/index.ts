// Chunked masked attention on onnxruntime: the chunk plan, the chunk graphs and the runner.
export { AttentionRunner } from "./attention-runner.js";
export type { AttentionSessions, AttentionTiling } from "./attention-runner.js";
export { MASKED_BIAS, buildAttentionGraph } from "./attention-graph.js";
export type { AttentionGraphKind } from "./attention-graph.js";
export { BLOCK_SCORE_BYTES_PER_THREAD, DEFAULT_CHUNK_ROWS, MIN_BLOCK_KEYS, blockKeysFor, diagonalBias, planAttentionChunks } from "./attention-plan.js";
export type { AttentionChunk } from "./attention-plan.js";
