// Public names of the device concept: device tensors, the typed addon wrapper, per-op scopes.
export { CudaTensor, dtypeBytes, dtypeCode } from "./cuda-tensor.js";
export type { DeviceDType } from "./cuda-tensor.js";
export { DeviceOps } from "./device-ops.js";
export { OpScope, withScope } from "./op-scope.js";
