// Load-time checks every CPU backend runs on BackendInit: config consistency and weight array lengths.

import { BackendError, ModelError } from "../errors/apb-error.js";
import type { BackendInit } from "../backend/backend.js";
import type { LayerWeights, ModelConfig } from "../model/types.js";

function expectLength(name: string, arr: Float32Array | undefined, n: number): void {
  if (arr === undefined || arr.length !== n) {
    throw new ModelError("TENSOR_SHAPE", `${name}: expected ${n} float32 values, got ${arr === undefined ? "none" : arr.length}`, {
      data: { tensor: name, expected: n, actual: arr?.length },
    });
  }
}

function checkLayer(config: ModelConfig, lw: LayerWeights, l: number): void {
  const { hiddenSize: d, intermediateSize: im, numHeads: nq, numKvHeads: nkv, headDim: dh } = config;
  const p = `layers.${l}`;
  expectLength(`${p}.inputNorm`, lw.inputNorm, d);
  expectLength(`${p}.wq`, lw.wq, nq * dh * d);
  expectLength(`${p}.wk`, lw.wk, nkv * dh * d);
  expectLength(`${p}.wv`, lw.wv, nkv * dh * d);
  if (config.qkvBias) {
    expectLength(`${p}.bq`, lw.bq, nq * dh);
    expectLength(`${p}.bk`, lw.bk, nkv * dh);
    expectLength(`${p}.bv`, lw.bv, nkv * dh);
  }
  expectLength(`${p}.wo`, lw.wo, d * nq * dh);
  expectLength(`${p}.postNorm`, lw.postNorm, d);
  expectLength(`${p}.wGate`, lw.wGate, im * d);
  expectLength(`${p}.wUp`, lw.wUp, im * d);
  expectLength(`${p}.wDown`, lw.wDown, d * im);
}

/**
 * Checks that the config is usable by the attention ops and that every weight has the length the config implies.
 * @throws BackendError BACKEND_UNAVAILABLE for an unusable head layout or thread count;
 *         ModelError TENSOR_SHAPE for a weight of the wrong size.
 */
export function checkBackendInit(init: BackendInit): void {
  const { config, weights, heads } = init;
  const { numHeads: nq, numKvHeads: nkv, headDim: dh, hiddenSize: d, vocabSize: vocab } = config;
  if (nkv <= 0 || nq % nkv !== 0 || dh % 2 !== 0) {
    throw new BackendError("BACKEND_UNAVAILABLE", `head layout nq=${nq}, nkv=${nkv}, dh=${dh} needs nq divisible by nkv and an even dh`);
  }
  if (!Number.isInteger(init.threads) || init.threads < 1) {
    throw new BackendError("BACKEND_UNAVAILABLE", `threads must be a positive integer, got ${init.threads}`);
  }
  if (weights.layers.length !== config.numLayers) {
    throw new ModelError("TENSOR_SHAPE", `expected ${config.numLayers} layers of weights, got ${weights.layers.length}`);
  }
  expectLength("embed", weights.embed, vocab * d);
  expectLength("lmHead", weights.lmHead, vocab * d);
  expectLength("finalNorm", weights.finalNorm, d);
  weights.layers.forEach((lw, l) => checkLayer(config, lw, l));
  if (heads === undefined) return;
  if (heads.layers.length !== config.numLayers) {
    throw new ModelError("TENSOR_SHAPE", `expected ${config.numLayers} layers of retaining heads, got ${heads.layers.length}`);
  }
  heads.layers.forEach((h, l) => {
    expectLength(`heads.${l}.fc1`, h.fc1, h.hidden * (nq + 2 * nkv) * dh);
    expectLength(`heads.${l}.fc2`, h.fc2, h.numOut * h.hidden);
  });
}
