// Public names of the reference backend concept: the oracle backend and the CPU tensor helpers other CPU backends share.
export { CpuBackendBase } from "./cpu-backend-base.js";
export { ReferenceBackend, createReferenceBackend } from "./reference-backend.js";
export { checkAttentionInputs, referenceAttention } from "./reference-attention.js";
export { appendCapacityRows, appendRowsCpu, checkRowSize, concatRowsCpu, gatherHeadsCpu, queryScoresCpu, sliceRowsCpu, uploadCpu } from "./cpu-tensor-ops.js";
export type { HeadDims } from "./cpu-tensor-ops.js";
export { checkBackendInit } from "./weight-checks.js";
