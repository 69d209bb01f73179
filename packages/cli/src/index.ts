// @apb/cli: the `apb` command (demo, generate, bench); `runCli` runs it in-process.
export { COMMANDS, runCli } from "./commands/index.js";
export type { BenchLine, BenchOptions, BenchRow, GenerateOptions, OpProfile } from "./commands/index.js";
export { processIo } from "./output/index.js";
export type { CliIo, TextSink } from "./output/index.js";
