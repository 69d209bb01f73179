// Value sets and option pieces shared by several commands (strategies, selections, backends, sampling defaults).

import { samplingSchema } from "@apb/core";
import { UsageError, choiceArg, help, intArg, textArg } from "../args/index.js";

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

/** The environment variable `--redis` falls back to, so a password need not appear in the process list. */
export const REDIS_URL_ENV = "APB_REDIS_URL";

export function redisOption() {
  return textArg()
    .optional()
    .meta(help(`Redis URL: redis://[user:password@]host[:port][/db], or rediss:// for TLS (default: $${REDIS_URL_ENV}, which keeps a password out of the process list)`, "URL"));
}

/**
 * `--redis` if given, else $APB_REDIS_URL.
 * @throws UsageError when neither is set
 */
export function redisUrl(flag: string | undefined, env: Readonly<Record<string, string | undefined>>, command: string): string {
  const url = flag ?? env[REDIS_URL_ENV];
  if (url === undefined || url.trim() === "") throw new UsageError(`--redis URL is required (or set ${REDIS_URL_ENV})`, command);
  return url;
}
