// Loads APB/Locret retaining heads (per layer fc1: [hidden, (nq+2nkv)·dh], fc2: [numOut, hidden], no biases)
// from a safetensors file in the APB-Locret key layout, validating every key and shape before reading data.

import { ModelError } from "../errors/apb-error.js";
import { SafetensorsFile } from "./safetensors.js";
import type { TensorSource } from "./safetensors.js";
import type { ModelConfig, RetainingHeadLayer, RetainingHeadWeights } from "./types.js";

type HeadConfig = Pick<ModelConfig, "numLayers" | "numHeads" | "numKvHeads" | "headDim">;

/** Hidden width of the released APB-Locret heads (fc1 output). */
export const DEFAULT_RETAINING_HEAD_HIDDEN = 1024;

/** Key names of layer i's heads in the APB-Locret layout. */
export function retainingHeadKeys(i: number): { fc1: string; fc2: string } {
  return { fc1: `model.layers.${i}.self_attn.fc1.weight`, fc2: `model.layers.${i}.self_attn.fc2.weight` };
}

/** fc1's input width: the concatenated pre-RoPE [q | k | v] projections. */
export function retainingHeadInputWidth(c: Pick<ModelConfig, "numHeads" | "numKvHeads" | "headDim">): number {
  return (c.numHeads + 2 * c.numKvHeads) * c.headDim;
}

/**
 * Parameters of a full set of heads, from shapes alone: L · (in·hidden + hidden·numOut).
 * Llama-3.1-8B with hidden 1024 and numOut 8 gives 201,588,736.
 */
export function retainingHeadParameterCount(c: HeadConfig, opts: { hidden?: number; numOut?: number } = {}): number {
  const hidden = opts.hidden ?? DEFAULT_RETAINING_HEAD_HIDDEN;
  const numOut = opts.numOut ?? c.numKvHeads;
  return c.numLayers * (retainingHeadInputWidth(c) * hidden + hidden * numOut);
}

function shapeError(src: TensorSource, name: string, expected: string, found: readonly number[]): ModelError {
  return new ModelError("TENSOR_SHAPE", `${src.source}: tensor "${name}" expected ${expected}, found [${found.join(", ")}]; were these heads trained for this model?`, {
    data: { source: src.source, name, found: [...found] },
  });
}

/** Checks layer i's fc1/fc2 presence and shapes; returns (hidden, numOut). */
function checkLayer(src: TensorSource, i: number, config: HeadConfig): { hidden: number; numOut: number } {
  const keys = retainingHeadKeys(i);
  for (const name of [keys.fc1, keys.fc2]) {
    if (!src.has(name)) {
      throw new ModelError("TENSOR_MISSING", `${src.source} has no tensor "${name}": retaining heads need fc1 and fc2 for all ${config.numLayers} layers`, {
        data: { source: src.source, name },
      });
    }
  }
  const inWidth = retainingHeadInputWidth(config);
  const fc1 = src.shape(keys.fc1)!;
  if (fc1.length !== 2 || fc1[1] !== inWidth || fc1[0]! < 1) throw shapeError(src, keys.fc1, `[hidden, ${inWidth}]`, fc1);
  const hidden = fc1[0]!;
  const fc2 = src.shape(keys.fc2)!;
  const nkv = config.numKvHeads;
  if (fc2.length !== 2 || fc2[1] !== hidden || fc2[0]! < 1 || fc2[0]! > nkv || nkv % fc2[0]! !== 0) {
    throw shapeError(src, keys.fc2, `[numOut, ${hidden}] with numOut dividing num_key_value_heads=${nkv}`, fc2);
  }
  return { hidden, numOut: fc2[0]! };
}

/**
 * Validates the key set of a heads source against the config: all L layers, no other `fc` keys.
 * @throws ModelError TENSOR_MISSING / TENSOR_SHAPE naming the tensor, SAFETENSORS_INVALID for unexpected fc keys
 */
export function checkRetainingHeads(src: TensorSource, config: HeadConfig): { hidden: number; numOut: number }[] {
  const expected = new Set<string>();
  for (let i = 0; i < config.numLayers; i++) {
    const k = retainingHeadKeys(i);
    expected.add(k.fc1).add(k.fc2);
  }
  const extra = src.names().find((n) => /(^|\.)fc\d*\./.test(n) && !expected.has(n));
  if (extra !== undefined) {
    throw new ModelError(
      "SAFETENSORS_INVALID",
      `${src.source} has "${extra}", which no layer of this ${config.numLayers}-layer model uses; heads must be exactly model.layers.{i}.self_attn.fc1/fc2.weight`,
      { data: { source: src.source, name: extra } },
    );
  }
  return Array.from({ length: config.numLayers }, (_, i) => checkLayer(src, i, config));
}

/** Reads validated heads from any tensor source. */
export async function readRetainingHeads(src: TensorSource, config: HeadConfig): Promise<RetainingHeadWeights> {
  const dims = checkRetainingHeads(src, config);
  const layers: RetainingHeadLayer[] = [];
  for (let i = 0; i < config.numLayers; i++) {
    const keys = retainingHeadKeys(i);
    layers.push({ fc1: await src.read(keys.fc1), fc2: await src.read(keys.fc2), hidden: dims[i]!.hidden, numOut: dims[i]!.numOut });
  }
  return { layers };
}

/**
 * Loads retaining heads from a .safetensors file (convert a released model.bin first, e.g.
 * `python -c "import torch; from safetensors.torch import save_file; save_file(torch.load('model.bin'), 'heads.safetensors')"`).
 * @throws ModelError SAFETENSORS_INVALID for a non-safetensors file; see checkRetainingHeads
 */
export async function loadRetainingHeads(path: string, config: HeadConfig): Promise<RetainingHeadWeights> {
  if (path.endsWith(".bin") || path.endsWith(".pt") || path.endsWith(".pth")) {
    throw new ModelError(
      "SAFETENSORS_INVALID",
      `${path} is a PyTorch pickle; convert it: python -c "import torch; from safetensors.torch import save_file; save_file(torch.load('${path}'), 'retaining_heads.safetensors')"`,
      { data: { path } },
    );
  }
  const file = await SafetensorsFile.open(path);
  try {
    return await readRetainingHeads(file, config);
  } finally {
    await file.close();
  }
}
