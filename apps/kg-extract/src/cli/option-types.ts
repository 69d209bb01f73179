// Zod builders for option values as they arrive on the command line (strings), with messages that say what to
// give; each command's schema is built from these (STYLE.md G14: one definition per option).

import { z } from "zod";
import type { GlobalMeta } from "zod";

const INTEGER = /^[-+]?\d+$/;

/** An integer flag value ("--hosts 4"). */
export function intArg(b: { min?: number; max?: number } = {}) {
  let n = z.number().int();
  if (b.min !== undefined) n = n.min(b.min, `must be at least ${b.min}`);
  if (b.max !== undefined) n = n.max(b.max, `must be at most ${b.max}`);
  return z.string().trim().regex(INTEGER, "must be an integer").transform(Number).pipe(n);
}

/** A non-empty string flag value. */
export function textArg() {
  return z.string().min(1, "must not be empty");
}

/** One of fixed values ("--strategy apb"). */
export function choiceArg<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `must be one of ${values.join(", ")}` });
}

/** A comma-separated list of names ("--group g1,g2"). */
export function listArg() {
  return z
    .string()
    .transform((s) => s.split(",").map((x) => x.trim()).filter((x) => x !== ""))
    .pipe(z.array(z.string()).min(1, "needs at least one value"));
}

/** A boolean switch ("--json"). */
export function flagArg() {
  return z.boolean().default(false);
}

/** Help metadata of one option: what it does and the placeholder shown after the flag. */
export function help(description: string, value?: string): GlobalMeta {
  return value === undefined ? { description } : { description, value };
}
