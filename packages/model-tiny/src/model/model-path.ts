// Where the shipped checkpoint lies: the package's model/ folder, found from this module's own URL so that it
// works from src (tests), from dist (the build) and from an installed copy of the package.

import { fileURLToPath } from "node:url";

/** The files in the model folder that `ApbEngine.open` reads. */
export const MODEL_FILES = ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "retaining_heads.safetensors"] as const;

/** Absolute path of the shipped checkpoint folder (src/model and dist/model are both two levels below the package). */
export function modelTinyPath(): string {
  return fileURLToPath(new URL("../../model", import.meta.url));
}
