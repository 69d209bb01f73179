// Public names of the errors concept.
export { CudaError, CudaUnavailableError, notImplemented, toCudaError } from "./cuda-errors.js";
export type { CudaErrorKind, CudaUnavailableReason } from "./cuda-errors.js";
