// Maps HF Llama/Mistral/Qwen2 tensor names onto ModelWeights. Every tensor's presence and exact shape is
// checked against the config before any tensor data is read, so a wrong checkpoint fails fast and cheaply.

import { ModelError } from "../errors/apb-error.js";
import { loadModelConfig } from "./config.js";
import { SafetensorsCheckpoint } from "./safetensors-checkpoint.js";
import type { TensorSource } from "./safetensors.js";
import type { LayerWeights, ModelConfig, ModelWeights } from "./types.js";

/** A loaded model: its normalised config, float32 weights and the folder it came from. */
export interface LoadedModel {
  readonly config: ModelConfig;
  readonly weights: ModelWeights;
  readonly dir: string;
}

type ShapeConfig = Pick<
  ModelConfig,
  "vocabSize" | "hiddenSize" | "intermediateSize" | "numLayers" | "numHeads" | "numKvHeads" | "headDim" | "qkvBias" | "tieWordEmbeddings"
>;

/** HF names of layer i's tensors, keyed by our LayerWeights field. */
function layerTensorNames(i: number): Record<keyof LayerWeights, string> {
  const p = `model.layers.${i}`;
  return {
    inputNorm: `${p}.input_layernorm.weight`,
    wq: `${p}.self_attn.q_proj.weight`,
    wk: `${p}.self_attn.k_proj.weight`,
    wv: `${p}.self_attn.v_proj.weight`,
    bq: `${p}.self_attn.q_proj.bias`,
    bk: `${p}.self_attn.k_proj.bias`,
    bv: `${p}.self_attn.v_proj.bias`,
    wo: `${p}.self_attn.o_proj.weight`,
    postNorm: `${p}.post_attention_layernorm.weight`,
    wGate: `${p}.mlp.gate_proj.weight`,
    wUp: `${p}.mlp.up_proj.weight`,
    wDown: `${p}.mlp.down_proj.weight`,
  };
}

/** Expected shape of layer tensors, keyed like layerTensorNames (biases only when config.qkvBias). */
function layerShapes(c: ShapeConfig): Partial<Record<keyof LayerWeights, number[]>> {
  const d = c.hiddenSize;
  const qDim = c.numHeads * c.headDim;
  const kvDim = c.numKvHeads * c.headDim;
  const biases = c.qkvBias ? { bq: [qDim], bk: [kvDim], bv: [kvDim] } : {};
  return {
    inputNorm: [d], wq: [qDim, d], wk: [kvDim, d], wv: [kvDim, d], ...biases, wo: [d, qDim],
    postNorm: [d], wGate: [c.intermediateSize, d], wUp: [c.intermediateSize, d], wDown: [d, c.intermediateSize],
  };
}

/** Every tensor the config requires, name → exact shape, in load order (lm_head only when untied). */
export function expectedWeightShapes(c: ShapeConfig): Map<string, readonly number[]> {
  const out = new Map<string, readonly number[]>([["model.embed_tokens.weight", [c.vocabSize, c.hiddenSize]]]);
  for (let i = 0; i < c.numLayers; i++) {
    const names = layerTensorNames(i);
    for (const [key, shape] of Object.entries(layerShapes(c))) out.set(names[key as keyof LayerWeights], shape);
  }
  out.set("model.norm.weight", [c.hiddenSize]);
  if (!c.tieWordEmbeddings) out.set("lm_head.weight", [c.vocabSize, c.hiddenSize]);
  return out;
}

/** Bias tensors we would silently ignore (o_proj/MLP biases, q/k/v biases the config does not enable). */
function checkNoStrayBiases(src: TensorSource, expected: ReadonlyMap<string, readonly number[]>): void {
  const stray = src.names().find((n) => n.startsWith("model.layers.") && n.endsWith(".bias") && !expected.has(n));
  if (stray === undefined) return;
  throw new ModelError(
    "ARCHITECTURE_UNSUPPORTED",
    `${src.source} has "${stray}", which the config does not use: only q/k/v biases are supported (Qwen2, or Llama attention_bias without o_proj bias); check config.json`,
    { data: { source: src.source, name: stray } },
  );
}

/**
 * Checks that every required tensor exists with the exact shape, reading no data.
 * @throws ModelError TENSOR_MISSING / TENSOR_SHAPE naming the tensor; CONFIG_INVALID when the checkpoint has more layers
 */
export function checkModelWeights(src: TensorSource, config: ShapeConfig): void {
  const expected = expectedWeightShapes(config);
  const missing = [...expected.keys()].filter((n) => !src.has(n));
  if (missing.length > 0) {
    const more = missing.length > 1 ? ` (and ${missing.length - 1} more)` : "";
    const hint = missing[0] === "lm_head.weight" ? "; config.json has tie_word_embeddings=false: set it to true if lm_head shares embed_tokens" : "";
    throw new ModelError("TENSOR_MISSING", `${src.source} has no tensor "${missing[0]}"${more}${hint}`, { data: { source: src.source, missing } });
  }
  for (const [name, shape] of expected) {
    const found = src.shape(name)!;
    if (found.length !== shape.length || found.some((v, i) => v !== shape[i])) {
      throw new ModelError(
        "TENSOR_SHAPE",
        `${src.source}: tensor "${name}" expected [${shape.join(", ")}], found [${found.join(", ")}]; does config.json match these weights?`,
        { data: { source: src.source, name, expected: [...shape], found: [...found] } },
      );
    }
  }
  if (src.has(`model.layers.${config.numLayers}.input_layernorm.weight`)) {
    throw new ModelError("CONFIG_INVALID", `${src.source} has more than num_hidden_layers=${config.numLayers} layers; fix config.json`, {
      data: { source: src.source },
    });
  }
  checkNoStrayBiases(src, expected);
}

async function loadLayer(src: TensorSource, i: number, qkvBias: boolean): Promise<LayerWeights> {
  const n = layerTensorNames(i);
  const bias = async (name: string): Promise<Float32Array | undefined> => (qkvBias ? src.read(name) : undefined);
  return {
    inputNorm: await src.read(n.inputNorm),
    wq: await src.read(n.wq),
    wk: await src.read(n.wk),
    wv: await src.read(n.wv),
    bq: await bias(n.bq),
    bk: await bias(n.bk),
    bv: await bias(n.bv),
    wo: await src.read(n.wo),
    postNorm: await src.read(n.postNorm),
    wGate: await src.read(n.wGate),
    wUp: await src.read(n.wUp),
    wDown: await src.read(n.wDown),
  };
}

/**
 * Loads all weights as float32 (HF layout), after checkModelWeights. A tied lm_head is the embedding array itself.
 * @throws ModelError see checkModelWeights and SafetensorsFile.read
 */
export async function loadModelWeights(src: TensorSource, config: ModelConfig): Promise<ModelWeights> {
  checkModelWeights(src, config);
  const embed = await src.read("model.embed_tokens.weight");
  const layers: LayerWeights[] = [];
  for (let i = 0; i < config.numLayers; i++) layers.push(await loadLayer(src, i, config.qkvBias));
  const finalNorm = await src.read("model.norm.weight");
  const lmHead = config.tieWordEmbeddings ? embed : await src.read("lm_head.weight");
  return { embed, layers, finalNorm, lmHead };
}

/**
 * Loads config.json and the safetensors weights of a HF checkpoint folder.
 * @throws ModelError see loadModelConfig, SafetensorsCheckpoint.open and loadModelWeights
 */
export async function loadModel(dir: string): Promise<LoadedModel> {
  const config = await loadModelConfig(dir);
  const ckpt = await SafetensorsCheckpoint.open(dir);
  try {
    return { config, weights: await loadModelWeights(ckpt, config), dir };
  } finally {
    await ckpt.close();
  }
}
