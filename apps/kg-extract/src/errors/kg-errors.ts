// Typed errors of kg-extract (STYLE.md G7): subclasses of the SDK's ApbError, so that codes, `isUserError` (exit 2)
// and serialisation work as everywhere else in the SDK.

import { UsageError as ToolkitUsageError } from "@apb/cli/toolkit";
import { ApbError } from "@apb/core";

/** A command line that cannot run as given: the toolkit's UsageError, pointing at `kg-extract [<command>] --help`. */
export class UsageError extends ToolkitUsageError {
  constructor(message: string, command?: string) {
    super(message, command, "kg-extract");
    this.name = "UsageError";
  }
}

/** A corpus that cannot be read: a missing folder, a bad `.jsonl` line, an unreadable file. */
export class CorpusError extends ApbError {
  constructor(message: string, data?: Record<string, unknown>) {
    super("INPUT_INVALID", message, data === undefined ? undefined : { data });
    this.name = "CorpusError";
  }
}

/** A prompt-template file that does not parse or lacks its placeholders. */
export class TemplateError extends ApbError {
  constructor(message: string, data?: Record<string, unknown>) {
    super("CONFIG_INVALID", message, data === undefined ? undefined : { data });
    this.name = "TemplateError";
  }
}

/**
 * The graph database: a file that is not a kg-extract database or has another schema version (a user error),
 * or a SQLite failure while writing (internal).
 */
export class StoreError extends ApbError {
  constructor(code: "INPUT_INVALID" | "INTERNAL", message: string, options?: { cause?: unknown; data?: Record<string, unknown> }) {
    super(code, message, options);
    this.name = "StoreError";
  }
}

/**
 * The corpus-flow path (`--redis`): a prompt template whose context the workers cannot tokenise into the ids a local
 * run uses (CONFIG_INVALID), or a worker's result kg-extract cannot read (INTERNAL).
 */
export class FlowError extends ApbError {
  constructor(code: "CONFIG_INVALID" | "INTERNAL", message: string, data?: Record<string, unknown>) {
    super(code, message, data === undefined ? undefined : { data });
    this.name = "FlowError";
  }
}
