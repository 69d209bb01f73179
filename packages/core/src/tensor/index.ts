// Public names of the tensor concept.
export { CpuTensor } from "./tensor.js";
export type { Tensor } from "./tensor.js";
