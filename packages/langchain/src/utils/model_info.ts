// What ChatAPB reports about its model without loading it: the context size (for LangChain's profile, a sync getter)
// and a display name.

import { readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { parseModelConfig } from "@apb/core";
import { modelTinyPath } from "@apb/model-tiny";

/** The model's positions (config.json max_position_embeddings), or undefined when the folder has no readable config. */
export function readMaxPositions(modelDir: string): number | undefined {
  try {
    return parseModelConfig(JSON.parse(readFileSync(join(modelDir, "config.json"), "utf8")) as unknown).maxPositions;
  } catch {
    return undefined;
  }
}

/** "apb-model-tiny" for the shipped model, else the checkpoint folder's name. */
export function defaultModelName(modelDir: string): string {
  return resolve(modelDir) === resolve(modelTinyPath()) ? "apb-model-tiny" : basename(resolve(modelDir));
}

/** This package's version (package.json sits one level above both src/ and dist/). */
export function packageVersion(): string {
  try {
    const v = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: unknown }).version;
    return typeof v === "string" ? v : "unknown";
  } catch {
    return "unknown";
  }
}

/** `topP` → `top_p`: the wire names of invocation params (LangChain and LangSmith use snake_case). */
export function snakeKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v]));
}
