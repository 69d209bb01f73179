// A seeded random Llama checkpoint in a temp folder for `bench` and `demo`, removed afterwards (also on failure).

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeRandomCheckpoint } from "@apb/core";
import type { RandomCheckpoint, RandomCheckpointOptions } from "@apb/core";

/** Writes the checkpoint, runs `fn` on it, then deletes the folder. */
export async function withTempCheckpoint<T>(options: RandomCheckpointOptions, fn: (ck: RandomCheckpoint) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "apb-model-"));
  try {
    return await fn(await writeRandomCheckpoint(dir, options));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `n` seeded token ids that avoid the first `reserved` ids (special tokens of the tiny tokenizer). */
export function randomIds(n: number, vocabSize: number, rng: { int(n: number): number }, reserved = 7): Int32Array {
  const lo = vocabSize > reserved + 1 ? reserved : 0;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + rng.int(vocabSize - lo);
  return out;
}
