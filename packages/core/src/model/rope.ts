// RoPE frequencies (HF Llama convention, rotate_half), including Llama-3 and linear scaling.

import type { ModelConfig } from "./types.js";

/**
 * Inverse frequencies, length headDim/2, in float64. HF: inv_freq[i] = theta^(-2i/dh), then
 * Llama-3 scaling keeps high frequencies, divides low ones by `factor` and blends in between;
 * linear scaling divides all by `factor` (positions / factor).
 */
export function ropeInvFreq(config: Pick<ModelConfig, "headDim" | "ropeTheta" | "ropeScaling">): Float64Array {
  const half = config.headDim / 2;
  const inv = new Float64Array(half);
  for (let i = 0; i < half; i++) inv[i] = 1 / Math.pow(config.ropeTheta, (2 * i) / config.headDim);
  const s = config.ropeScaling;
  if (s === undefined) return inv;
  if (s.type === "linear") return inv.map((f) => f / s.factor);
  const lowWavelen = s.originalMaxPositions / s.lowFreqFactor;
  const highWavelen = s.originalMaxPositions / s.highFreqFactor;
  return inv.map((f) => {
    const wavelen = (2 * Math.PI) / f;
    if (wavelen < highWavelen) return f;
    if (wavelen > lowWavelen) return f / s.factor;
    const smooth = (s.originalMaxPositions / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
    return (1 - smooth) * (f / s.factor) + smooth * f;
  });
}

/**
 * cos/sin tables for the given positions: [positions.length, headDim/2] each, float32 (computed in float64).
 * Rotation of a head vector x (halves x1 = x[:dh/2], x2 = x[dh/2:]):
 *   out1 = x1·cos − x2·sin,  out2 = x2·cos + x1·sin   (HF rotate_half).
 */
export function ropeTables(invFreq: Float64Array, positions: Int32Array): { cos: Float32Array; sin: Float32Array } {
  const half = invFreq.length;
  const cos = new Float32Array(positions.length * half);
  const sin = new Float32Array(positions.length * half);
  for (let t = 0; t < positions.length; t++) {
    for (let i = 0; i < half; i++) {
      const a = positions[t]! * invFreq[i]!;
      cos[t * half + i] = Math.cos(a);
      sin[t * half + i] = Math.sin(a);
    }
  }
  return { cos, sin };
}
