// Parses a Hugging Face config.json (Llama, Mistral, Qwen2; transformers v4 and v5 RoPE fields) into a ModelConfig.
// Every rejection is a typed ModelError whose message names the file, the field and what to change.

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { ModelError } from "../errors/apb-error.js";
import type { ModelConfig, RopeScaling } from "./types.js";

/** HF architecture class names we implement, and the normalised name of each. */
const ARCHITECTURES: Readonly<Record<string, ModelConfig["architecture"]>> = {
  LlamaForCausalLM: "llama",
  MistralForCausalLM: "mistral",
  Qwen2ForCausalLM: "qwen2",
};
const MODEL_TYPES: readonly ModelConfig["architecture"][] = ["llama", "mistral", "qwen2"];
const SUPPORTED_TEXT = `supported: ${Object.keys(ARCHITECTURES).join(", ")} (model_type ${MODEL_TYPES.join(", ")})`;

const posInt = z.number().int().positive();
const posNum = z.number().positive();

/** rope_scaling (v4) or rope_parameters (v5); `type` is the pre-4.45 spelling of `rope_type`. */
const ropeSchema = z
  .object({
    rope_type: z.string().optional(),
    type: z.string().optional(),
    rope_theta: posNum.optional(),
    factor: posNum.optional(),
    low_freq_factor: posNum.optional(),
    high_freq_factor: posNum.optional(),
    original_max_position_embeddings: posInt.optional(),
  })
  .nullable()
  .optional();

const hfConfigSchema = z.object({
  vocab_size: posInt,
  hidden_size: posInt,
  intermediate_size: posInt,
  num_hidden_layers: posInt,
  num_attention_heads: posInt,
  num_key_value_heads: posInt.nullable().optional(),
  head_dim: posInt.nullable().optional(),
  hidden_act: z.string().default("silu"),
  rms_norm_eps: posNum.default(1e-6),
  max_position_embeddings: posInt,
  rope_theta: posNum.optional(),
  rope_scaling: ropeSchema,
  rope_parameters: ropeSchema,
  tie_word_embeddings: z.boolean().default(false),
  attention_bias: z.boolean().default(false),
  sliding_window: posInt.nullable().optional(),
  use_sliding_window: z.boolean().optional(),
  bos_token_id: z.number().int().nonnegative().nullable().optional(),
  eos_token_id: z.union([z.number().int().nonnegative(), z.array(z.number().int().nonnegative())]).nullable().optional(),
});
type HfConfig = z.output<typeof hfConfigSchema>;
type HfRope = NonNullable<HfConfig["rope_scaling"]>;

function invalid(source: string, message: string): ModelError {
  return new ModelError("CONFIG_INVALID", `${source}: ${message}`, { data: { source } });
}

/** Picks the architecture from `architectures[0]`, else `model_type`. */
function detectArchitecture(json: Record<string, unknown>, source: string): ModelConfig["architecture"] {
  const archs = json["architectures"];
  if (Array.isArray(archs) && archs.length > 0) {
    const arch = ARCHITECTURES[String(archs[0])];
    if (arch !== undefined) return arch;
    throw new ModelError("ARCHITECTURE_UNSUPPORTED", `${source}: architecture ${JSON.stringify(archs[0])} is not supported; ${SUPPORTED_TEXT}`, {
      data: { source, architecture: archs[0] },
    });
  }
  const modelType = json["model_type"];
  const found = MODEL_TYPES.find((t) => t === modelType);
  if (found !== undefined) return found;
  const what = modelType === undefined ? "names no \"architectures\" and no \"model_type\"" : `has model_type ${JSON.stringify(modelType)}`;
  throw new ModelError("ARCHITECTURE_UNSUPPORTED", `${source}: config ${what}, which is not supported; ${SUPPORTED_TEXT}`, {
    data: { source, modelType },
  });
}

/** Normalises rope_scaling / rope_parameters to our RopeScaling (undefined for plain RoPE). */
function parseRopeScaling(rope: HfRope | null | undefined, field: string, source: string): RopeScaling | undefined {
  if (rope === null || rope === undefined) return undefined;
  const kind = rope.rope_type ?? rope.type ?? "default";
  if (kind === "default") return undefined;
  const need = (key: keyof HfRope): number => {
    const v = rope[key];
    if (typeof v !== "number") throw invalid(source, `${field}.${key} is required for rope_type "${kind}"`);
    return v;
  };
  if (kind === "linear") return { type: "linear", factor: need("factor") };
  if (kind === "llama3") {
    const lowFreqFactor = need("low_freq_factor");
    const highFreqFactor = need("high_freq_factor");
    if (highFreqFactor <= lowFreqFactor) {
      throw invalid(source, `${field}.high_freq_factor (${highFreqFactor}) must be greater than low_freq_factor (${lowFreqFactor})`);
    }
    return { type: "llama3", factor: need("factor"), lowFreqFactor, highFreqFactor, originalMaxPositions: need("original_max_position_embeddings") };
  }
  throw invalid(source, `${field} rope_type "${kind}" is not supported; use "default", "linear" or "llama3"`);
}

/** Rejects sliding-window attention, which our engine does not implement (results would silently differ). */
function checkNoSlidingWindow(cfg: HfConfig, arch: ModelConfig["architecture"], source: string): void {
  const window = cfg.sliding_window;
  if (window === null || window === undefined || window >= cfg.max_position_embeddings) return;
  const active = arch === "mistral" || (arch === "qwen2" && cfg.use_sliding_window === true);
  if (!active) return;
  throw new ModelError(
    "ARCHITECTURE_UNSUPPORTED",
    `${source}: sliding-window attention (sliding_window=${window}) is not supported; use a checkpoint without it (e.g. Mistral-7B v0.2 or later)`,
    { data: { source, slidingWindow: window } },
  );
}

/** Divisibility and consistency checks zod cannot express field by field. */
function checkShapes(cfg: HfConfig, source: string): { numKvHeads: number; headDim: number } {
  const numHeads = cfg.num_attention_heads;
  const numKvHeads = cfg.num_key_value_heads ?? numHeads;
  if (numHeads % numKvHeads !== 0) {
    throw invalid(source, `num_attention_heads (${numHeads}) must be a multiple of num_key_value_heads (${numKvHeads})`);
  }
  if ((cfg.head_dim === null || cfg.head_dim === undefined) && cfg.hidden_size % numHeads !== 0) {
    throw invalid(source, `hidden_size (${cfg.hidden_size}) must be a multiple of num_attention_heads (${numHeads}) when head_dim is not given`);
  }
  const headDim = cfg.head_dim ?? cfg.hidden_size / numHeads;
  if (headDim % 2 !== 0) throw invalid(source, `head_dim (${headDim}) must be even for RoPE`);
  if (cfg.hidden_act !== "silu") throw invalid(source, `hidden_act "${cfg.hidden_act}" is not supported; only "silu" (SwiGLU MLP) is`);
  return { numKvHeads, headDim };
}

function formatIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.length === 0 ? "(root)" : issue.path.map(String).join(".");
  return `field "${path}": ${issue.message}`;
}

/**
 * Validates a parsed config.json and normalises it.
 * @param json the parsed JSON value
 * @param source file name used in error messages
 * @throws ModelError ARCHITECTURE_UNSUPPORTED for other model families, CONFIG_INVALID for bad or inconsistent fields
 */
export function parseModelConfig(json: unknown, source = "config.json"): ModelConfig {
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw invalid(source, "expected a JSON object");
  const architecture = detectArchitecture(json as Record<string, unknown>, source);
  const parsed = hfConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map(formatIssue).join("; ");
    throw invalid(source, `${issues}; fix these fields`);
  }
  const cfg = parsed.data;
  const { numKvHeads, headDim } = checkShapes(cfg, source);
  checkNoSlidingWindow(cfg, architecture, source);
  const v5 = cfg.rope_parameters ?? undefined;
  const ropeScaling = v5 !== undefined ? parseRopeScaling(v5, "rope_parameters", source) : parseRopeScaling(cfg.rope_scaling, "rope_scaling", source);
  const eos = cfg.eos_token_id;
  return {
    architecture,
    vocabSize: cfg.vocab_size,
    hiddenSize: cfg.hidden_size,
    intermediateSize: cfg.intermediate_size,
    numLayers: cfg.num_hidden_layers,
    numHeads: cfg.num_attention_heads,
    numKvHeads,
    headDim,
    rmsNormEps: cfg.rms_norm_eps,
    maxPositions: cfg.max_position_embeddings,
    tieWordEmbeddings: cfg.tie_word_embeddings,
    qkvBias: architecture === "qwen2" || (architecture === "llama" && cfg.attention_bias),
    ropeTheta: v5?.rope_theta ?? cfg.rope_theta ?? 10000,
    ropeScaling,
    bosTokenId: cfg.bos_token_id ?? undefined,
    eosTokenIds: eos === null || eos === undefined ? [] : Array.isArray(eos) ? [...eos] : [eos],
  };
}

/**
 * Reads and parses `<dir>/config.json`.
 * @throws ModelError CONFIG_MISSING when the file is absent, CONFIG_INVALID when it is not valid JSON, see parseModelConfig
 */
export async function loadModelConfig(dir: string): Promise<ModelConfig> {
  const path = join(dir, "config.json");
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new ModelError("CONFIG_MISSING", `${path} cannot be read: point at a Hugging Face checkpoint folder that contains config.json`, {
      cause: err,
      data: { path },
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ModelError("CONFIG_INVALID", `${path} is not valid JSON (${(err as Error).message}); fix or re-download the file`, {
      cause: err,
      data: { path },
    });
  }
  return parseModelConfig(json, path);
}
