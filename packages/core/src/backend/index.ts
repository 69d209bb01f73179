// Public names of the backend concept.
export { numVisibleKeys } from "./backend.js";
export type { AttentionMask, AttentionResult, AttnInput, Backend, BackendFactory, BackendInit } from "./backend.js";
export { OpProfiler } from "./op-profiler.js";
export type { OpProfile } from "./op-profiler.js";
