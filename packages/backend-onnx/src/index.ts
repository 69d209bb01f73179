// @apb/backend-onnx: the Backend contract on onnxruntime-node (CPU), graphs built in TypeScript from the weights.
export { OnnxBackend, createBackend } from "./backend/index.js";
export type { OnnxBackendOptions } from "./backend/index.js";
