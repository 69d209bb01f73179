// Value sets and option pieces shared by several commands (strategies, selections, backends, sampling defaults).

import { samplingSchema } from "@apb/core";
import { choiceArg, help, intArg } from "../args/index.js";

export const STRATEGIES = ["full", "ring", "star", "apb"] as const;
export const SELECTIONS = ["retaining-heads", "query", "random"] as const;
export const BACKENDS = ["onnx", "reference", "cuda", "auto"] as const;

/** Core's sampling defaults (defined once, in @apb/core). */
export const SAMPLING_DEFAULTS = samplingSchema.parse({});

export function backendOption(defaultBackend: (typeof BACKENDS)[number]) {
  return choiceArg(BACKENDS).default(defaultBackend).meta(help("compute backend: onnx (onnxruntime on CPU), reference (plain TypeScript), cuda (@apb/backend-cuda on an NVIDIA GPU) or auto (cuda when available, else onnx)"));
}

export function threadsOption() {
  return intArg({ min: 1, max: 1024 }).optional().meta(help("CPU threads per host (default: cores / hosts, at least 1)", "N"));
}
