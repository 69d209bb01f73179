// Finds and loads apb_cuda.node without ever throwing: missing binary (built without nvcc), a load failure, or a
// stale binary that lacks a function are reported as a reason the availability check turns into a typed result.

import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { NATIVE_FUNCTIONS, TWIN_FUNCTIONS } from "./native-addon.js";
import type { NativeAddon } from "./native-addon.js";

/** The binary's file name (scripts/build-native.mjs writes build/apb_cuda.node). */
export const ADDON_FILE = "apb_cuda.node";

/** Loading the addon: the module, or why not. */
export type AddonLoad =
  | { readonly ok: true; readonly addon: NativeAddon; readonly path: string }
  | { readonly ok: false; readonly reason: "BINARY_MISSING" | "LOAD_FAILED"; readonly message: string; readonly searched: readonly string[] };

/**
 * Where the binary may be, in order: $APB_CUDA_ADDON alone when set; else build/ of this package (seen from src/native
 * or dist/native), then beside this file (a bundle in build/).
 */
export function addonCandidates(env: NodeJS.ProcessEnv, here: string = dirname(fileURLToPath(import.meta.url))): string[] {
  if (env.APB_CUDA_ADDON !== undefined && env.APB_CUDA_ADDON !== "") return [resolve(env.APB_CUDA_ADDON)];
  const list = [join(here, "..", "..", "build", ADDON_FILE), join(here, ADDON_FILE), join(here, "..", "build", ADDON_FILE)];
  return [...new Set(list.map((p) => resolve(p)))];
}

function missingExports(mod: Record<string, unknown>): string[] {
  const missing: string[] = NATIVE_FUNCTIONS.filter((name) => typeof mod[name] !== "function");
  const ref = mod.ref as Record<string, unknown> | undefined;
  for (const name of TWIN_FUNCTIONS) if (typeof ref?.[name] !== "function") missing.push(`ref.${name}`);
  return missing;
}

/** Loads the first existing candidate; never throws. */
export function loadAddonFrom(candidates: readonly string[]): AddonLoad {
  const path = candidates.find((p) => existsSync(p));
  if (path === undefined) {
    return {
      ok: false,
      reason: "BINARY_MISSING",
      message: `${ADDON_FILE} was not built (nvcc was not found at build time; run \`npm run build -w @apb/backend-cuda\` where nvcc exists)`,
      searched: candidates,
    };
  }
  let mod: Record<string, unknown>;
  try {
    mod = createRequire(import.meta.url)(path) as Record<string, unknown>;
  } catch (err) {
    return { ok: false, reason: "LOAD_FAILED", message: `${path} could not be loaded: ${(err as Error).message}`, searched: candidates };
  }
  const missing = missingExports(mod);
  if (missing.length > 0) {
    return { ok: false, reason: "LOAD_FAILED", message: `${path} is stale: it lacks ${missing.join(", ")} (rebuild it)`, searched: candidates };
  }
  return { ok: true, addon: mod as unknown as NativeAddon, path };
}

let loaded: AddonLoad | undefined;

/** The addon of this package, loaded once per thread (require caches the module itself). */
export function loadAddon(): AddonLoad {
  loaded ??= loadAddonFrom(addonCandidates(process.env));
  return loaded;
}
