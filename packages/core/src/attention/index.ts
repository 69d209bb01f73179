// Public names of the attention concept (the LSE merge; the attention op itself is a backend op).
export { mergePartials, mergePartialsNaive } from "./lse-merge.js";
export type { Partial } from "./lse-merge.js";
