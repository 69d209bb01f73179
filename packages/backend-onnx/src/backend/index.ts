// The onnx backend class, its factory and options.
export { OnnxBackend, createBackend } from "./onnx-backend.js";
export type { OnnxBackendOptions } from "./onnx-backend.js";
