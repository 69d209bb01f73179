// Typed errors of @apb/langchain (STYLE.md G7): bad options, an aborted call, an answer that is not the JSON asked for.
// Each carries a serialisable `code`; everything else ChatAPB throws is core's or the job layer's ApbError.

import { ApbError } from "@apb/core";

/** A ChatAPB option that cannot work (bad type or range, a missing group for a client, two backends at once). */
export class ChatAPBConfigError extends ApbError {
  constructor(message: string, data?: Record<string, unknown>) {
    super("CONFIG_INVALID", message, data === undefined ? undefined : { data });
    this.name = "ChatAPBConfigError";
  }
}

/**
 * A call whose AbortSignal fired (before it started or while it ran). Its `name` is "AbortError", as for a DOM abort,
 * so that LangChain's retry wrappers and user code that test `err.name === "AbortError"` recognise it.
 */
export class ChatAPBAbortError extends ApbError {
  constructor(message: string, cause?: unknown) {
    super("ABORTED", message, cause === undefined ? undefined : { cause });
    this.name = "AbortError";
  }
}

/** withStructuredOutput: the model's text is not JSON, or not the shape of the schema. `data.text` is the text. */
export class StructuredOutputError extends ApbError {
  constructor(message: string, data: { text: string; issues?: readonly string[] }) {
    super("OUTPUT_INVALID", message, { data });
    this.name = "StructuredOutputError";
  }

  /** The model's text that did not parse. */
  get llmOutput(): string {
    return String(this.data?.["text"] ?? "");
  }
}
