// Parses a command's argv with util.parseArgs (strict) and validates it with the command's zod schema;
// every failure becomes a UsageError that names the flag and what to give instead.

import { parseArgs } from "node:util";
import type { ParseArgsConfig } from "node:util";
import type { z } from "zod";
import { DEFAULT_PROGRAM } from "../output/index.js";
import type { CommandSpec, OptionsSchema } from "./command.js";
import { optionTable } from "./option-table.js";
import type { OptionRow } from "./option-table.js";
import { UsageError } from "./usage-error.js";

export type ParsedLine<S extends OptionsSchema> = { readonly help: true } | { readonly help: false; readonly options: z.output<S> };

type RawValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** Parses and validates one command line. @throws UsageError */
export function parseCommandLine<S extends OptionsSchema>(spec: CommandSpec<S>, argv: readonly string[]): ParsedLine<S> {
  const rows = optionTable(spec.schema);
  const options: NonNullable<ParseArgsConfig["options"]> = { help: { type: "boolean", short: "h" } };
  for (const r of rows) options[r.flag] = { type: r.type, multiple: r.multiple };
  let values: RawValues;
  try {
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values as RawValues;
  } catch (err) {
    throw translateParseError(err, rows, { command: spec.name, program: spec.program ?? DEFAULT_PROGRAM });
  }
  if (values.help === true) return { help: true };
  const raw: Record<string, unknown> = {};
  for (const r of rows) if (values[r.flag] !== undefined) raw[r.key] = values[r.flag];
  const result = spec.schema.safeParse(raw);
  if (!result.success) throw new UsageError(describeIssue(result.error.issues[0]!, rows, raw), spec.name, spec.program ?? DEFAULT_PROGRAM);
  return { help: false, options: result.data };
}

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return d[b.length]!;
}

function suggestion(given: string, rows: readonly OptionRow[]): string {
  const name = given.replace(/^-+/, "").split("=")[0]!;
  let best: OptionRow | undefined;
  let bestD = Infinity;
  for (const r of rows) {
    const dd = r.flag.startsWith(name) && name.length >= 2 ? 0 : distance(name, r.flag);
    if (dd < bestD) [best, bestD] = [r, dd];
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(name.length / 3)) ? `; did you mean --${best.flag}?` : "";
}

/** The command being parsed, as messages name it (`<program> <command>`). */
interface LineOwner {
  readonly command: string;
  readonly program: string;
}

function translateParseError(err: unknown, rows: readonly OptionRow[], owner: LineOwner): unknown {
  const e = err as { code?: string; message?: string };
  const quoted = /'([^']*)'/.exec(e.message ?? "")?.[1] ?? "";
  const flag = quoted.split(" ")[0]!;
  const row = rows.find((r) => `--${r.flag}` === flag);
  const usage = (message: string): UsageError => new UsageError(message, owner.command, owner.program);
  const shown = `\`${owner.program} ${owner.command}\``;
  switch (e.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return usage(`unknown option ${flag} for ${shown}${suggestion(flag, rows)}`);
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return usage(`unexpected argument "${quoted}": ${shown} takes only --flags (quote values with spaces)`);
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      if (/does not take an argument/.test(e.message ?? "")) return usage(`${flag} is a switch and takes no value`);
      if (/ambiguous/.test(e.message ?? "")) {
        return usage(`${flag} is missing its value (the next argument starts with "-"; write ${flag}=VALUE for a value that does)`);
      }
      return usage(`${flag} is missing its value: give ${flag} ${row?.value ?? "VALUE"}`);
    default:
      return err;
  }
}

function describeIssue(issue: z.core.$ZodIssue, rows: readonly OptionRow[], raw: Record<string, unknown>): string {
  if (issue.code === "custom") return issue.message;
  const key = issue.path[0];
  const row = rows.find((r) => r.key === key);
  if (row === undefined) return issue.message;
  const flag = `--${row.flag}`;
  const given = raw[row.key];
  if (given === undefined) return `${flag} is required: give ${flag} ${row.value}`.trimEnd();
  const shown = Array.isArray(given) && typeof issue.path[1] === "number" ? given[issue.path[1]] : given;
  const item = issue.path.length > 1 && !Array.isArray(given) ? ` (item ${Number(issue.path[1]) + 1})` : "";
  return `${flag}${item} ${issue.message} (got ${JSON.stringify(shown)})`;
}
