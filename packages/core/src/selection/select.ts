// KV selection for the passing block (APB.md 3.2-3.5): head-score expansion, max-pool, anchor masking, top-k per KV head.

import { ApbError } from "../errors/index.js";
import { Prng } from "../util/prng.js";

/** Max-pool kernel of the retaining-head scores: kernel 5, stride 1, padding 2 (same length). */
export const MAX_POOL_KERNEL = 5;

/**
 * Repeats [T, numOut] scores to [T, numKv] when a head file scores fewer channels than there are KV heads
 * (channel j reads output floor(j * numOut / numKv), i.e. repeat-interleave).
 */
export function expandScores(scores: Float32Array, numRows: number, numOut: number, numKv: number): Float32Array {
  if (numOut === numKv) return scores;
  const out = new Float32Array(numRows * numKv);
  for (let t = 0; t < numRows; t++) {
    for (let j = 0; j < numKv; j++) out[t * numKv + j] = scores[t * numOut + Math.floor((j * numOut) / numKv)]!;
  }
  return out;
}

/** 1-D max-pool along rows, per channel, kernel k (odd), stride 1, padding (k-1)/2: same length out. */
export function maxPoolRows(scores: Float32Array, numRows: number, numChannels: number, kernel = MAX_POOL_KERNEL): Float32Array {
  const r = (kernel - 1) / 2;
  const out = new Float32Array(scores.length);
  for (let t = 0; t < numRows; t++) {
    const lo = Math.max(0, t - r);
    const hi = Math.min(numRows - 1, t + r);
    for (let c = 0; c < numChannels; c++) {
      let m = -Infinity;
      for (let u = lo; u <= hi; u++) {
        const s = scores[u * numChannels + c]!;
        if (s > m) m = s;
      }
      out[t * numChannels + c] = m;
    }
  }
  return out;
}

/** Where to select from: candidate rows [0, numCandidates), the first `maskLen` of them scored −∞. */
export interface TopKSpec {
  readonly numCandidates: number;
  readonly numChannels: number;
  readonly maskLen: number;
  readonly k: number;
}

/**
 * Top-k rows per channel (KV head) by descending score, ties and NaN resolved towards lower rows / −∞.
 * Masked rows (the anchor) score −∞ but can still be picked when k exceeds the unmasked rows, as torch.topk
 * does (APB.md 5.3). Returns idx [k, numChannels] with each channel's rows in ascending order.
 */
export function topKPerChannel(scores: Float32Array, spec: TopKSpec): Int32Array {
  const { numCandidates: T, numChannels: C, maskLen, k } = spec;
  if (k > T) throw new ApbError("INTERNAL", `topKPerChannel: k=${k} > ${T} candidate rows`);
  const idx = new Int32Array(k * C);
  const order = new Int32Array(T);
  const key = new Float64Array(T);
  for (let c = 0; c < C; c++) {
    for (let t = 0; t < T; t++) {
      const s = scores[t * C + c]!;
      key[t] = t < maskLen || Number.isNaN(s) ? -Infinity : s;
      order[t] = t;
    }
    order.sort((a, b) => (key[b]! - key[a]! || a - b) || 0);
    const chosen = order.subarray(0, k).slice().sort();
    for (let r = 0; r < k; r++) idx[r * C + c] = chosen[r]!;
  }
  return idx;
}

/** Uniform random scores for the "random" selection ablation, seeded per (seed, host, layer). */
export function randomScores(numRows: number, numChannels: number, seed: number): Float32Array {
  const rng = new Prng(seed);
  const out = new Float32Array(numRows * numChannels);
  for (let i = 0; i < out.length; i++) out[i] = rng.next();
  return out;
}

/** Rows [start, start + count) for every channel: the "all" passing mode (Ring) as an index list. */
export function allRows(start: number, count: number, numChannels: number): Int32Array {
  const idx = new Int32Array(count * numChannels);
  for (let r = 0; r < count; r++) for (let c = 0; c < numChannels; c++) idx[r * numChannels + c] = start + r;
  return idx;
}
