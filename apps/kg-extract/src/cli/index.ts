// Public names of the cli concept: command definitions, option builders, streams, the progress bar and exit codes.
export { defineCommand } from "./command.js";
export type { Command, CommandSpec, OptionsSchema } from "./command.js";
export { choiceArg, flagArg, help, intArg, listArg, textArg } from "./option-types.js";
export { processIo } from "./cli-io.js";
export type { CliIo, TextSink } from "./cli-io.js";
export { ProgressBar } from "./progress-bar.js";
export type { ProgressOptions } from "./progress-bar.js";
export { EXIT, exitCodeOf, reportError } from "./report-error.js";
