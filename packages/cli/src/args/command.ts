// A command: its name, help, ONE zod schema for all its options, and what it runs. `defineCommand` erases the
// schema type so the dispatcher can hold commands of different schemas.

import type { z } from "zod";
import type { CliIo } from "../output/index.js";
import { formatCommandHelp } from "./help-text.js";
import { parseCommandLine } from "./parse-command-line.js";

/** The object schema of a command's options (flags are the kebab-case keys). */
export type OptionsSchema = z.ZodObject<z.ZodRawShape>;

export interface CommandSpec<S extends OptionsSchema> {
  readonly name: string;
  /** The program that runs the command, as its help and usage errors name it (default `apb`). */
  readonly program?: string;
  /** One line for `apb --help`. */
  readonly summary: string;
  /** The synopsis after `apb <name>`, e.g. `--model DIR [options]`. */
  readonly usage: string;
  readonly schema: S;
  /** Extra paragraphs printed after the options. */
  readonly notes?: readonly string[];
  /** Internal commands are left out of `apb --help`. */
  readonly hidden?: boolean;
  run(options: z.output<S>, io: CliIo): Promise<number>;
}

/** A command with its schema type erased. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly hidden: boolean;
  help(): string;
  /** Parses argv (after the command name), runs, and returns the exit code. @throws UsageError for a bad line */
  execute(argv: readonly string[], io: CliIo): Promise<number>;
}

/** Wraps a spec into a runnable command. */
export function defineCommand<S extends OptionsSchema>(spec: CommandSpec<S>): Command {
  return {
    name: spec.name,
    summary: spec.summary,
    hidden: spec.hidden ?? false,
    help: () => formatCommandHelp(spec),
    async execute(argv, io) {
      const parsed = parseCommandLine(spec, argv);
      if (parsed.help) {
        io.stdout.write(formatCommandHelp(spec));
        return 0;
      }
      return spec.run(parsed.options, io);
    },
  };
}
