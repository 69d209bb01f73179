// Loads what one host needs inside its worker: model config and weights, retaining heads, the backend and,
// for stop strings, the tokenizer.

import { BackendError } from "../errors/index.js";
import type { Backend, BackendFactory, BackendInit } from "../backend/index.js";
import { createReferenceBackend } from "../backend-reference/index.js";
import { loadTokenizer } from "../model/index.js";
import type { ModelConfig } from "../model/types.js";
import type { BackendSpec, HostInit } from "./messages.js";

export interface LoadedHost {
  readonly config: ModelConfig;
  readonly backend: Backend;
  /** Builds the stop-string check for a request (undefined when there are none or no tokenizer). */
  stopStringMatcher(stops: readonly string[]): ((tokens: readonly number[]) => boolean) | undefined;
}

/** The module specifier of a backend spec. */
export function backendModule(spec: BackendSpec): string | undefined {
  if (spec === "reference") return undefined;
  return spec === "onnx" ? "@apb/backend-onnx" : spec.module;
}

async function backendFactory(spec: BackendSpec): Promise<BackendFactory> {
  const specifier = backendModule(spec);
  if (specifier === undefined) return createReferenceBackend;
  let mod: { createBackend?: unknown };
  try {
    mod = (await import(specifier)) as { createBackend?: unknown };
  } catch (err) {
    throw new BackendError("BACKEND_UNAVAILABLE", `backend module ${specifier} could not be loaded: ${(err as Error).message}`, { cause: err });
  }
  if (typeof mod.createBackend !== "function") throw new BackendError("BACKEND_UNAVAILABLE", `backend module ${specifier} does not export createBackend`);
  return mod.createBackend as BackendFactory;
}

export async function loadHost(m: HostInit): Promise<LoadedHost> {
  const { config, weights, heads } = m.model;
  const init: BackendInit = { config, weights, heads, threads: m.threads, host: m.host, numHosts: m.numHosts };
  const backend = await (await backendFactory(m.backend))(init);
  const tokenizer = m.host === m.numHosts - 1 ? await loadTokenizer(m.modelDir) : undefined;
  return {
    config,
    backend,
    stopStringMatcher(stops) {
      if (stops.length === 0 || tokenizer === undefined) return undefined;
      return (tokens) => {
        const text = tokenizer.decode(Int32Array.from(tokens), { skipSpecialTokens: false });
        return stops.some((s) => text.includes(s));
      };
    },
  };
}
