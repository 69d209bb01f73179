// Tests for loading APB/Locret retaining heads: layout, shapes, key-set validation and the parameter count.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RETAINING_HEADS_FILE_NAME, writeRandomCheckpoint } from "./random-checkpoint.js";
import { loadRetainingHeads, retainingHeadInputWidth, retainingHeadKeys, retainingHeadParameterCount } from "./retaining-heads.js";
import { writeSafetensors } from "./safetensors-writer.js";
import type { TensorToWrite } from "./safetensors-writer.js";
import { expectApbError } from "./testing-only/expect-apb-error.js";

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "apb-heads-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const CFG = { numLayers: 2, numHeads: 4, numKvHeads: 2, headDim: 4 };
const IN = retainingHeadInputWidth(CFG); // (4 + 2·2)·4 = 32

function tensor(shape: number[]): TensorToWrite {
  return { dtype: "F32", shape, data: new Float32Array(shape[0]! * shape[1]!).fill(0.5) };
}

/** A heads file for CFG; `edit` may change or delete entries before writing. */
async function headsFile(name: string, edit: (t: Record<string, TensorToWrite>) => void = () => {}): Promise<string> {
  const t: Record<string, TensorToWrite> = {};
  for (let i = 0; i < CFG.numLayers; i++) {
    t[retainingHeadKeys(i).fc1] = tensor([16, IN]);
    t[retainingHeadKeys(i).fc2] = tensor([2, 16]);
  }
  edit(t);
  const path = join(tmp, name);
  await writeSafetensors(path, t);
  return path;
}

describe("retainingHeadParameterCount", () => {
  it("matches the paper's models from shapes alone", () => {
    expect(retainingHeadParameterCount({ numLayers: 32, numHeads: 32, numKvHeads: 8, headDim: 128 })).toBe(201_588_736);
    expect(retainingHeadParameterCount({ numLayers: 48, numHeads: 40, numKvHeads: 8, headDim: 128 })).toBe(352_714_752);
    expect(retainingHeadParameterCount({ numLayers: 60, numHeads: 56, numKvHeads: 8, headDim: 128 })).toBe(566_722_560);
    expect(retainingHeadParameterCount(CFG, { hidden: 16, numOut: 1 })).toBe(2 * (IN * 16 + 16));
  });
});

describe("loadRetainingHeads", () => {
  it("loads the heads written with a random checkpoint", async () => {
    const dir = join(tmp, "ckpt");
    const { config } = await writeRandomCheckpoint(dir, { retainingHeads: { hidden: 24 }, numLayers: 3, tokenizer: false });
    const heads = await loadRetainingHeads(join(dir, RETAINING_HEADS_FILE_NAME), config);
    expect(heads.layers).toHaveLength(3);
    const l = heads.layers[2]!;
    expect(l.hidden).toBe(24);
    expect(l.numOut).toBe(config.numKvHeads);
    expect(l.fc1).toHaveLength(24 * retainingHeadInputWidth(config));
    expect(l.fc2).toHaveLength(config.numKvHeads * 24);
  });

  it("accepts fewer outputs than KV heads when they divide them", async () => {
    const path = await headsFile("one-out.safetensors", (t) => {
      for (let i = 0; i < 2; i++) t[retainingHeadKeys(i).fc2] = tensor([1, 16]);
    });
    expect((await loadRetainingHeads(path, CFG)).layers.map((l) => l.numOut)).toEqual([1, 1]);
  });

  it("requires fc1 and fc2 for every layer", async () => {
    const path = await headsFile("missing.safetensors", (t) => delete t[retainingHeadKeys(1).fc2]);
    await expectApbError(loadRetainingHeads(path, CFG), "TENSOR_MISSING", /"model\.layers\.1\.self_attn\.fc2\.weight".*all 2 layers/);
  });

  it("rejects wrong fc1 width, mismatched hidden, and numOut that does not divide the KV heads", async () => {
    const wide = await headsFile("wide.safetensors", (t) => (t[retainingHeadKeys(0).fc1] = tensor([16, IN + 4])));
    await expectApbError(loadRetainingHeads(wide, CFG), "TENSOR_SHAPE", /fc1\.weight" expected \[hidden, 32\], found \[16, 36\]/);
    const hidden = await headsFile("hidden.safetensors", (t) => (t[retainingHeadKeys(1).fc2] = tensor([2, 8])));
    await expectApbError(loadRetainingHeads(hidden, CFG), "TENSOR_SHAPE", /fc2\.weight" expected \[numOut, 16\].*found \[2, 8\]/);
    const three = await headsFile("three.safetensors", (t) => (t[retainingHeadKeys(0).fc2] = tensor([3, 16])));
    await expectApbError(loadRetainingHeads(three, { ...CFG, numKvHeads: 4, numHeads: 4 }), "TENSOR_SHAPE");
  });

  it("rejects extra fc keys (another layer, biases) and pickle files", async () => {
    const extra = await headsFile("extra.safetensors", (t) => (t[retainingHeadKeys(2).fc1] = tensor([16, IN])));
    await expectApbError(loadRetainingHeads(extra, CFG), "SAFETENSORS_INVALID", /"model\.layers\.2\.self_attn\.fc1\.weight".*2-layer model/);
    const bias = await headsFile("bias.safetensors", (t) => (t["model.layers.0.self_attn.fc1.bias"] = { dtype: "F32", shape: [16], data: new Float32Array(16) }));
    await expectApbError(loadRetainingHeads(bias, CFG), "SAFETENSORS_INVALID", /fc1\.bias/);
    await expectApbError(loadRetainingHeads(join(tmp, "model.bin"), CFG), "SAFETENSORS_INVALID", /PyTorch pickle; convert it/);
  });
});
