// Building ONNX graphs in TypeScript: the builder and the composite ops the layer graphs share.
export { GraphBuilder, attrFloat, attrGraph, attrInt, attrInts } from "./graph-builder.js";
export type { BuiltGraph, Dim, ElemType } from "./graph-builder.js";
export { linearOp, rmsNormOp, ropeOp, siluOp } from "./composite-ops.js";
