// Tests for config.json parsing: Llama 2/3.1, Qwen2, Mistral, transformers v5 rope_parameters, and every rejection path.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModelConfig, parseModelConfig } from "./config.js";
import { ropeInvFreq } from "./rope.js";
import { expectApbError } from "./testing-only/expect-apb-error.js";

const LLAMA_31_8B = {
  architectures: ["LlamaForCausalLM"], attention_bias: false, attention_dropout: 0.0, bos_token_id: 128000,
  eos_token_id: [128001, 128008, 128009], hidden_act: "silu", hidden_size: 4096, initializer_range: 0.02,
  intermediate_size: 14336, max_position_embeddings: 131072, mlp_bias: false, model_type: "llama", num_attention_heads: 32,
  num_hidden_layers: 32, num_key_value_heads: 8, pretraining_tp: 1, rms_norm_eps: 1e-5,
  rope_scaling: { factor: 8.0, low_freq_factor: 1.0, high_freq_factor: 4.0, original_max_position_embeddings: 8192, rope_type: "llama3" },
  rope_theta: 500000.0, tie_word_embeddings: false, torch_dtype: "bfloat16", vocab_size: 128256,
};

const QWEN25_05B = {
  architectures: ["Qwen2ForCausalLM"], attention_dropout: 0.0, bos_token_id: 151643, eos_token_id: 151643, hidden_act: "silu",
  hidden_size: 896, intermediate_size: 4864, max_position_embeddings: 32768, max_window_layers: 24, model_type: "qwen2",
  num_attention_heads: 14, num_hidden_layers: 24, num_key_value_heads: 2, rms_norm_eps: 1e-6, rope_theta: 1000000.0,
  sliding_window: 32768, tie_word_embeddings: true, torch_dtype: "bfloat16", use_sliding_window: false, vocab_size: 151936,
};

const MISTRAL_7B_V02 = {
  architectures: ["MistralForCausalLM"], attention_dropout: 0.0, bos_token_id: 1, eos_token_id: 2, hidden_act: "silu",
  hidden_size: 4096, intermediate_size: 14336, max_position_embeddings: 32768, model_type: "mistral", num_attention_heads: 32,
  num_hidden_layers: 32, num_key_value_heads: 8, rms_norm_eps: 1e-5, rope_theta: 1000000.0, sliding_window: null,
  tie_word_embeddings: false, torch_dtype: "bfloat16", vocab_size: 32000,
};

describe("parseModelConfig", () => {
  it("normalises Llama-3.1-8B with llama3 rope scaling and an eos list", () => {
    const c = parseModelConfig(LLAMA_31_8B);
    expect(c).toEqual({
      architecture: "llama", vocabSize: 128256, hiddenSize: 4096, intermediateSize: 14336, numLayers: 32, numHeads: 32,
      numKvHeads: 8, headDim: 128, rmsNormEps: 1e-5, maxPositions: 131072, tieWordEmbeddings: false, qkvBias: false,
      ropeTheta: 500000, ropeScaling: { type: "llama3", factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8192 },
      bosTokenId: 128000, eosTokenIds: [128001, 128008, 128009],
    });
    // The scaled frequencies feed RoPE: the highest frequency is kept, the lowest divided by the factor.
    const inv = ropeInvFreq(c);
    expect(inv[0]).toBe(1);
    expect(inv[63]).toBeCloseTo(Math.pow(500000, -126 / 128) / 8, 15);
  });

  it("defaults Llama-2 style fields: kv heads = heads, head_dim = hidden/heads, no eos, old `type` spelling", () => {
    const { eos_token_id: _e, bos_token_id: _b, num_key_value_heads: _k, rope_theta: _t, ...rest } = LLAMA_31_8B;
    const c = parseModelConfig({ ...rest, rope_scaling: { type: "linear", factor: 2 } });
    expect(c.numKvHeads).toBe(32);
    expect(c.headDim).toBe(128);
    expect(c.eosTokenIds).toEqual([]);
    expect(c.bosTokenId).toBeUndefined();
    expect(c.ropeTheta).toBe(10000);
    expect(c.ropeScaling).toEqual({ type: "linear", factor: 2 });
    expect(parseModelConfig({ ...rest, rope_scaling: null }).ropeScaling).toBeUndefined();
    expect(parseModelConfig({ ...rest, rope_scaling: { rope_type: "default" } }).ropeScaling).toBeUndefined();
  });

  it("turns q/k/v biases on for Qwen2 always and for Llama with attention_bias", () => {
    const q = parseModelConfig(QWEN25_05B);
    expect(q.architecture).toBe("qwen2");
    expect(q.qkvBias).toBe(true);
    expect(q.tieWordEmbeddings).toBe(true);
    expect(q.headDim).toBe(64);
    expect(q.eosTokenIds).toEqual([151643]);
    expect(parseModelConfig({ ...LLAMA_31_8B, attention_bias: true }).qkvBias).toBe(true);
  });

  it("reads Mistral, with an explicit head_dim and tie default false", () => {
    const { tie_word_embeddings: _t, ...rest } = MISTRAL_7B_V02;
    const c = parseModelConfig({ ...rest, head_dim: 96 });
    expect(c.architecture).toBe("mistral");
    expect(c.headDim).toBe(96);
    expect(c.tieWordEmbeddings).toBe(false);
    expect(c.qkvBias).toBe(false);
    expect(c.ropeTheta).toBe(1e6);
  });

  it("accepts transformers v5 rope_parameters instead of rope_theta/rope_scaling", () => {
    const { rope_scaling: _s, rope_theta: _t, ...rest } = LLAMA_31_8B;
    const c = parseModelConfig({
      ...rest,
      rope_parameters: { rope_type: "llama3", rope_theta: 500000, factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 },
    });
    expect(c.ropeTheta).toBe(500000);
    expect(c.ropeScaling).toEqual(parseModelConfig(LLAMA_31_8B).ropeScaling);
    const plain = parseModelConfig({ ...rest, rope_parameters: { rope_type: "default", rope_theta: 1234 } });
    expect(plain.ropeTheta).toBe(1234);
    expect(plain.ropeScaling).toBeUndefined();
  });

  it("falls back to model_type when architectures is absent", () => {
    const { architectures: _a, ...rest } = MISTRAL_7B_V02;
    expect(parseModelConfig(rest).architecture).toBe("mistral");
  });

  it("rejects unknown architectures and model types, naming what is supported", async () => {
    await expectApbError(() => parseModelConfig({ ...LLAMA_31_8B, architectures: ["GemmaForCausalLM"] }), "ARCHITECTURE_UNSUPPORTED", /GemmaForCausalLM.*LlamaForCausalLM/);
    const { architectures: _a, ...rest } = LLAMA_31_8B;
    await expectApbError(() => parseModelConfig({ ...rest, model_type: "gpt2" }), "ARCHITECTURE_UNSUPPORTED", /"gpt2".*supported/);
    await expectApbError(() => parseModelConfig({ hidden_size: 8 }), "ARCHITECTURE_UNSUPPORTED", /no "architectures"/);
  });

  it("rejects bad fields with the field path", async () => {
    await expectApbError(() => parseModelConfig({ ...LLAMA_31_8B, hidden_size: "4096" }, "x/config.json"), "CONFIG_INVALID", /x\/config\.json: field "hidden_size"/);
    await expectApbError(() => parseModelConfig({ ...LLAMA_31_8B, num_hidden_layers: 0 }), "CONFIG_INVALID", /num_hidden_layers/);
    await expectApbError(
      () => parseModelConfig({ ...LLAMA_31_8B, rope_scaling: { ...LLAMA_31_8B.rope_scaling, factor: "8" } }),
      "CONFIG_INVALID",
      /field "rope_scaling\.factor"/,
    );
    await expectApbError(() => parseModelConfig({ ...LLAMA_31_8B, vocab_size: undefined }), "CONFIG_INVALID", /vocab_size/);
    await expectApbError(() => parseModelConfig([1, 2]), "CONFIG_INVALID", /JSON object/);
  });

  it("rejects inconsistent shapes, non-silu activations and unsupported rope or attention variants", async () => {
    await expectApbError(() => parseModelConfig({ ...LLAMA_31_8B, num_key_value_heads: 5 }), "CONFIG_INVALID", /multiple of num_key_value_heads \(5\)/);
    await expectApbError(() => parseModelConfig({ ...LLAMA_31_8B, num_attention_heads: 24, num_key_value_heads: 8, hidden_size: 4100 }), "CONFIG_INVALID", /hidden_size \(4100\)/);
    await expectApbError(() => parseModelConfig({ ...LLAMA_31_8B, hidden_act: "gelu" }), "CONFIG_INVALID", /hidden_act "gelu"/);
    await expectApbError(() => parseModelConfig({ ...LLAMA_31_8B, rope_scaling: { rope_type: "yarn", factor: 4 } }), "CONFIG_INVALID", /"yarn" is not supported/);
    await expectApbError(() => parseModelConfig({ ...LLAMA_31_8B, rope_scaling: { rope_type: "llama3", factor: 8 } }), "CONFIG_INVALID", /low_freq_factor is required/);
    await expectApbError(() => parseModelConfig({ ...MISTRAL_7B_V02, sliding_window: 4096 }), "ARCHITECTURE_UNSUPPORTED", /sliding_window=4096/);
    await expectApbError(() => parseModelConfig({ ...QWEN25_05B, use_sliding_window: true, sliding_window: 4096 }), "ARCHITECTURE_UNSUPPORTED", /sliding/);
  });
});

describe("loadModelConfig", () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), "apb-config-"));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it("loads config.json from a folder", async () => {
    await writeFile(join(tmp, "config.json"), JSON.stringify(QWEN25_05B));
    expect((await loadModelConfig(tmp)).numLayers).toBe(24);
  });

  it("reports a missing file as CONFIG_MISSING and bad JSON as CONFIG_INVALID, naming the path", async () => {
    const empty = await mkdtemp(join(tmp, "empty-"));
    await expectApbError(loadModelConfig(empty), "CONFIG_MISSING", /config\.json cannot be read/);
    const bad = await mkdtemp(join(tmp, "bad-"));
    await writeFile(join(bad, "config.json"), "{ \"vocab_size\": 12,");
    await expectApbError(loadModelConfig(bad), "CONFIG_INVALID", new RegExp(`${bad}/config\\.json is not valid JSON`));
  });
});
