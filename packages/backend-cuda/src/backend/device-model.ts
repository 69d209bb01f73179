// The model's weights in GPU memory, laid out for fused GEMMs: q/k/v stacked into one [(nq+2nkv)·dh, d] matrix (its
// output is exactly the pre-RoPE [q|k|v] the retaining heads read), gate and up stacked into one [2I, d] matrix.

import type { BackendInit, ModelConfig } from "@apb/core";
import { ropeInvFreq } from "@apb/core";
import type { NativeBuffer } from "../native/index.js";
import type { CudaTensor, DeviceDType, DeviceOps } from "../device/index.js";

/** One decoder layer on the device. */
export interface DeviceLayer {
  readonly inputNorm: CudaTensor; // [d]
  readonly wqkv: CudaTensor; // [(nq+2nkv)*dh, d]
  readonly bqkv: CudaTensor | undefined; // [(nq+2nkv)*dh]
  readonly wo: CudaTensor; // [d, nq*dh]
  readonly postNorm: CudaTensor; // [d]
  readonly wGateUp: CudaTensor; // [2I, d]
  readonly wDown: CudaTensor; // [d, I]
  readonly heads: { readonly fc1: CudaTensor; readonly fc2: CudaTensor; readonly hidden: number; readonly numOut: number } | undefined;
}

export interface DeviceModel {
  readonly embed: CudaTensor; // [V, d]
  readonly lmHead: CudaTensor; // [V, d]; the embed tensor itself when tied
  readonly finalNorm: CudaTensor; // [d]
  readonly layers: readonly DeviceLayer[];
  readonly invFreq: NativeBuffer; // [dh/2] float64
}

/** Uploads that remember every tensor they made, so a failure half-way frees them all. */
class Uploader {
  readonly made: CudaTensor[] = [];

  constructor(
    private readonly dev: DeviceOps,
    private readonly dt: DeviceDType,
  ) {}

  one(data: Float32Array, shape: readonly number[]): CudaTensor {
    return this.track(this.dev.upload(data, shape, this.dt));
  }

  /** Parts stacked row-wise into one tensor of `shape`. */
  stacked(parts: readonly Float32Array[], shape: readonly number[]): CudaTensor {
    const t = this.track(this.dev.alloc(shape, this.dt));
    let at = 0;
    for (const p of parts) {
      this.dev.uploadInto(t, p, at);
      at += p.length;
    }
    return t;
  }

  private track(t: CudaTensor): CudaTensor {
    this.made.push(t);
    return t;
  }
}

function uploadLayer(up: Uploader, init: BackendInit, l: number): DeviceLayer {
  const c: ModelConfig = init.config;
  const lw = init.weights.layers[l]!;
  const { hiddenSize: d, intermediateSize: im, numHeads: nq, numKvHeads: nkv, headDim: dh } = c;
  const width = (nq + 2 * nkv) * dh;
  const hl = init.heads?.layers[l];
  const biases = lw.bq !== undefined && lw.bk !== undefined && lw.bv !== undefined ? [lw.bq, lw.bk, lw.bv] : undefined;
  return {
    inputNorm: up.one(lw.inputNorm, [d]),
    wqkv: up.stacked([lw.wq, lw.wk, lw.wv], [width, d]),
    bqkv: c.qkvBias && biases !== undefined ? up.stacked(biases, [width]) : undefined,
    wo: up.one(lw.wo, [d, nq * dh]),
    postNorm: up.one(lw.postNorm, [d]),
    wGateUp: up.stacked([lw.wGate, lw.wUp], [2 * im, d]),
    wDown: up.one(lw.wDown, [d, im]),
    heads: hl === undefined ? undefined : { fc1: up.one(hl.fc1, [hl.hidden, width]), fc2: up.one(hl.fc2, [hl.numOut, hl.hidden]), hidden: hl.hidden, numOut: hl.numOut },
  };
}

function layerTensors(l: DeviceLayer): CudaTensor[] {
  const out = [l.inputNorm, l.wqkv, l.wo, l.postNorm, l.wGateUp, l.wDown];
  if (l.bqkv !== undefined) out.push(l.bqkv);
  if (l.heads !== undefined) out.push(l.heads.fc1, l.heads.fc2);
  return out;
}

/**
 * Uploads every weight (enqueued; the caller fences). On failure, what was uploaded so far is freed.
 * @throws CudaError from the device.
 */
export function uploadModel(dev: DeviceOps, init: BackendInit, dt: DeviceDType): DeviceModel {
  const { config: c, weights: w } = init;
  const up = new Uploader(dev, dt);
  try {
    const embed = up.one(w.embed, [c.vocabSize, c.hiddenSize]);
    const lmHead = w.lmHead === w.embed ? embed : up.one(w.lmHead, [c.vocabSize, c.hiddenSize]);
    const finalNorm = up.one(w.finalNorm, [c.hiddenSize]);
    const layers = Array.from({ length: c.numLayers }, (_, l) => uploadLayer(up, init, l));
    const invFreq = dev.uploadRaw(ropeInvFreq(c));
    return { embed, lmHead, finalNorm, layers, invFreq };
  } catch (err) {
    for (const t of up.made) dev.free(t);
    throw err;
  }
}

/** Frees every weight of the model. */
export function releaseModel(dev: DeviceOps, m: DeviceModel): void {
  const all = [m.embed, m.finalNorm, ...m.layers.flatMap(layerTensors)];
  if (m.lmHead !== m.embed) all.push(m.lmHead);
  for (const t of all) dev.free(t);
  dev.free(m.invFreq);
}
