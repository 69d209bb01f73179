// A command: name, help, ONE zod schema for all its options (flags are the kebab-case keys), and what it runs.
// Parsing (util.parseArgs, strict) and the help text are both derived from the schema, so they cannot drift.

import { parseArgs } from "node:util";
import type { ParseArgsConfig } from "node:util";
import type { z } from "zod";
import { UsageError } from "../errors/index.js";
import type { CliIo } from "./cli-io.js";

export type OptionsSchema = z.ZodObject<z.ZodRawShape>;

export interface CommandSpec<S extends OptionsSchema> {
  readonly name: string;
  readonly summary: string;
  /** The synopsis after `kg-extract <name>`. */
  readonly usage: string;
  readonly schema: S;
  readonly notes?: readonly string[];
  run(options: z.output<S>, io: CliIo): Promise<number>;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  help(): string;
  /** Parses argv (after the command name), runs, returns the exit code. @throws UsageError for a bad line */
  execute(argv: readonly string[], io: CliIo): Promise<number>;
}

interface OptionRow {
  readonly key: string;
  readonly flag: string;
  readonly type: "string" | "boolean";
  readonly value: string;
  readonly description: string;
  readonly required: boolean;
}

const flagName = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The option table of a schema: flag, parseArgs type, placeholder, description, required. */
function optionTable(schema: OptionsSchema): OptionRow[] {
  return Object.entries(schema.shape).map(([key, s]) => {
    const zs = s as z.ZodType;
    let def = zs._zod.def as unknown as { type: string; innerType?: z.ZodType };
    const required = def.type !== "optional" && def.type !== "default";
    while ((def.type === "default" || def.type === "optional") && def.innerType !== undefined) def = def.innerType._zod.def as unknown as typeof def;
    const meta = zs.meta() ?? {};
    const isBool = def.type === "boolean";
    return { key, flag: flagName(key), type: isBool ? "boolean" : "string", value: isBool ? "" : String(meta.value ?? "VALUE"), description: String(meta.description ?? ""), required };
  });
}

function formatHelp<S extends OptionsSchema>(spec: CommandSpec<S>): string {
  const rows = optionTable(spec.schema);
  const names = rows.map((r) => `--${r.flag}${r.value === "" ? "" : ` ${r.value}`}`);
  const col = Math.min(30, Math.max(...names.map((n) => n.length), 10) + 2);
  const lines = [`kg-extract ${spec.name} — ${spec.summary}`, "", `Usage: kg-extract ${spec.name} ${spec.usage}`, "", "Options:"];
  rows.forEach((r, i) => {
    const name = names[i]!;
    const pad = name.length + 2 > col ? `\n${" ".repeat(col + 2)}` : " ".repeat(col - name.length);
    lines.push(`  ${name}${pad}${r.description}${r.required ? " (required)" : ""}`);
  });
  lines.push(`  ${"-h, --help".padEnd(col)}show this help`);
  for (const note of spec.notes ?? []) lines.push("", note);
  return lines.join("\n") + "\n";
}

function translateParseError(err: unknown, command: string): unknown {
  const e = err as { code?: string; message?: string };
  if (typeof e.code !== "string" || !e.code.startsWith("ERR_PARSE_ARGS")) return err;
  return new UsageError(`${e.message ?? "bad command line"}`, command);
}

/** Parses and validates one command line. @throws UsageError */
function parseLine<S extends OptionsSchema>(spec: CommandSpec<S>, argv: readonly string[]): { help: true } | { help: false; options: z.output<S> } {
  const rows = optionTable(spec.schema);
  const options: NonNullable<ParseArgsConfig["options"]> = { help: { type: "boolean", short: "h" } };
  for (const r of rows) options[r.flag] = { type: r.type };
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw translateParseError(err, spec.name);
  }
  if (values.help === true) return { help: true };
  const raw: Record<string, unknown> = {};
  for (const r of rows) if (values[r.flag] !== undefined) raw[r.key] = values[r.flag];
  const result = spec.schema.safeParse(raw);
  if (result.success) return { help: false, options: result.data };
  const issue = result.error.issues[0]!;
  const row = rows.find((r) => r.key === issue.path[0]);
  if (issue.code === "custom" || row === undefined) throw new UsageError(issue.message, spec.name);
  const given = raw[row.key];
  const message = given === undefined ? `--${row.flag} is required: give --${row.flag} ${row.value}` : `--${row.flag} ${issue.message} (got ${JSON.stringify(given)})`;
  throw new UsageError(message, spec.name);
}

/** Wraps a spec into a runnable command. */
export function defineCommand<S extends OptionsSchema>(spec: CommandSpec<S>): Command {
  return {
    name: spec.name,
    summary: spec.summary,
    help: () => formatHelp(spec),
    async execute(argv, io) {
      const parsed = parseLine(spec, argv);
      if (parsed.help) {
        io.stdout.write(formatHelp(spec));
        return 0;
      }
      return spec.run(parsed.options, io);
    },
  };
}
