// @apb/model-tiny: the small Llama with retaining heads we train and ship, and the generator of its
// synthetic long-context tasks (data format v3) with their scoring.
export * from "./model/index.js";
export * from "./tasks/index.js";
export * from "./facts/index.js";
