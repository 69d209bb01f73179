// Turns a failure into an exit code and a message on stderr: user errors (bad input) → 2 without a stack,
// interrupts → 130, anything else → 1 with the stack when APB_DEBUG=1.

import { ApbError } from "@apb/core";
import type { CliIo } from "./cli-io.js";

/** Exit codes of the `apb` command. */
export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

function debugEnabled(io: CliIo): boolean {
  const v = io.env.APB_DEBUG;
  return v !== undefined && v !== "" && v !== "0" && v !== "false";
}

/** Writes the error for a person and returns the exit code. */
export function reportError(err: unknown, io: CliIo): number {
  const debug = debugEnabled(io);
  if (err instanceof ApbError && err.isUserError) {
    io.stderr.write(`apb: ${err.message}\n`);
    const help = err.data?.help;
    if (typeof help === "string") io.stderr.write(`Run \`${help}\` for usage.\n`);
    if (debug && err.stack !== undefined) io.stderr.write(`${err.stack}\n`);
    return EXIT.usage;
  }
  if (err instanceof ApbError && err.code === "ABORTED") {
    io.stderr.write("apb: interrupted\n");
    return EXIT.interrupted;
  }
  const message = err instanceof Error ? err.message : String(err);
  const code = err instanceof ApbError ? ` [${err.code}]` : "";
  io.stderr.write(`apb: error${code}: ${message}\n`);
  if (debug) io.stderr.write(`${describeStack(err)}\n`);
  else io.stderr.write("Set APB_DEBUG=1 for the stack trace.\n");
  return EXIT.failure;
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
