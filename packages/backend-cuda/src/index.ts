// @apb/backend-cuda: the Backend contract on NVIDIA GPUs through a Node-API addon (apb_cuda.node); reports itself
// unavailable, with a reason code, where the addon, the driver, a device or cuBLASLt is missing.
export { CudaBackend, createBackend, cudaBackendOptionsSchema, parseCudaBackendOptions } from "./backend/index.js";
export type { CudaBackendOptions, ResolvedCudaBackendOptions } from "./backend/index.js";
export { backendAvailability, cudaAvailability, cublasLtCandidates, cudnnCandidates } from "./availability/index.js";
export type { CudaAvailability, CudaDevice } from "./availability/index.js";
export { CudaError, CudaUnavailableError } from "./errors/index.js";
export type { CudaErrorKind, CudaUnavailableReason } from "./errors/index.js";
export { CudaTensor } from "./device/index.js";
export type { DeviceDType } from "./device/index.js";
export type { NativeMemoryInfo as CudaMemoryInfo } from "./native/index.js";
