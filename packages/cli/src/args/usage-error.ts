// The CLI's usage error: a bad flag, value or combination. A user error (exit 2) that names the fix.

import { ApbError } from "@apb/core";
import { DEFAULT_PROGRAM } from "../output/index.js";

/** A command line that cannot run as given. `data.help` names the help command (`<program> [<command>] --help`). */
export class UsageError extends ApbError {
  constructor(message: string, command?: string, program: string = DEFAULT_PROGRAM) {
    super("INPUT_INVALID", message, { data: { help: command === undefined ? `${program} --help` : `${program} ${command} --help` } });
    this.name = "UsageError";
  }
}
