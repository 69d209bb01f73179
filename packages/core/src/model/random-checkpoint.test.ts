// Tests for the random checkpoint builder: byte-identical output per seed, the options it honours, and its validation.
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModelConfig } from "./config.js";
import { RETAINING_HEADS_FILE_NAME, writeRandomCheckpoint } from "./random-checkpoint.js";
import type { RandomCheckpointOptions } from "./random-checkpoint.js";
import { SafetensorsCheckpoint } from "./safetensors-checkpoint.js";
import { SafetensorsFile } from "./safetensors.js";
import { expectApbError } from "./testing-only/expect-apb-error.js";
import { loadModel } from "./weights.js";

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "apb-random-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function filesOf(dir: string): Promise<Record<string, Buffer>> {
  const out: Record<string, Buffer> = {};
  for (const name of (await readdir(dir)).sort()) out[name] = await readFile(join(dir, name));
  return out;
}

describe("writeRandomCheckpoint", () => {
  it("writes identical bytes for the same seed and options, different weights for another seed", async () => {
    const opts: RandomCheckpointOptions = { seed: 42, retainingHeads: { hidden: 8 }, numShards: 2, dtype: "BF16" };
    const a = await writeRandomCheckpoint(join(tmp, "a"), opts);
    await writeRandomCheckpoint(join(tmp, "b"), opts);
    await writeRandomCheckpoint(join(tmp, "c"), { ...opts, seed: 43 });
    const [fa, fb, fc] = await Promise.all(["a", "b", "c"].map((d) => filesOf(join(tmp, d))));
    expect(Object.keys(fa!)).toEqual([...a.files].sort());
    expect(fb).toEqual(fa);
    expect(fc!["config.json"]).toEqual(fa!["config.json"]);
    expect(fc!["model-00001-of-00002.safetensors"]).not.toEqual(fa!["model-00001-of-00002.safetensors"]);
    expect(fc![RETAINING_HEADS_FILE_NAME]).not.toEqual(fa![RETAINING_HEADS_FILE_NAME]);
  });

  it("writes a config.json that round-trips to the returned config, with the defaults", async () => {
    const r = await writeRandomCheckpoint(join(tmp, "defaults"));
    expect(await loadModelConfig(r.dir)).toEqual(r.config);
    expect(r.config).toMatchObject({
      architecture: "llama", vocabSize: 256, hiddenSize: 64, numLayers: 2, numHeads: 4, numKvHeads: 2, headDim: 16,
      intermediateSize: 128, maxPositions: 4096, tieWordEmbeddings: false, qkvBias: false, ropeScaling: undefined,
    });
    expect(r.files).toEqual(["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"]);
  });

  it("honours architecture, rope scaling, biases, tying, dtype, heads and sharding", async () => {
    const ropeScaling = { type: "llama3", factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 64 } as const;
    const llama = await writeRandomCheckpoint(join(tmp, "llama3"), { ropeScaling, qkvBias: true, headDim: 8, numShards: 3, retainingHeads: { numOut: 1 } });
    expect(llama.config.ropeScaling).toEqual(ropeScaling);
    expect(llama.config.qkvBias).toBe(true);
    expect(llama.config.headDim).toBe(8);
    expect(llama.files).toContain("model.safetensors.index.json");
    const ck = await SafetensorsCheckpoint.open(llama.dir);
    expect(ck.shape("model.layers.0.self_attn.q_proj.weight")).toEqual([32, 64]);
    expect(ck.has("model.layers.1.self_attn.v_proj.bias")).toBe(true);
    await ck.close();
    const heads = await SafetensorsFile.open(join(llama.dir, RETAINING_HEADS_FILE_NAME));
    expect(heads.shape("model.layers.1.self_attn.fc2.weight")).toEqual([1, 32]);
    expect(heads.shape("model.layers.1.self_attn.fc1.weight")).toEqual([32, (4 + 2 * 2) * 8]);
    await heads.close();

    const qwen = await writeRandomCheckpoint(join(tmp, "qwen"), { architecture: "qwen2", tieWordEmbeddings: true, dtype: "BF16", tokenizer: false });
    expect(qwen.config).toMatchObject({ architecture: "qwen2", qkvBias: true, tieWordEmbeddings: true });
    const f = await SafetensorsFile.open(join(qwen.dir, "model.safetensors"));
    expect(f.dtype("model.embed_tokens.weight")).toBe("BF16");
    expect(f.has("lm_head.weight")).toBe(false);
    await f.close();
    expect((await writeRandomCheckpoint(join(tmp, "mistral"), { architecture: "mistral", tokenizer: false })).config.architecture).toBe("mistral");
  });

  it("keeps activations O(1) and logits spread out: norms near 1, projections ~ 1/sqrt(fan_in)", async () => {
    const { weights, config } = await loadModel((await writeRandomCheckpoint(join(tmp, "scales"), { tokenizer: false })).dir);
    const std = (x: Float32Array): number => Math.sqrt(x.reduce((a, v) => a + v * v, 0) / x.length);
    const mean = (x: Float32Array): number => x.reduce((a, v) => a + v, 0) / x.length;
    expect(mean(weights.layers[0]!.inputNorm)).toBeCloseTo(1, 1);
    expect(std(weights.embed)).toBeCloseTo(1, 1);
    expect(std(weights.lmHead) * Math.sqrt(config.hiddenSize)).toBeCloseTo(2.5, 0);
    expect(std(weights.layers[1]!.wDown) * Math.sqrt(config.intermediateSize)).toBeCloseTo(1, 1);
  });

  it("rejects inconsistent options with CONFIG_INVALID", async () => {
    await expectApbError(writeRandomCheckpoint(join(tmp, "x1"), { architecture: "qwen2", qkvBias: false }), "CONFIG_INVALID", /qwen2 always has/);
    await expectApbError(writeRandomCheckpoint(join(tmp, "x2"), { architecture: "mistral", qkvBias: true }), "CONFIG_INVALID", /mistral has no attention biases/);
    await expectApbError(writeRandomCheckpoint(join(tmp, "x3"), { vocabSize: 32 }), "CONFIG_INVALID", /vocabSize >= 48/);
    await expectApbError(writeRandomCheckpoint(join(tmp, "x4"), { numHeads: 4, numKvHeads: 3 }), "CONFIG_INVALID", /multiple of num_key_value_heads/);
    await expectApbError(writeRandomCheckpoint(join(tmp, "x5"), { retainingHeads: { numOut: 3 } }), "CONFIG_INVALID", /numOut \(3\)/);
    await expectApbError(writeRandomCheckpoint(join(tmp, "x6"), { hiddenSize: -1 }), "CONFIG_INVALID", /option "hiddenSize"/);
    await expectApbError(writeRandomCheckpoint(join(tmp, "x7"), { numShards: 99 }), "CONFIG_INVALID", /numShards \(99\)/);
    expect((await writeRandomCheckpoint(join(tmp, "small"), { vocabSize: 16, tokenizer: false })).config.vocabSize).toBe(16);
  });
});
