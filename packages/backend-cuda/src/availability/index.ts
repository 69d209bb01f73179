// Public names of the availability concept.
export { backendAvailability, cudaAvailability, probeCudaAvailability } from "./cuda-availability.js";
export type { AvailabilityDeps, CudaAvailability, CudaDevice } from "./cuda-availability.js";
export { CUBLASLT_SONAMES, CUDNN_SONAMES, cublasLtCandidates, cudnnCandidates, sitePackageDirs } from "./cublas-paths.js";
export type { PathProbe } from "./cublas-paths.js";
