// Public names of the selection concept.
export { MAX_POOL_KERNEL, allRows, expandScores, maxPoolRows, randomScores, topKPerChannel } from "./select.js";
export type { TopKSpec } from "./select.js";
