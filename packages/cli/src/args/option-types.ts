// Zod builders for option values as they arrive on the command line (strings), with messages that say what
// to give. Each command's schema is built from these (STYLE.md G14: one definition per option).

import { z } from "zod";
import type { GlobalMeta } from "zod";

const INTEGER = /^[-+]?\d+$/;
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

export interface Bounds {
  readonly min?: number;
  readonly max?: number;
  /** Exclusive lower bound (e.g. top-p > 0). */
  readonly gt?: number;
}

function bounded(n: z.ZodNumber, b: Bounds): z.ZodNumber {
  let out = n;
  if (b.min !== undefined) out = out.min(b.min, `must be at least ${b.min}`);
  if (b.gt !== undefined) out = out.gt(b.gt, `must be greater than ${b.gt}`);
  if (b.max !== undefined) out = out.max(b.max, `must be at most ${b.max}`);
  return out;
}

/** An integer flag value ("--hosts 4"). */
export function intArg(b: Bounds = {}) {
  return z.string().trim().regex(INTEGER, "must be an integer").transform(Number).pipe(bounded(z.number().int(), b));
}

/** A decimal flag value ("--temperature 0.7"). */
export function numberArg(b: Bounds = {}) {
  return z.string().trim().regex(NUMBER, "must be a number").transform(Number).pipe(bounded(z.number(), b));
}

/** A non-empty string flag value. */
export function textArg() {
  return z.string().min(1, "must not be empty");
}

/** One of fixed values ("--strategy apb"). */
export function choiceArg<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `must be one of ${values.join(", ")}` });
}

function splitList(s: string): string[] {
  return s.split(",").map((x) => x.trim()).filter((x) => x !== "");
}

/** A comma-separated list of integers ("--lengths 4096,16384"). */
export function intListArg(b: Bounds = {}) {
  return z.string().transform(splitList).pipe(z.array(intArg(b)).min(1, "needs at least one value"));
}

/** A comma-separated list of names ("--group g1,g2"). */
export function listArg() {
  return z.string().transform(splitList).pipe(z.array(z.string()).min(1, "needs at least one value"));
}

/** A comma-separated list of fixed values ("--strategies full,apb"). */
export function choiceListArg<const T extends readonly [string, ...string[]]>(values: T) {
  return z.string().transform(splitList).pipe(z.array(choiceArg(values)).min(1, "needs at least one value"));
}

/** A boolean switch ("--json"). */
export function flagArg() {
  return z.boolean().default(false);
}

/** A repeatable string flag ("--stop A --stop B"). */
export function repeatArg() {
  return z.array(textArg()).default([]);
}

/** Help metadata of one option: what it does and the placeholder shown after the flag. */
export function help(description: string, value?: string): GlobalMeta {
  return value === undefined ? { description } : { description, value };
}
