// Public names of the runtime concept: the worker process and its options.
export { ApbWorker } from "./apb-worker.js";
export type { StartWorkerOptions } from "./apb-worker.js";
export { ConfigError } from "./worker-errors.js";
export { parseWorkerOptions, workerOptionsSchema } from "./worker-options.js";
export type { WorkerOptions, WorkerOptionsInput } from "./worker-options.js";
export { readSessionRecord } from "./session-registry.js";
export type { SessionRecord, SessionState } from "./session-registry.js";
