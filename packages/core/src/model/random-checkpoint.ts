// Writes a seeded random HF checkpoint (config.json, safetensors weights, optional shards, retaining heads and a
// tiny tokenizer) for tests, demos and the numpy reference check. Same options and seed → identical bytes.

import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { ModelError } from "../errors/apb-error.js";
import { Prng } from "../util/prng.js";
import { parseModelConfig } from "./config.js";
import { INDEX_FILE_NAME, SINGLE_FILE_NAME } from "./safetensors-checkpoint.js";
import { writeSafetensors } from "./safetensors-writer.js";
import type { TensorToWrite } from "./safetensors-writer.js";
import { retainingHeadInputWidth, retainingHeadKeys } from "./retaining-heads.js";
import { TINY_BOS_ID, TINY_EOS_ID, tinyTokenizerFiles } from "./tiny-tokenizer.js";
import type { ModelConfig } from "./types.js";

const posInt = z.number().int().positive();
const posNum = z.number().positive();
const ropeScalingSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("llama3"), factor: posNum, lowFreqFactor: posNum, highFreqFactor: posNum, originalMaxPositions: posInt }),
  z.object({ type: z.literal("linear"), factor: posNum }),
]);

/** Every option of writeRandomCheckpoint, with its default (the one definition; STYLE.md G14). */
export const randomCheckpointOptionsSchema = z.object({
  seed: z.number().int().nonnegative().default(1),
  architecture: z.enum(["llama", "mistral", "qwen2"]).default("llama"),
  vocabSize: z.number().int().min(4).default(256),
  hiddenSize: posInt.default(64),
  intermediateSize: posInt.default(128),
  numLayers: posInt.default(2),
  numHeads: posInt.default(4),
  numKvHeads: posInt.default(2),
  /** Defaults to hiddenSize / numHeads. */
  headDim: posInt.optional(),
  maxPositions: posInt.default(4096),
  rmsNormEps: posNum.default(1e-5),
  ropeTheta: posNum.default(10000),
  ropeScaling: ropeScalingSchema.optional(),
  tieWordEmbeddings: z.boolean().default(false),
  /** q/k/v biases; defaults to true for qwen2 (always on there) and false otherwise (mistral has none). */
  qkvBias: z.boolean().optional(),
  dtype: z.enum(["F32", "BF16"]).default("F32"),
  /** Split the weights over this many files with a model.safetensors.index.json (1 = one model.safetensors). */
  numShards: posInt.default(1),
  /** Also write retaining_heads.safetensors (fc1: [hidden, (nq+2nkv)·dh], fc2: [numOut, hidden]). */
  retainingHeads: z.object({ hidden: posInt.default(32), numOut: posInt.optional() }).optional(),
  /** Also write the tiny word-level tokenizer (needs vocabSize >= 48). */
  tokenizer: z.boolean().default(true),
});

export type RandomCheckpointOptions = z.input<typeof randomCheckpointOptionsSchema>;
type Resolved = z.output<typeof randomCheckpointOptionsSchema>;

/** What writeRandomCheckpoint produced. */
export interface RandomCheckpoint {
  readonly dir: string;
  readonly config: ModelConfig;
  /** File names written inside dir. */
  readonly files: readonly string[];
}

const HF_CLASS = { llama: "LlamaForCausalLM", mistral: "MistralForCausalLM", qwen2: "Qwen2ForCausalLM" } as const;
export const RETAINING_HEADS_FILE_NAME = "retaining_heads.safetensors";

function headDimOf(o: Resolved): number {
  return o.headDim ?? o.hiddenSize / o.numHeads;
}

function qkvBiasOf(o: Resolved): boolean {
  const bias = o.qkvBias ?? o.architecture === "qwen2";
  if (o.architecture === "qwen2" && !bias) throw new ModelError("CONFIG_INVALID", "qwen2 always has q/k/v biases: leave qkvBias unset or true");
  if (o.architecture === "mistral" && bias) throw new ModelError("CONFIG_INVALID", "mistral has no attention biases: use architecture llama with qkvBias");
  return bias;
}

/** The HF config.json for these options. */
function hfConfig(o: Resolved): Record<string, unknown> {
  const bias = qkvBiasOf(o);
  const s = o.ropeScaling;
  const ropeScaling =
    s === undefined ? null
    : s.type === "linear" ? { rope_type: "linear", factor: s.factor }
    : { rope_type: "llama3", factor: s.factor, low_freq_factor: s.lowFreqFactor, high_freq_factor: s.highFreqFactor, original_max_position_embeddings: s.originalMaxPositions };
  const perArch =
    o.architecture === "llama" ? { attention_bias: bias, mlp_bias: false }
    : o.architecture === "mistral" ? { sliding_window: null }
    : { use_sliding_window: false, sliding_window: null };
  return {
    architectures: [HF_CLASS[o.architecture]],
    model_type: o.architecture,
    vocab_size: o.vocabSize,
    hidden_size: o.hiddenSize,
    intermediate_size: o.intermediateSize,
    num_hidden_layers: o.numLayers,
    num_attention_heads: o.numHeads,
    num_key_value_heads: o.numKvHeads,
    head_dim: headDimOf(o),
    hidden_act: "silu",
    rms_norm_eps: o.rmsNormEps,
    max_position_embeddings: o.maxPositions,
    rope_theta: o.ropeTheta,
    rope_scaling: ropeScaling,
    tie_word_embeddings: o.tieWordEmbeddings,
    bos_token_id: TINY_BOS_ID,
    eos_token_id: TINY_EOS_ID,
    torch_dtype: o.dtype === "BF16" ? "bfloat16" : "float32",
    ...perArch,
  };
}

/**
 * Model weights in HF names and load order. Scales keep activations O(1) and logits peaked (std ≈ 2.5) so that
 * greedy tokens do not hinge on near-ties: projections ~ N(0, 1/fan_in), norms 1 ± 0.1, untied embeddings N(0, 1).
 */
function modelTensors(o: Resolved, c: ModelConfig): Record<string, TensorToWrite> {
  const rng = new Prng(o.seed);
  const d = c.hiddenSize;
  const qDim = c.numHeads * c.headDim;
  const kvDim = c.numKvHeads * c.headDim;
  const out: Record<string, TensorToWrite> = {};
  const put = (name: string, shape: number[], std: number, mean = 0): void => {
    const data = rng.normals(shape.reduce((a, b) => a * b, 1), std);
    if (mean !== 0) for (let i = 0; i < data.length; i++) data[i] = data[i]! + mean;
    out[name] = { dtype: o.dtype, shape, data };
  };
  put("model.embed_tokens.weight", [c.vocabSize, d], c.tieWordEmbeddings ? 2.5 / Math.sqrt(d) : 1);
  for (let i = 0; i < c.numLayers; i++) {
    const p = `model.layers.${i}`;
    put(`${p}.input_layernorm.weight`, [d], 0.1, 1);
    for (const [proj, rows, std] of [["q", qDim, 1.2 / Math.sqrt(d)], ["k", kvDim, 1.2 / Math.sqrt(d)], ["v", kvDim, 1 / Math.sqrt(d)]] as const) {
      put(`${p}.self_attn.${proj}_proj.weight`, [rows, d], std);
      if (c.qkvBias) put(`${p}.self_attn.${proj}_proj.bias`, [rows], 0.5);
    }
    put(`${p}.self_attn.o_proj.weight`, [d, qDim], 1 / Math.sqrt(qDim));
    put(`${p}.post_attention_layernorm.weight`, [d], 0.1, 1);
    put(`${p}.mlp.gate_proj.weight`, [c.intermediateSize, d], 1 / Math.sqrt(d));
    put(`${p}.mlp.up_proj.weight`, [c.intermediateSize, d], 1 / Math.sqrt(d));
    put(`${p}.mlp.down_proj.weight`, [d, c.intermediateSize], 1 / Math.sqrt(c.intermediateSize));
  }
  put("model.norm.weight", [d], 0.1, 1);
  if (!c.tieWordEmbeddings) put("lm_head.weight", [c.vocabSize, d], 2.5 / Math.sqrt(d));
  return out;
}

/** Retaining heads from their own generator, so adding them leaves the model weights unchanged. */
function headTensors(o: Resolved, c: ModelConfig, heads: NonNullable<Resolved["retainingHeads"]>): Record<string, TensorToWrite> {
  const numOut = heads.numOut ?? c.numKvHeads;
  if (numOut > c.numKvHeads || c.numKvHeads % numOut !== 0) {
    throw new ModelError("CONFIG_INVALID", `retainingHeads.numOut (${numOut}) must divide numKvHeads (${c.numKvHeads})`);
  }
  const rng = new Prng((o.seed ^ 0x5eed1e55) >>> 0);
  const inWidth = retainingHeadInputWidth(c);
  const out: Record<string, TensorToWrite> = {};
  for (let i = 0; i < c.numLayers; i++) {
    const k = retainingHeadKeys(i);
    out[k.fc1] = { dtype: o.dtype, shape: [heads.hidden, inWidth], data: rng.normals(heads.hidden * inWidth, 1 / Math.sqrt(inWidth)) };
    out[k.fc2] = { dtype: o.dtype, shape: [numOut, heads.hidden], data: rng.normals(numOut * heads.hidden, 1 / Math.sqrt(heads.hidden)) };
  }
  return out;
}

/** Splits tensors (in order) into `numShards` contiguous, non-empty groups of similar byte size. */
function shardGroups(tensors: Record<string, TensorToWrite>, numShards: number): Record<string, TensorToWrite>[] {
  const entries = Object.entries(tensors);
  if (numShards > entries.length) throw new ModelError("CONFIG_INVALID", `numShards (${numShards}) exceeds the ${entries.length} tensors`);
  const total = entries.reduce((a, [, t]) => a + t.data.length, 0);
  const groups: Record<string, TensorToWrite>[] = Array.from({ length: numShards }, () => ({}));
  let cur = 0;
  let seen = 0;
  entries.forEach(([name, t], idx) => {
    const mustMove = entries.length - idx <= numShards - 1 - cur; // one tensor left per remaining shard
    const full = seen >= ((cur + 1) * total) / numShards;
    if (cur < numShards - 1 && Object.keys(groups[cur]!).length > 0 && (mustMove || full)) cur++;
    groups[cur]![name] = t;
    seen += t.data.length;
  });
  return groups;
}

/** Writes the weights as one file or as shards plus an index; returns the file names. */
async function writeWeights(dir: string, tensors: Record<string, TensorToWrite>, numShards: number): Promise<string[]> {
  const meta = { format: "pt" };
  if (numShards === 1) {
    await writeSafetensors(join(dir, SINGLE_FILE_NAME), tensors, meta);
    return [SINGLE_FILE_NAME];
  }
  const pad = (n: number): string => String(n).padStart(5, "0");
  const files: string[] = [];
  const weightMap: Record<string, string> = {};
  let totalSize = 0;
  for (const [i, group] of shardGroups(tensors, numShards).entries()) {
    const file = `model-${pad(i + 1)}-of-${pad(numShards)}.safetensors`;
    await writeSafetensors(join(dir, file), group, meta);
    for (const [name, t] of Object.entries(group)) {
      weightMap[name] = file;
      totalSize += t.data.length * (t.dtype === "F32" ? 4 : 2);
    }
    files.push(file);
  }
  await writeFile(join(dir, INDEX_FILE_NAME), JSON.stringify({ metadata: { total_size: totalSize }, weight_map: weightMap }, null, 2) + "\n");
  return [...files, INDEX_FILE_NAME];
}

/**
 * Writes a random checkpoint into `dir` (created if needed).
 * @throws ModelError CONFIG_INVALID for inconsistent options (e.g. qwen2 without biases, tokenizer with vocabSize < 48)
 */
export async function writeRandomCheckpoint(dir: string, options: RandomCheckpointOptions = {}): Promise<RandomCheckpoint> {
  const parsed = randomCheckpointOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ModelError("CONFIG_INVALID", `random checkpoint option "${issue.path.join(".")}": ${issue.message}`);
  }
  const o = parsed.data;
  const hf = hfConfig(o);
  const config = parseModelConfig(hf, "random checkpoint options");
  const tokenizer = o.tokenizer ? tinyTokenizerFiles(o.vocabSize) : undefined;
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "config.json"), JSON.stringify(hf, null, 2) + "\n");
  const files = ["config.json", ...(await writeWeights(dir, modelTensors(o, config), o.numShards))];
  if (o.retainingHeads !== undefined) {
    await writeSafetensors(join(dir, RETAINING_HEADS_FILE_NAME), headTensors(o, config, o.retainingHeads), { format: "pt" });
    files.push(RETAINING_HEADS_FILE_NAME);
  }
  if (tokenizer !== undefined) {
    await writeFile(join(dir, "tokenizer.json"), JSON.stringify(tokenizer.tokenizerJson, null, 2) + "\n");
    await writeFile(join(dir, "tokenizer_config.json"), JSON.stringify(tokenizer.tokenizerConfig, null, 2) + "\n");
    files.push("tokenizer.json", "tokenizer_config.json");
  }
  return { dir, config, files };
}
