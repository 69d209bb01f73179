// Typed errors of the CUDA backend (STYLE.md G7): CudaError for a failed op (BACKEND_FAILED, naming the op and the
// CUDA/cuBLAS status), CudaUnavailableError when CUDA cannot run here (BACKEND_UNAVAILABLE with a reason code).

import { BackendError } from "@apb/core";

/** Failure families of a native op (the addon's Status kinds) plus ops this backend does not have yet. */
export type CudaErrorKind = "cuda" | "cublas" | "cudnn" | "invalid-argument" | "not-loaded" | "closed" | "internal" | "not-implemented";

const KINDS: ReadonlySet<string> = new Set(["cuda", "cublas", "cudnn", "invalid-argument", "not-loaded", "closed", "internal", "not-implemented"]);

/** Why CUDA cannot run here. Codes are stable; branch on them, never on the message. */
export type CudaUnavailableReason = "BINARY_MISSING" | "LOAD_FAILED" | "NO_DRIVER" | "NO_DEVICE" | "CUDA_INIT_FAILED" | "CUBLASLT_MISSING";

/** The fields the addon sets on the Errors it throws (code "APB_CUDA_NATIVE"). */
interface NativeErrorFields {
  readonly code: "APB_CUDA_NATIVE";
  readonly message: string;
  readonly kind: string;
  readonly op: string;
  readonly status: number;
  readonly statusName: string;
  readonly where: string;
}

/** A native op failed. `data` carries op, kind, status (cudaError_t / cublasStatus_t), statusName and where. */
export class CudaError extends BackendError {
  readonly op: string;
  readonly kind: CudaErrorKind;
  readonly status: number;
  readonly statusName: string;

  constructor(o: { op: string; kind: CudaErrorKind; status: number; statusName: string; message: string; where?: string; cause?: unknown }) {
    super("BACKEND_FAILED", `cuda ${o.op}: ${o.message}`, {
      cause: o.cause,
      data: { backend: "cuda", op: o.op, kind: o.kind, status: o.status, statusName: o.statusName, where: o.where ?? "" },
    });
    this.name = "CudaError";
    this.op = o.op;
    this.kind = o.kind;
    this.status = o.status;
    this.statusName = o.statusName;
  }
}

/** CUDA cannot run here; `reason` says why (also in data.reason, which survives serialisation across threads). */
export class CudaUnavailableError extends BackendError {
  readonly reason: CudaUnavailableReason;

  constructor(reason: CudaUnavailableReason, message: string, detail: readonly string[] = []) {
    super("BACKEND_UNAVAILABLE", `cuda backend unavailable (${reason}): ${message}`, { data: { backend: "cuda", reason, detail: [...detail] } });
    this.name = "CudaUnavailableError";
    this.reason = reason;
  }
}

function isNativeError(err: unknown): err is NativeErrorFields {
  return err instanceof Error && (err as Partial<NativeErrorFields>).code === "APB_CUDA_NATIVE";
}

/** Converts what the addon threw (or anything else) into a CudaError naming `op`. */
export function toCudaError(err: unknown, op: string): CudaError {
  if (err instanceof CudaError) return err;
  if (isNativeError(err)) {
    const kind = KINDS.has(err.kind) ? (err.kind as CudaErrorKind) : "internal";
    return new CudaError({ op: err.op || op, kind, status: err.status, statusName: err.statusName, message: err.message, where: err.where, cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new CudaError({ op, kind: "internal", status: 0, statusName: "", message, cause: err });
}

/** The typed error for an op this backend does not implement yet (never a silent stub). */
export function notImplemented(op: string, what: string): CudaError {
  return new CudaError({ op, kind: "not-implemented", status: 0, statusName: "NotImplemented", message: `${what} is not implemented on the GPU yet` });
}
