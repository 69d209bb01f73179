// Test-only helpers (excluded from the build): the shared numerical comparison.
export { expectClose } from "./expect-close.js";
export type { Tolerance } from "./expect-close.js";
