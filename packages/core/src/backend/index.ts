// Public names of the backend concept.
export type { AttentionMask, AttentionResult, AttnInput, Backend, BackendFactory, BackendInit } from "./backend.js";
