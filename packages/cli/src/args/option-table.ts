// Reads a command's zod schema into the option table that both the parser and the help text use:
// flag name, parseArgs type, placeholder, description, default, choices.

import type { z } from "zod";
import type { OptionsSchema } from "./command.js";

/** One option as the command line sees it. */
export interface OptionRow {
  /** Schema key (camelCase). */
  readonly key: string;
  /** Flag (kebab-case, without dashes). */
  readonly flag: string;
  readonly type: "string" | "boolean";
  readonly multiple: boolean;
  readonly required: boolean;
  /** Placeholder after the flag in help ("N", "DIR"); empty for switches. */
  readonly value: string;
  readonly description: string;
  /** The default as shown in help; undefined when there is none. */
  readonly defaultText: string | undefined;
}

/** The parts of zod 4's schema definitions that the table reads. */
interface Def {
  readonly type: string;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly defaultValue?: unknown;
  readonly entries?: Record<string, string>;
}

function defOf(s: z.ZodType): Def {
  return s._zod.def as unknown as Def;
}

/** camelCase → kebab-case ("maxTokens" → "max-tokens"). */
export function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function formatDefault(v: unknown): string | undefined {
  if (v === undefined || v === false) return undefined;
  if (Array.isArray(v)) return v.length === 0 ? undefined : v.join(",");
  return String(v);
}

/** Walks default/optional wrappers down to the value's own schema. */
function unwrap(schema: z.ZodType): { core: Def; required: boolean; defaultText: string | undefined } {
  let d = defOf(schema);
  let required = true;
  let defaultText: string | undefined;
  while ((d.type === "default" || d.type === "optional") && d.innerType !== undefined) {
    required = false;
    if (d.type === "default") defaultText = formatDefault(d.defaultValue);
    d = defOf(d.innerType);
  }
  return { core: d, required, defaultText };
}

function rowOf(key: string, schema: z.ZodType): OptionRow {
  const { core, required, defaultText } = unwrap(schema);
  const meta = schema.meta() ?? {};
  const isBool = core.type === "boolean";
  const choices = core.type === "enum" && core.entries !== undefined ? Object.values(core.entries).join("|") : undefined;
  const value = isBool ? "" : typeof meta.value === "string" ? meta.value : (choices ?? "VALUE");
  return {
    key,
    flag: flagName(key),
    type: isBool ? "boolean" : "string",
    multiple: core.type === "array",
    required,
    value,
    description: meta.description ?? "",
    defaultText,
  };
}

/** Every option of a command schema, in declaration order. */
export function optionTable(schema: OptionsSchema): OptionRow[] {
  return Object.entries(schema.shape).map(([key, s]) => rowOf(key, s as z.ZodType));
}
