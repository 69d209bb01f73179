// Messages between the group (main thread) and its host worker threads. Typed unions; transport messages
// (put/take/fail and their replies) are defined with the port transport.

import type { OpProfile } from "../backend/index.js";
import type { SerializedApbError } from "../errors/index.js";
import type { ModelConfig, ModelWeights, RetainingHeadWeights } from "../model/types.js";
import type { GroupPlan } from "../plan/index.js";
import type { SamplingParams } from "../sampling/index.js";
import type { HubReply, HubRequest } from "../transport/index.js";
import type { HostRequestResult } from "./host-request.js";

/**
 * Which backend a host builds: a built-in name or a module exporting `createBackend`. "cuda" is @apb/backend-cuda
 * (it fails with BACKEND_UNAVAILABLE and a reason code where CUDA cannot run); "auto" takes cuda when its module's
 * `backendAvailability()` says it can run here, else onnx.
 */
export type BackendSpec = "reference" | "onnx" | "cuda" | "auto" | { readonly module: string };

/** A model loaded once by the group, its arrays in SharedArrayBuffers (no copy per host thread). */
export interface SharedModel {
  readonly config: ModelConfig;
  readonly weights: ModelWeights;
  readonly heads: RetainingHeadWeights | undefined;
}

export interface HostInit {
  readonly host: number;
  readonly numHosts: number;
  /** The checkpoint folder (the last host loads its tokenizer from it for stop strings). */
  readonly modelDir: string;
  readonly model: SharedModel;
  readonly backend: BackendSpec;
  readonly threads: number;
}

/**
 * What a request does with the hosts' caches: `generate` prefills and answers once (the default cache); `prefill`
 * opens a session (prefill only, the cache stays under the session id); `ask` answers against an open session.
 */
export type RunMode = { readonly kind: "generate" } | { readonly kind: "prefill"; readonly session: string } | { readonly kind: "ask"; readonly session: string };

/** How a host exchanges frames: through the in-process hub, or a transport module loaded in the host thread. */
export type TransportSpec =
  | { readonly kind: "hub" }
  | { readonly kind: "module"; readonly module: string; readonly requestKey: string; readonly options: unknown };

/** Progress of one host through a request. */
export interface HostProgress {
  readonly phase: "prefill" | "query" | "decode";
  /** prefill: layers done; decode: tokens so far. */
  readonly done: number;
  readonly total: number;
}

export interface RunRequest {
  readonly req: number;
  readonly transport: TransportSpec;
  readonly plan: GroupPlan;
  readonly sampling: SamplingParams;
  readonly stepTimeoutMs: number;
  readonly mode: RunMode;
  readonly dumpCache: boolean;
  readonly profile: boolean;
  readonly keepLogits: boolean;
}

/** Main → worker. */
export type ToHost =
  | ({ readonly t: "init" } & HostInit)
  | ({ readonly t: "run" } & RunRequest)
  | { readonly t: "abort"; readonly req: number }
  | { readonly t: "closeSession"; readonly session: string }
  | { readonly t: "close" }
  | HubReply;

/** A host's finished request, with its cache contents when asked (tests). */
export interface HostDone {
  readonly result: HostRequestResult;
  readonly cache: { k: Float32Array; v: Float32Array }[] | undefined;
  /** Milliseconds per backend op on this host, when profiling was asked. */
  readonly profile: OpProfile | undefined;
}

/** The backend a host runs (its Backend.name) and, when "auto" did not take CUDA, why. */
export interface BackendInfo {
  readonly name: string;
  readonly note?: string;
}

/** Worker → main. */
export type FromHost =
  | { readonly t: "ready"; readonly host: number; readonly backend: BackendInfo }
  | { readonly t: "initFailed"; readonly host: number; readonly error: SerializedApbError }
  | { readonly t: "token"; readonly req: number; readonly host: number; readonly token: number; readonly index: number }
  | ({ readonly t: "progress"; readonly req: number; readonly host: number } & HostProgress)
  | ({ readonly t: "done"; readonly req: number; readonly host: number } & HostDone)
  | { readonly t: "failed"; readonly req: number; readonly host: number; readonly error: SerializedApbError }
  | HubRequest;
