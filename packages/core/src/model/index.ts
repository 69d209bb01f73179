// Public names of the model concept: config, weights, tokenizer, retaining heads, RoPE tables.
export { ropeInvFreq, ropeTables } from "./rope.js";
export type { LayerWeights, ModelConfig, ModelWeights, RetainingHeadLayer, RetainingHeadWeights, RopeScaling } from "./types.js";
