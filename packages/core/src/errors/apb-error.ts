// The one error base of the SDK: every failure carries a serialisable string code (STYLE.md G7).

/** Every error code the SDK can raise. Codes cross process boundaries; messages are for people. */
export type ApbErrorCode =
  | "CONFIG_INVALID"
  | "CONFIG_MISSING"
  | "ARCHITECTURE_UNSUPPORTED"
  | "SAFETENSORS_INVALID"
  | "TENSOR_MISSING"
  | "TENSOR_SHAPE"
  | "TOKENIZER_INVALID"
  | "PLAN_INVALID"
  | "INPUT_INVALID"
  | "TOKEN_OUT_OF_VOCAB"
  | "PROMPT_TOO_LONG"
  | "SESSION_NOT_FOUND"
  | "SESSION_EXPIRED"
  | "BACKEND_UNAVAILABLE"
  | "BACKEND_FAILED"
  | "FRAME_INVALID"
  | "TRANSPORT_TIMEOUT"
  | "TRANSPORT_CLOSED"
  | "HOST_FAILED"
  | "ABORTED"
  /** A model's answer is not in the shape the caller asked for (e.g. not JSON for structured output). */
  | "OUTPUT_INVALID"
  | "INTERNAL";

/** The wire form of an error: what crosses a thread, a process or Redis. */
export interface SerializedApbError {
  readonly code: ApbErrorCode;
  readonly message: string;
  readonly data?: Record<string, unknown>;
}

/** Base class of all SDK errors. `code` is stable; branch on it, never on message text. */
export class ApbError extends Error {
  readonly code: ApbErrorCode;
  readonly data: Record<string, unknown> | undefined;

  constructor(code: ApbErrorCode, message: string, options?: { cause?: unknown; data?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ApbError";
    this.code = code;
    this.data = options?.data;
  }

  /** True for errors caused by what the user gave (CLI exit code 2), false for runtime failures. */
  get isUserError(): boolean {
    return USER_ERROR_CODES.has(this.code);
  }

  toJSON(): SerializedApbError {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
  }
}

const USER_ERROR_CODES: ReadonlySet<ApbErrorCode> = new Set<ApbErrorCode>([
  "CONFIG_INVALID",
  "CONFIG_MISSING",
  "ARCHITECTURE_UNSUPPORTED",
  "SAFETENSORS_INVALID",
  "TENSOR_MISSING",
  "TENSOR_SHAPE",
  "TOKENIZER_INVALID",
  "PLAN_INVALID",
  "INPUT_INVALID",
  "TOKEN_OUT_OF_VOCAB",
  "PROMPT_TOO_LONG",
  "SESSION_NOT_FOUND",
  "SESSION_EXPIRED",
]);

/** Model files (config.json, safetensors, tokenizer) that are missing or malformed. */
export class ModelError extends ApbError {
  constructor(code: ApbErrorCode, message: string, options?: { cause?: unknown; data?: Record<string, unknown> }) {
    super(code, message, options);
    this.name = "ModelError";
  }
}

/** Strategy settings or inputs that cannot be planned. */
export class PlanError extends ApbError {
  constructor(message: string, data?: Record<string, unknown>) {
    super("PLAN_INVALID", message, data === undefined ? undefined : { data });
    this.name = "PlanError";
  }
}

/** Bad request inputs: tokens out of vocabulary, prompts longer than the model's positions, bad options. */
export class InputError extends ApbError {
  constructor(code: "INPUT_INVALID" | "TOKEN_OUT_OF_VOCAB" | "PROMPT_TOO_LONG", message: string, data?: Record<string, unknown>) {
    super(code, message, data === undefined ? undefined : { data });
    this.name = "InputError";
  }
}

/** A context session that does not exist (never opened, closed) or whose time to live ran out. */
export class SessionError extends ApbError {
  constructor(code: "SESSION_NOT_FOUND" | "SESSION_EXPIRED", message: string, data?: Record<string, unknown>) {
    super(code, message, data === undefined ? undefined : { data });
    this.name = "SessionError";
  }
}

/** Transport failures: bad frames, timeouts, closed channels, a failed peer host. */
export class TransportError extends ApbError {
  constructor(
    code: "FRAME_INVALID" | "TRANSPORT_TIMEOUT" | "TRANSPORT_CLOSED" | "HOST_FAILED" | "ABORTED",
    message: string,
    options?: { cause?: unknown; data?: Record<string, unknown> },
  ) {
    super(code, message, options);
    this.name = "TransportError";
  }
}

/** A backend that cannot run here, or an op that failed inside it. */
export class BackendError extends ApbError {
  constructor(code: "BACKEND_UNAVAILABLE" | "BACKEND_FAILED", message: string, options?: { cause?: unknown; data?: Record<string, unknown> }) {
    super(code, message, options);
    this.name = "BackendError";
  }
}

/** Rebuilds an error from its wire form, choosing the class by code (never by message text). */
export function deserializeError(e: SerializedApbError): ApbError {
  const opts = e.data === undefined ? undefined : { data: e.data };
  switch (e.code) {
    case "PLAN_INVALID":
      return new PlanError(e.message, e.data);
    case "INPUT_INVALID":
    case "TOKEN_OUT_OF_VOCAB":
    case "PROMPT_TOO_LONG":
      return new InputError(e.code, e.message, e.data);
    case "SESSION_NOT_FOUND":
    case "SESSION_EXPIRED":
      return new SessionError(e.code, e.message, e.data);
    case "FRAME_INVALID":
    case "TRANSPORT_TIMEOUT":
    case "TRANSPORT_CLOSED":
    case "HOST_FAILED":
    case "ABORTED":
      return new TransportError(e.code, e.message, opts);
    case "BACKEND_UNAVAILABLE":
    case "BACKEND_FAILED":
      return new BackendError(e.code, e.message, opts);
    case "CONFIG_INVALID":
    case "CONFIG_MISSING":
    case "ARCHITECTURE_UNSUPPORTED":
    case "SAFETENSORS_INVALID":
    case "TENSOR_MISSING":
    case "TENSOR_SHAPE":
    case "TOKENIZER_INVALID":
      return new ModelError(e.code, e.message, opts);
    default:
      return new ApbError(e.code, e.message, opts);
  }
}

/** Wraps anything thrown into an ApbError (unknown failures become INTERNAL, keeping the cause). */
export function toApbError(err: unknown): ApbError {
  if (err instanceof ApbError) return err;
  if (err instanceof Error && err.name === "AbortError") return new TransportError("ABORTED", err.message || "aborted", { cause: err });
  const message = err instanceof Error ? err.message : String(err);
  return new ApbError("INTERNAL", message, { cause: err });
}
