// Turns a failure into an exit code and a message on stderr (the `apb` CLI's convention): user errors → 2 without a
// stack, interrupts → 130, anything else → 1 with the stack when APB_DEBUG=1. With --json, one error object on stdout.

import { ApbError, toApbError } from "@apb/core";
import type { CliIo } from "./cli-io.js";

/** Exit codes of `kg-extract`. */
export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

function debugEnabled(io: CliIo): boolean {
  const v = io.env.APB_DEBUG;
  return v !== undefined && v !== "" && v !== "0" && v !== "false";
}

function describeStack(err: unknown): string {
  const parts: string[] = [];
  let cur: unknown = err;
  for (let depth = 0; cur instanceof Error && depth < 5; depth++) {
    parts.push(depth === 0 ? (cur.stack ?? cur.message) : `Caused by: ${cur.stack ?? cur.message}`);
    cur = cur.cause;
  }
  return parts.length > 0 ? parts.join("\n") : String(err);
}

/** The exit code of an error. */
export function exitCodeOf(err: unknown): number {
  const e = toApbError(err);
  if (e.isUserError) return EXIT.usage;
  return e.code === "ABORTED" ? EXIT.interrupted : EXIT.failure;
}

/** Writes the error for a person (and as JSON on stdout when `json`) and returns the exit code. */
export function reportError(err: unknown, io: CliIo, json = false): number {
  const e = toApbError(err);
  const code = exitCodeOf(e);
  if (json) io.stdout.write(JSON.stringify({ ok: false, error: e.toJSON() }) + "\n");
  if (code === EXIT.usage) {
    io.stderr.write(`kg-extract: ${e.message}\n`);
    const help = e.data?.help;
    if (typeof help === "string") io.stderr.write(`Run \`${help}\` for usage.\n`);
  } else if (code === EXIT.interrupted) io.stderr.write(`kg-extract: ${e.message || "interrupted"}\n`);
  else {
    io.stderr.write(`kg-extract: error [${e.code}]: ${e.message}\n`);
    if (!debugEnabled(io)) io.stderr.write("Set APB_DEBUG=1 for the stack trace.\n");
  }
  if (debugEnabled(io)) io.stderr.write(`${describeStack(err instanceof ApbError ? err : e)}\n`);
  return code;
}
