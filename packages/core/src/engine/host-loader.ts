// Loads what one host needs inside its worker: model config and weights, retaining heads, the backend and,
// for stop strings, the tokenizer.

import { BackendError } from "../errors/index.js";
import type { Backend, BackendFactory, BackendInit } from "../backend/index.js";
import { createReferenceBackend } from "../backend-reference/index.js";
import { loadTokenizer } from "../model/index.js";
import type { ModelConfig } from "../model/types.js";
import type { BackendInfo, BackendSpec, HostInit } from "./messages.js";

export interface LoadedHost {
  readonly config: ModelConfig;
  readonly backend: Backend;
  /** The backend's name, and why "auto" fell back to onnx when it did. */
  readonly backendInfo: BackendInfo;
  /** Builds the stop-string check for a request (undefined when there are none or no tokenizer). */
  stopStringMatcher(stops: readonly string[]): ((tokens: readonly number[]) => boolean) | undefined;
}

const BUILT_IN_MODULES = { onnx: "@apb/backend-onnx", cuda: "@apb/backend-cuda" } as const;

/** What a backend module exports: its factory and, optionally, a probe the "auto" choice asks first. */
interface BackendModule {
  readonly createBackend?: unknown;
  readonly backendAvailability?: unknown;
}

/** The module specifier of a backend spec ("auto" is resolved by backendFactory, the reference backend is built in). */
export function backendModule(spec: Exclude<BackendSpec, "auto">): string | undefined {
  if (spec === "reference") return undefined;
  return typeof spec === "string" ? BUILT_IN_MODULES[spec] : spec.module;
}

async function importBackend(specifier: string): Promise<BackendModule> {
  try {
    return (await import(specifier)) as BackendModule;
  } catch (err) {
    throw new BackendError("BACKEND_UNAVAILABLE", `backend module ${specifier} could not be loaded: ${(err as Error).message}`, { cause: err });
  }
}

function factoryOf(mod: BackendModule, specifier: string): BackendFactory {
  if (typeof mod.createBackend !== "function") throw new BackendError("BACKEND_UNAVAILABLE", `backend module ${specifier} does not export createBackend`);
  return mod.createBackend as BackendFactory;
}

/** Why an availability probe's answer is "no", in one line (its reason code and message when it gives them). */
function probeRefusal(probe: unknown): string {
  if (typeof probe !== "object" || probe === null) return "its availability probe gave no answer";
  const p = probe as { reason?: unknown; message?: unknown };
  const reason = typeof p.reason === "string" ? p.reason : "unavailable";
  return typeof p.message === "string" ? `${reason}: ${p.message}` : reason;
}

/**
 * "auto": cuda when its module loads and its availability probe says yes, else onnx, with the reason in `note`.
 * Never fails over cuda.
 */
async function autoFactory(): Promise<{ factory: BackendFactory; note?: string }> {
  const specifier = BUILT_IN_MODULES.cuda;
  let why: string;
  try {
    const mod = await importBackend(specifier);
    const probe = typeof mod.backendAvailability === "function" ? await (mod.backendAvailability as () => unknown)() : undefined;
    if (typeof probe === "object" && probe !== null && (probe as { available?: unknown }).available === true) return { factory: factoryOf(mod, specifier) };
    why = probeRefusal(probe);
  } catch (err) {
    why = (err as Error).message; // not installed, or it cannot load here
  }
  return { ...(await backendFactory("onnx")), note: `auto chose onnx: cuda is not available here (${why})` };
}

async function backendFactory(spec: BackendSpec): Promise<{ factory: BackendFactory; note?: string }> {
  if (spec === "auto") return autoFactory();
  const specifier = backendModule(spec);
  if (specifier === undefined) return { factory: createReferenceBackend };
  return { factory: factoryOf(await importBackend(specifier), specifier) };
}

export async function loadHost(m: HostInit): Promise<LoadedHost> {
  const { config, weights, heads } = m.model;
  const init: BackendInit = { config, weights, heads, threads: m.threads, host: m.host, numHosts: m.numHosts };
  const { factory, note } = await backendFactory(m.backend);
  const backend = await factory(init);
  const tokenizer = m.host === m.numHosts - 1 ? await loadTokenizer(m.modelDir) : undefined;
  return {
    config,
    backend,
    backendInfo: { name: backend.name, ...(note === undefined ? {} : { note }) },
    stopStringMatcher(stops) {
      if (stops.length === 0 || tokenizer === undefined) return undefined;
      return (tokens) => {
        const text = tokenizer.decode(Int32Array.from(tokens), { skipSpecialTokens: false });
        return stops.some((s) => text.includes(s));
      };
    },
  };
}
