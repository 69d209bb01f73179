// Tests for HF weight-name mapping: loading random checkpoints, and missing / mis-shaped / stray tensors failing before any read.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseModelConfig } from "./config.js";
import { writeRandomCheckpoint } from "./random-checkpoint.js";
import type { TensorSource } from "./safetensors.js";
import { expectApbError } from "./testing-only/expect-apb-error.js";
import type { ModelConfig } from "./types.js";
import { checkModelWeights, expectedWeightShapes, loadModel, loadModelWeights } from "./weights.js";

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "apb-weights-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const TINY = parseModelConfig({
  architectures: ["LlamaForCausalLM"], vocab_size: 10, hidden_size: 8, intermediate_size: 12, num_hidden_layers: 2,
  num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 64,
});

/** In-memory tensors with a read counter, so tests can prove that checks happen before any data is read. */
class MemorySource implements TensorSource {
  readonly source = "memory";
  reads = 0;
  readonly tensors: Map<string, readonly number[]>;
  constructor(config: ModelConfig) {
    this.tensors = new Map(expectedWeightShapes(config));
  }
  names(): string[] {
    return [...this.tensors.keys()];
  }
  has(name: string): boolean {
    return this.tensors.has(name);
  }
  shape(name: string): readonly number[] | undefined {
    return this.tensors.get(name);
  }
  async read(name: string): Promise<Float32Array> {
    this.reads++;
    return new Float32Array(this.tensors.get(name)!.reduce((a, b) => a * b, 1)).fill(this.reads);
  }
}

describe("expectedWeightShapes", () => {
  it("lists HF names with exact shapes, biases only for qkvBias and lm_head only when untied", () => {
    const shapes = expectedWeightShapes(TINY);
    expect(shapes.get("model.embed_tokens.weight")).toEqual([10, 8]);
    expect(shapes.get("model.layers.1.self_attn.q_proj.weight")).toEqual([8, 8]);
    expect(shapes.get("model.layers.1.self_attn.k_proj.weight")).toEqual([4, 8]);
    expect(shapes.get("model.layers.0.self_attn.o_proj.weight")).toEqual([8, 8]);
    expect(shapes.get("model.layers.0.mlp.down_proj.weight")).toEqual([8, 12]);
    expect(shapes.get("lm_head.weight")).toEqual([10, 8]);
    expect(shapes.has("model.layers.0.self_attn.q_proj.bias")).toBe(false);
    expect(shapes.size).toBe(1 + 2 * 9 + 2);
    const qwen = expectedWeightShapes({ ...TINY, qkvBias: true, tieWordEmbeddings: true });
    expect(qwen.get("model.layers.1.self_attn.v_proj.bias")).toEqual([4]);
    expect(qwen.has("lm_head.weight")).toBe(false);
  });
});

describe("checkModelWeights / loadModelWeights", () => {
  it("loads every tensor into its LayerWeights field", async () => {
    const src = new MemorySource(TINY);
    const w = await loadModelWeights(src, TINY);
    expect(w.layers).toHaveLength(2);
    expect(w.embed).toHaveLength(80);
    expect(w.layers[1]!.wDown).toHaveLength(96);
    expect(w.layers[0]!.bq).toBeUndefined();
    expect(w.lmHead).not.toBe(w.embed);
    expect(src.reads).toBe(21);
  });

  it("names a missing tensor, how many more are missing, and reads nothing", async () => {
    const src = new MemorySource(TINY);
    src.tensors.delete("model.layers.1.mlp.up_proj.weight");
    src.tensors.delete("model.norm.weight");
    await expectApbError(loadModelWeights(src, TINY), "TENSOR_MISSING", /memory has no tensor "model\.layers\.1\.mlp\.up_proj\.weight" \(and 1 more\)/);
    expect(src.reads).toBe(0);
    const untied = new MemorySource(TINY);
    untied.tensors.delete("lm_head.weight");
    await expectApbError(() => checkModelWeights(untied, TINY), "TENSOR_MISSING", /"lm_head\.weight".*tie_word_embeddings/);
  });

  it("names a mis-shaped tensor with expected and found shapes, and reads nothing", async () => {
    const src = new MemorySource(TINY);
    src.tensors.set("model.layers.0.self_attn.k_proj.weight", [8, 4]);
    const e = await expectApbError(loadModelWeights(src, TINY), "TENSOR_SHAPE", /"model\.layers\.0\.self_attn\.k_proj\.weight" expected \[4, 8\], found \[8, 4\]/);
    expect(e.data).toMatchObject({ expected: [4, 8], found: [8, 4] });
    src.tensors.set("model.layers.0.self_attn.k_proj.weight", [4, 8, 1]);
    await expectApbError(loadModelWeights(src, TINY), "TENSOR_SHAPE", /found \[4, 8, 1\]/);
    expect(src.reads).toBe(0);
  });

  it("rejects biases the config would ignore and checkpoints with more layers than the config", async () => {
    const src = new MemorySource(TINY);
    src.tensors.set("model.layers.0.self_attn.o_proj.bias", [8]);
    await expectApbError(loadModelWeights(src, TINY), "ARCHITECTURE_UNSUPPORTED", /o_proj\.bias/);
    const qkv = new MemorySource(TINY);
    qkv.tensors.set("model.layers.1.self_attn.q_proj.bias", [8]);
    await expectApbError(loadModelWeights(qkv, TINY), "ARCHITECTURE_UNSUPPORTED", /q_proj\.bias/);
    const deeper = new MemorySource(TINY);
    deeper.tensors.set("model.layers.2.input_layernorm.weight", [8]);
    await expectApbError(loadModelWeights(deeper, TINY), "CONFIG_INVALID", /more than num_hidden_layers=2/);
    expect(src.reads + qkv.reads + deeper.reads).toBe(0);
  });
});

describe("loadModel", () => {
  it("loads a random Qwen2 checkpoint with biases and a tied lm_head", async () => {
    const dir = join(tmp, "qwen2");
    await writeRandomCheckpoint(dir, { architecture: "qwen2", tieWordEmbeddings: true, tokenizer: false });
    const m = await loadModel(dir);
    expect(m.dir).toBe(dir);
    expect(m.config.architecture).toBe("qwen2");
    expect(m.weights.lmHead).toBe(m.weights.embed);
    expect(m.weights.layers[0]!.bk).toHaveLength(m.config.numKvHeads * m.config.headDim);
  });

  it("loads sharded and BF16 checkpoints to the same values as the single-file one", async () => {
    const opts = { seed: 7, numLayers: 3, tokenizer: false } as const;
    await writeRandomCheckpoint(join(tmp, "one"), opts);
    await writeRandomCheckpoint(join(tmp, "shards"), { ...opts, numShards: 4 });
    await writeRandomCheckpoint(join(tmp, "bf16"), { ...opts, dtype: "BF16" });
    const one = await loadModel(join(tmp, "one"));
    const shards = await loadModel(join(tmp, "shards"));
    const bf16 = await loadModel(join(tmp, "bf16"));
    expect(shards.weights).toEqual(one.weights);
    const a = one.weights.layers[2]!.wq;
    const b = bf16.weights.layers[2]!.wq;
    let maxRel = 0;
    for (let i = 0; i < a.length; i++) maxRel = Math.max(maxRel, Math.abs(a[i]! - b[i]!) / Math.abs(a[i]!));
    expect(maxRel).toBeLessThanOrEqual(2 ** -8); // bf16 keeps 8 significant bits
    expect(maxRel).toBeGreaterThan(0);
  });

  it("fails with CONFIG_MISSING for a folder without config.json", async () => {
    await expectApbError(loadModel(await mkdtemp(join(tmp, "empty-"))), "CONFIG_MISSING");
  });
});
