// Public names of the backend concept: the CUDA backend, its factory and options.
export { CudaBackend, createBackend } from "./cuda-backend.js";
export { cudaBackendOptionsFromEnv, cudaBackendOptionsSchema, parseCudaBackendOptions } from "./backend-options.js";
export type { CudaBackendOptions, ResolvedCudaBackendOptions } from "./backend-options.js";
export type { DeviceLayer, DeviceModel } from "./device-model.js";
