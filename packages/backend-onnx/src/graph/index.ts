// Building ONNX graphs in TypeScript: the builder and the composite ops the layer graphs share.
export { GraphBuilder, attrFloat, attrInt, attrInts } from "./graph-builder.js";
export type { BuiltGraph, Dim } from "./graph-builder.js";
export { linearOp, rmsNormOp, ropeOp, siluOp } from "./composite-ops.js";
