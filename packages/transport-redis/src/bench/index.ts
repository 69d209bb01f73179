// The bench concept: a runner for a request's hosts inside one process; transport-bench.ts is a runnable script.
export { runLocalGroup } from "./local-group.js";
export type { LocalModel, LocalRunArgs } from "./local-group.js";
