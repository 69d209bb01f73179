// Turns a failure into an exit code and a message on stderr: user errors (bad input) → 2 without a stack,
// interrupts → 130, anything else → 1 with the stack when APB_DEBUG=1. Optionally one JSON error object on stdout.

import { ApbError, toApbError } from "@apb/core";
import { DEFAULT_PROGRAM } from "./cli-io.js";
import type { CliIo } from "./cli-io.js";

/** Exit codes of the toolkit's programs (`apb`, `kg-extract`). */
export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

/** How `reportError` words its report. */
export interface ReportOptions {
  /** The prefix of every message (default `apb`). */
  readonly program?: string;
  /** Also write `{"ok":false,"error":{code,message,data}}` as one line on stdout (for `--json` runs). */
  readonly json?: boolean;
  /** On an interrupt, print the error's own message (what was kept, how to go on) instead of just "interrupted". */
  readonly explainInterrupt?: boolean;
}

function debugEnabled(io: CliIo): boolean {
  const v = io.env.APB_DEBUG;
  return v !== undefined && v !== "" && v !== "0" && v !== "false";
}

/** The exit code of an error: 2 for user errors, 130 for interrupts (ABORTED, AbortError), 1 otherwise. */
export function exitCodeOf(err: unknown): number {
  const e = toApbError(err);
  if (e.isUserError) return EXIT.usage;
  return e.code === "ABORTED" ? EXIT.interrupted : EXIT.failure;
}

/** Writes the error for a person (and as JSON on stdout with `json`) and returns the exit code. */
export function reportError(err: unknown, io: CliIo, o: ReportOptions = {}): number {
  const program = o.program ?? DEFAULT_PROGRAM;
  const debug = debugEnabled(io);
  const e = toApbError(err);
  const exit = exitCodeOf(e);
  if (o.json === true) io.stdout.write(JSON.stringify({ ok: false, error: e.toJSON() }) + "\n");
  if (exit === EXIT.usage) {
    io.stderr.write(`${program}: ${e.message}\n`);
    const help = e.data?.help;
    if (typeof help === "string") io.stderr.write(`Run \`${help}\` for usage.\n`);
    if (debug && e.stack !== undefined) io.stderr.write(`${e.stack}\n`);
    return exit;
  }
  if (exit === EXIT.interrupted) {
    io.stderr.write(`${program}: ${o.explainInterrupt === true && e.message !== "" ? e.message : "interrupted"}\n`);
    return exit;
  }
  const code = err instanceof ApbError ? ` [${err.code}]` : "";
  io.stderr.write(`${program}: error${code}: ${e.message}\n`);
  if (debug) io.stderr.write(`${describeStack(err)}\n`);
  else io.stderr.write("Set APB_DEBUG=1 for the stack trace.\n");
  return exit;
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
