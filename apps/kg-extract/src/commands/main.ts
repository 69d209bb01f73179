// The `kg-extract` dispatcher: picks the command by name, prints the main help, and turns failures into exit codes
// (0 ok, 2 user error, 1 internal, 130 interrupted), as the `apb` CLI does.

import { EXIT, formatMainHelp, reportError } from "@apb/cli/toolkit";
import type { CliIo, Command } from "@apb/cli/toolkit";
import { toApbError } from "@apb/core";
import { UsageError } from "../errors/index.js";
import { benchCommand } from "./bench-command.js";
import { exportCommand } from "./export-command.js";
import { PROGRAM } from "./program.js";
import { runCommand } from "./run-command.js";
import { viewCommand } from "./view-command.js";

/** Every command, in help order. */
export const COMMANDS: readonly Command[] = [runCommand, exportCommand, viewCommand, benchCommand];

function mainHelp(): string {
  return formatMainHelp(COMMANDS, {
    program: PROGRAM,
    description: "knowledge-graph extraction over a corpus with the APB engine (local or on worker groups)",
    interruptible: true,
  });
}

/** Runs `kg-extract <argv...>` and returns the exit code (never throws). */
export async function runKgExtract(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const [name, ...rest] = argv;
    if (name === undefined) {
      io.stderr.write(mainHelp());
      return EXIT.usage;
    }
    if (name === "--help" || name === "-h" || name === "help") {
      io.stdout.write(mainHelp());
      return EXIT.ok;
    }
    const command = COMMANDS.find((c) => c.name === name);
    if (command === undefined) throw new UsageError(`unknown command "${name}"; the commands are ${COMMANDS.map((c) => c.name).join(", ")}`);
    return await command.execute(rest, io);
  } catch (err) {
    // toApbError: every failure is reported with its code (INTERNAL for a plain Error).
    return reportError(toApbError(err), io, { program: PROGRAM, json: argv.includes("--json"), explainInterrupt: true });
  }
}
