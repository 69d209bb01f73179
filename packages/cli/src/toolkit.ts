// @apb/cli/toolkit: the command-line toolkit behind `apb`, for other programs (kg-extract): zod-schema commands, option
// builders, help text, usage errors, streams, progress output and error reporting; without the `apb` commands.
export * from "./args/index.js";
export * from "./output/index.js";
