// Public names of the check concept: the GPU check program and its pieces (comparison, tolerances, suites).
export { compareArrays, compareExact } from "./compare.js";
export type { Comparison, Tolerance } from "./compare.js";
export { formatTable } from "./check-report.js";
export type { CheckRow } from "./check-report.js";
export { BACKEND_BF16, BACKEND_F32, FORWARD_BF16, FORWARD_F32, KERNEL_BF16, KERNEL_F32 } from "./tolerances.js";
export { asStored, roundBf16 } from "./device-arrays.js";
export { CHECK_SHAPE, runBackendChecks } from "./backend-checks.js";
export { runKernelSuite } from "./kernel-suite.js";
export { main, parseGpuCheckArgs, runGpuCheck } from "./gpu-check.js";
export type { GpuCheckOptions } from "./gpu-check.js";
