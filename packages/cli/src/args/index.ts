// Public names of the args concept: command definitions, option builders, parsing and help.
export { defineCommand } from "./command.js";
export type { Command, CommandSpec, OptionsSchema } from "./command.js";
export { formatCommandHelp, formatMainHelp } from "./help-text.js";
export type { MainHelpOptions } from "./help-text.js";
export { choiceArg, choiceListArg, flagArg, help, intArg, intListArg, listArg, numberArg, repeatArg, textArg } from "./option-types.js";
export type { Bounds } from "./option-types.js";
export { flagName, optionTable } from "./option-table.js";
export type { OptionRow } from "./option-table.js";
export { parseCommandLine } from "./parse-command-line.js";
export type { ParsedLine } from "./parse-command-line.js";
export { UsageError } from "./usage-error.js";
