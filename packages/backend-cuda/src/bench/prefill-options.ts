// Every option of the GPU prefill bench, defined once (STYLE.md G14): the zod schema with defaults, and the command
// line mapping (--kebab-case flags onto the camelCase keys; comma lists for arrays; bare flags for booleans).

import { ApbError } from "@apb/core";
import { z } from "zod";

const posInt = z.number().int().positive();

export const PHASES = ["correctness", "full", "strategies"] as const;
export type Phase = (typeof PHASES)[number];

export const prefillBenchOptionsSchema = z
  .object({
    /** HF checkpoint folder (config.json + safetensors); required unless summarizing. */
    model: z.string().min(1).optional(),
    /** tools/bench/torch_prefill.py --reference output: prompt, HF logits and greedy tokens. */
    reference: z.string().optional(),
    /**
     * torch_prefill.py --reference-f32-out output: the same weights upcast to float32 (the exact math both bf16 paths
     * approximate). Adds the rows "full vs HF float32", "HF bf16 vs HF float32" and a teacher-forced check on its path.
     */
    referenceF32: z.string().optional(),
    /** tools/bench/torch_prefill.py --bench output, for the summary's ours-vs-PyTorch columns. */
    torchBench: z.string().optional(),
    /** Our result JSON (rewritten after each phase and length). */
    json: z.string().optional(),
    phases: z.array(z.enum(PHASES)).min(1).default([...PHASES]),
    /** Full-prefill lengths, timed in ascending order. */
    lengths: z.array(posInt).min(1).default([8192, 32768, 65536, 131072]),
    strategyLength: posInt.default(32768),
    strategies: z.array(z.enum(["apb", "star", "ring"])).default(["apb", "star", "ring"]),
    /** Virtual hosts for the exact-settings check and the strategies. */
    hosts: posInt.default(4),
    /** Greedy tokens and prompt length when no reference gives them. */
    newTokens: posInt.default(32),
    promptLength: z.number().int().min(2).default(512),
    reps: posInt.default(3),
    /** Repetitions at lengths ≥ longFrom (a 128K prefill takes ~12 s). */
    repsLong: posInt.default(2),
    longFrom: posInt.default(131072),
    strategyReps: posInt.default(2),
    /** Predicted ms of one 8K prefill before anything was measured (the deadline planner scales it). */
    firstGuessMs: z.number().positive().default(400),
    /** Unix time (s): runs that would not finish by then are skipped; 0 = no deadline. */
    deadline: z.number().nonnegative().default(0),
    /** Seconds kept free before the deadline (for the summary). */
    reserve: z.number().nonnegative().default(5),
    /** cuda: the real backend; reference: core's CPU backend (a plumbing check where no GPU exists, tiny models only). */
    backend: z.enum(["cuda", "reference"]).default("cuda"),
    seed: z.number().int().nonnegative().default(7),
    /** The issue's logits bar: relative L2 of our logits vs HF's. */
    logitsTol: z.number().positive().default(2e-2),
    /** Only print the summary of existing result files (--json, --torch-bench); run nothing. */
    summarize: z.boolean().default(false),
  })
  .strict();

export type PrefillBenchOptions = z.output<typeof prefillBenchOptionsSchema>;
export type PrefillBenchInput = z.input<typeof prefillBenchOptionsSchema>;

const NUMBER_KEYS = new Set(["strategyLength", "hosts", "newTokens", "promptLength", "reps", "repsLong", "longFrom", "strategyReps", "firstGuessMs", "deadline", "reserve", "seed", "logitsTol"]);
const NUMBER_LIST_KEYS = new Set(["lengths"]);
const LIST_KEYS = new Set(["phases", "strategies"]);
const FLAG_KEYS = new Set(["summarize"]);

const camel = (flag: string): string => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** Validates options. @throws ApbError INPUT_INVALID naming the bad option. */
export function parsePrefillBenchOptions(input: PrefillBenchInput): PrefillBenchOptions {
  const r = prefillBenchOptionsSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new ApbError("INPUT_INVALID", `gpu-prefill: ${issue.path.join(".") || "options"}: ${issue.message}`);
  }
  return r.data;
}

/** Maps argv onto the schema's keys, then validates. @throws ApbError INPUT_INVALID. */
export function parsePrefillBenchArgs(argv: readonly string[]): PrefillBenchOptions {
  const o: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith("--")) throw new ApbError("INPUT_INVALID", `gpu-prefill: unexpected argument ${a}`);
    const key = camel(a.slice(2));
    if (FLAG_KEYS.has(key)) {
      o[key] = true;
      continue;
    }
    const value = argv[++i];
    if (value === undefined) throw new ApbError("INPUT_INVALID", `gpu-prefill: ${a} needs a value`);
    if (NUMBER_KEYS.has(key)) o[key] = Number(value);
    else if (NUMBER_LIST_KEYS.has(key)) o[key] = value.split(",").filter((s) => s !== "").map(Number);
    else if (LIST_KEYS.has(key)) o[key] = value.split(",").filter((s) => s !== "");
    else o[key] = value;
  }
  return parsePrefillBenchOptions(o as PrefillBenchInput);
}
