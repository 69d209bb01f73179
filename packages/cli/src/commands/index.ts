// Public names of the commands concept: the dispatcher and the command definitions.
export { COMMANDS, runCli } from "./run-cli.js";
export { benchCommand } from "./bench.js";
export { demoCommand } from "./demo.js";
export { generateCommand } from "./generate.js";
export { generateOptions } from "./generate-options.js";
export type { GenerateOptions } from "./generate-options.js";
export { benchOptions } from "./bench-options.js";
export type { BenchOptions } from "./bench-options.js";
export type { BenchLine } from "./bench-line.js";
export type { BenchRow } from "./bench-report.js";
export type { OpProfile } from "./op-profile.js";
