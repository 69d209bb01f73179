// The CLI's usage error: a bad flag, value or combination. A user error (exit 2) that names the fix.

import { ApbError } from "@apb/core";

/** A command line that cannot run as given. `data.help` names the help command to point at. */
export class UsageError extends ApbError {
  constructor(message: string, command?: string) {
    super("INPUT_INVALID", message, { data: { help: command === undefined ? "apb --help" : `apb ${command} --help` } });
    this.name = "UsageError";
  }
}
