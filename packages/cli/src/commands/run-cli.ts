// The `apb` dispatcher: picks the command by name, prints the main help, and turns failures into exit codes.

import { readFileSync } from "node:fs";
import { UsageError, formatMainHelp } from "../args/index.js";
import type { Command } from "../args/index.js";
import { EXIT, reportError } from "../output/index.js";
import type { CliIo } from "../output/index.js";
import { benchCommand } from "./bench.js";
import { benchOneCommand } from "./bench-one.js";
import { demoCommand } from "./demo.js";
import { evalCommand } from "./eval.js";
import { generateCommand } from "./generate.js";
import { submitCommand } from "./submit.js";
import { workerCommand } from "./worker.js";

/** Every command, in help order. */
export const COMMANDS: readonly Command[] = [demoCommand, generateCommand, evalCommand, benchCommand, benchOneCommand, workerCommand, submitCommand];

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: string };
    return pkg.version ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** Runs `apb <argv...>` and returns the exit code (never throws). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const [name, ...rest] = argv;
    if (name === undefined) {
      io.stderr.write(formatMainHelp(COMMANDS));
      return EXIT.usage;
    }
    if (name === "--help" || name === "-h" || name === "help") {
      io.stdout.write(formatMainHelp(COMMANDS));
      return EXIT.ok;
    }
    if (name === "--version" || name === "-v") {
      io.stdout.write(`${version()}\n`);
      return EXIT.ok;
    }
    const command = COMMANDS.find((c) => c.name === name);
    if (command === undefined) {
      const known = COMMANDS.filter((c) => !c.hidden).map((c) => c.name).join(", ");
      throw new UsageError(`unknown command "${name}"; the commands are ${known}`);
    }
    return await command.execute(rest, io);
  } catch (err) {
    return reportError(err, io);
  }
}
