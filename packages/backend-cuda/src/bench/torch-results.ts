// The PyTorch side's files (tools/bench/torch_prefill.py) as typed data: the HF reference (prompt, greedy tokens, their
// margins, last-position and per-step float32 logits) and the SDPA prefill timings. zod at the boundary; a missing or
// malformed file is an ApbError INPUT_INVALID naming it.

import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { ApbError } from "@apb/core";
import { z } from "zod";

const id = z.number().int().nonnegative();

/** One greedy step of the reference: the token, its top-2 gap and the logits' spread. */
const stepSchema = z.object({
  token: id,
  top1: z.number(),
  top2: z.number(),
  margin: z.number(),
  runnerUp: id,
  std: z.number(),
  top5: z.array(id),
});

export const torchReferenceSchema = z.object({
  format: z.literal("apb-torch-reference/1"),
  model: z.string(),
  meta: z.record(z.string(), z.unknown()),
  promptIds: z.array(id).min(2),
  greedy: z.array(id).min(1),
  vocabSize: z.number().int().positive(),
  steps: z.array(stepSchema),
  /** float32 little-endian, base64: the logits of the prompt's last position. */
  lastLogitsB64: z.string().min(1),
  /** Raw float32 [greedy.length, vocab] beside the JSON: the logits of every greedy step. */
  stepLogitsFile: z.string().optional(),
  seconds: z.number().optional(),
});

export type ReferenceStep = z.output<typeof stepSchema>;

/** The reference with its logits decoded. */
export interface TorchReference extends Omit<z.output<typeof torchReferenceSchema>, "lastLogitsB64"> {
  readonly lastLogits: Float32Array;
  /** Per greedy step (undefined when the raw file is absent). */
  readonly stepLogits: readonly Float32Array[] | undefined;
}

const benchRowSchema = z.object({
  length: z.number().int().positive(),
  warmupMs: z.number(),
  runsMs: z.array(z.number()),
  medianMs: z.number(),
  minMs: z.number(),
  peakAllocatedBytes: z.number(),
  peakReservedBytes: z.number(),
  /** Row of this length's last-token float32 logits in logitsFile. */
  logitsRow: z.number().int().nonnegative().optional(),
});

export const torchBenchSchema = z.object({
  format: z.literal("apb-torch-bench/1"),
  device: z.string(),
  torch: z.string(),
  transformers: z.string(),
  attention: z.string(),
  rows: z.array(benchRowSchema),
  skipped: z.array(z.object({ length: z.number(), reason: z.string() })),
  /** Beside the JSON: the prompt (int32, the longest length; shorter lengths use its start) and per-row logits. */
  idsFile: z.string().optional(),
  logitsFile: z.string().optional(),
});

export type TorchBench = z.output<typeof torchBenchSchema>;
export type TorchBenchRow = z.output<typeof benchRowSchema>;

function invalid(path: string, message: string, cause?: unknown): ApbError {
  return new ApbError("INPUT_INVALID", `${path}: ${message}`, { cause, data: { path } });
}

async function readJson<S extends z.ZodType>(path: string, schema: S): Promise<z.output<S>> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, "utf8"));
  } catch (err) {
    throw invalid(path, `cannot read JSON (${(err as Error).message})`, err);
  }
  const r = schema.safeParse(json);
  if (!r.success) throw invalid(path, `${r.error.issues[0]!.path.join(".")}: ${r.error.issues[0]!.message}`);
  return r.data;
}

/** float32 little-endian bytes → Float32Array (copied, so it is aligned). */
export function f32FromBytes(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(Math.floor(bytes.byteLength / 4));
  new Uint8Array(out.buffer).set(bytes.subarray(0, out.length * 4));
  return out;
}

/**
 * Reads the reference JSON and, when present, its per-step logits file.
 * @throws ApbError INPUT_INVALID for a missing/malformed file or logits of the wrong size.
 */
export async function readTorchReference(path: string): Promise<TorchReference> {
  const { lastLogitsB64, ...doc } = await readJson(path, torchReferenceSchema);
  const lastLogits = f32FromBytes(Buffer.from(lastLogitsB64, "base64"));
  if (lastLogits.length !== doc.vocabSize) throw invalid(path, `last logits hold ${lastLogits.length} values, vocab is ${doc.vocabSize}`);
  let stepLogits: Float32Array[] | undefined;
  if (doc.stepLogitsFile !== undefined) {
    const file = join(dirname(path), doc.stepLogitsFile);
    const all = f32FromBytes(await readFile(file).catch((err: unknown) => Promise.reject(invalid(file, "cannot read the step logits", err))));
    if (all.length !== doc.greedy.length * doc.vocabSize) throw invalid(file, `holds ${all.length} values, expected ${doc.greedy.length} × ${doc.vocabSize}`);
    stepLogits = doc.greedy.map((_, k) => all.subarray(k * doc.vocabSize, (k + 1) * doc.vocabSize));
  }
  return { ...doc, lastLogits, stepLogits };
}

/** Reads the bench JSON. @throws ApbError INPUT_INVALID. */
export function readTorchBench(path: string): Promise<TorchBench> {
  return readJson(path, torchBenchSchema);
}

/** The bench's prompt and last-token logits per length, for running the same ids and comparing outputs. */
export interface TorchPrompt {
  readonly ids: Int32Array;
  readonly logits: ReadonlyMap<number, Float32Array>;
}

/**
 * Reads the prompt and logits files named by a bench JSON (undefined when it names none).
 * @throws ApbError INPUT_INVALID for unreadable files or sizes that do not match `vocab`.
 */
export async function readTorchPrompt(path: string, bench: TorchBench, vocab: number): Promise<TorchPrompt | undefined> {
  if (bench.idsFile === undefined) return undefined;
  const idsPath = join(dirname(path), bench.idsFile);
  const bytes = await readFile(idsPath).catch((err: unknown) => Promise.reject(invalid(idsPath, "cannot read the prompt ids", err)));
  const ids = new Int32Array(Math.floor(bytes.byteLength / 4));
  new Uint8Array(ids.buffer).set(bytes.subarray(0, ids.length * 4));
  const logits = new Map<number, Float32Array>();
  if (bench.logitsFile !== undefined) {
    const lp = join(dirname(path), bench.logitsFile);
    const all = f32FromBytes(await readFile(lp).catch((err: unknown) => Promise.reject(invalid(lp, "cannot read the logits", err))));
    for (const r of bench.rows) {
      if (r.logitsRow === undefined || (r.logitsRow + 1) * vocab > all.length) continue;
      logits.set(r.length, all.subarray(r.logitsRow * vocab, (r.logitsRow + 1) * vocab));
    }
  }
  return { ids, logits };
}
