// Per-layer graphs built from the model weights, and the load-time weight re-layout they use.
export { buildAttnInGraph, buildAttnOutGraph, buildHeadsGraph, buildLogitsGraph } from "./layer-graphs.js";
export { concatVectors, stackTransposed, transposed } from "./weight-layout.js";
