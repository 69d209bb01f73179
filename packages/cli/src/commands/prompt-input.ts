// Reads what `apb generate` runs on: the model folder check, prompt text from a flag or file, or token ids from
// a file. Every problem is a UsageError naming the flag and the fix.

import { readFile, stat } from "node:fs/promises";
import { UsageError } from "../args/index.js";

/** The prompt as the engine takes it, plus whether the input was text (which decides text vs ids output). */
export type PromptInput = { readonly kind: "text"; readonly prompt: string } | { readonly kind: "ids"; readonly ids: Int32Array };

/** @throws UsageError when `dir` is not an existing folder */
export async function checkModelDir(dir: string, command: string): Promise<void> {
  const s = await stat(dir).catch(() => undefined);
  if (s === undefined) throw new UsageError(`--model ${dir}: no such folder; point it at a checkpoint folder with config.json and *.safetensors`, command);
  if (!s.isDirectory()) throw new UsageError(`--model ${dir} is a file; point it at the checkpoint folder that contains config.json`, command);
}

async function readText(path: string, flag: string, command: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a folder" : code === "EACCES" ? "permission denied" : (err as Error).message;
    throw new UsageError(`${flag} ${path} cannot be read: ${why}`, command);
  }
}

/** Parses whitespace-separated non-negative integer token ids. @throws UsageError naming the first bad one */
export function parseIds(text: string, source: string, command: string): Int32Array {
  const parts = text.split(/\s+/).filter((p) => p !== "");
  if (parts.length === 0) throw new UsageError(`${source} holds no token ids; write whitespace-separated integers such as "1 17 42"`, command);
  const ids = new Int32Array(parts.length);
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    const n = Number(p);
    if (!/^\d+$/.test(p) || !Number.isSafeInteger(n) || n > 0x7fffffff) {
      throw new UsageError(`${source}: token ${i} is "${p.slice(0, 20)}", not a token id (a non-negative integer)`, command);
    }
    ids[i] = n;
  }
  return ids;
}

/** Reads the one prompt source given. */
export async function readPromptInput(o: { prompt?: string; promptFile?: string; idsFile?: string }, command: string): Promise<PromptInput> {
  if (o.idsFile !== undefined) return { kind: "ids", ids: parseIds(await readText(o.idsFile, "--ids-file", command), `--ids-file ${o.idsFile}`, command) };
  if (o.promptFile !== undefined) {
    const prompt = await readText(o.promptFile, "--prompt-file", command);
    if (prompt.trim() === "") throw new UsageError(`--prompt-file ${o.promptFile} is empty`, command);
    return { kind: "text", prompt };
  }
  return { kind: "text", prompt: o.prompt ?? "" };
}
