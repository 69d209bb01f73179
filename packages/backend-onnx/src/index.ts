// @apb/backend-onnx: the Backend contract on onnxruntime-node (CPU), graphs built in TypeScript from the weights.
export {};
