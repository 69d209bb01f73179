// Benchmarks of the onnx backend (run the built ops-bench.js directly; nothing here is public API).
export { BENCH_SHAPE, attentionCases, attentionFlops, benchAttention, benchLayer, main } from "./ops-bench.js";
export type { AttentionCase } from "./ops-bench.js";
