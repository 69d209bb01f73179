// KV selection for the passing block (APB.md 3.2-3.5): head-score expansion, max-pool, anchor masking, top-k per KV head.

import { ApbError } from "../errors/index.js";
import { NEG_INF_ORDER_KEY, floatOrderKey, isNaNBits } from "../util/float-order.js";
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

/** Order-preserving int32 key of float32 bits `b`; NaN keys as −∞ and −0 as +0 (equal as floats). */
function orderKey(b: number): number {
  return isNaNBits(b) ? NEG_INF_ORDER_KEY : floatOrderKey(b);
}

/** Larger of two keys, branch-free (a data-dependent branch mispredicts on random scores). */
function maxKey(a: number, b: number): number {
  return a ^ ((a ^ b) & -(+(b > a)));
}

/** Max of scores[first], scores[first + stride], ..., scores[last]: the first of equal maxima, NaN skipped, −∞ if none. */
function poolAt(scores: Float32Array, first: number, last: number, stride: number): number {
  let m = -Infinity;
  for (let i = first; i <= last; i += stride) {
    const s = scores[i]!;
    if (s > m) m = s;
  }
  return m;
}

/**
 * 1-D max-pool along rows, per channel, kernel k (odd), stride 1, padding (k-1)/2: same length out.
 * NaN is skipped (a window of only NaN gives −∞); among equal maxima the lowest row wins, so ±0 keeps that row's sign.
 */
export function maxPoolRows(scores: Float32Array, numRows: number, numChannels: number, kernel = MAX_POOL_KERNEL): Float32Array {
  if (kernel === 5) return maxPool5(scores, numRows, numChannels);
  const r = (kernel - 1) / 2;
  const C = numChannels;
  const out = new Float32Array(scores.length);
  for (let t = 0; t < numRows; t++) {
    const lo = Math.max(0, t - r);
    const hi = Math.min(numRows - 1, t + r);
    for (let c = 0; c < C; c++) out[t * C + c] = poolAt(scores, lo * C + c, hi * C + c, C);
  }
  return out;
}

/**
 * Kernel-5 max-pool on order keys, one pass per channel: with x[t] the key of row t (−∞ outside [0, T)) and
 * p[t] = max(x[t], x[t+1]), out[t] = max(p[t-2], p[t], x[t+2]). A zero max is redone by poolAt for the sign of ±0.
 */
function maxPool5(scores: Float32Array, T: number, C: number): Float32Array {
  const out = new Float32Array(scores.length);
  const outBits = new Int32Array(out.buffer, out.byteOffset, out.length);
  const bits = new Int32Array(scores.buffer, scores.byteOffset, scores.length);
  for (let c = 0; c < C; c++) {
    const x0 = T > 0 ? orderKey(bits[c]!) : NEG_INF_ORDER_KEY;
    let x1 = T > 1 ? orderKey(bits[C + c]!) : NEG_INF_ORDER_KEY;
    let p2 = NEG_INF_ORDER_KEY; // p[t-2]
    let p1 = x0; // p[t-1]
    let p0 = maxKey(x0, x1); // p[t]
    for (let t = 0, i = c; t < T; t++, i += C) {
      const x2 = t + 2 < T ? orderKey(bits[i + 2 * C]!) : NEG_INF_ORDER_KEY;
      const m = maxKey(maxKey(p2, p0), x2);
      if (m === 0) out[i] = poolAt(scores, Math.max(0, t - 2) * C + c, Math.min(T - 1, t + 2) * C + c, C);
      else outBits[i] = m ^ ((m >> 31) & 0x7fffffff);
      p2 = p1;
      p1 = p0;
      p0 = maxKey(x1, x2);
      x1 = x2;
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
  if (k <= 0) return idx;
  const bits = new Int32Array(scores.buffer, scores.byteOffset, scores.length);
  const key = new Int32Array(T);
  const scratch = new Int32Array(T);
  const hist = new Int32Array(2048);
  for (let c = 0; c < C; c++) {
    let t = 0;
    for (; t < T && t < maskLen; t++) key[t] = NEG_INF_ORDER_KEY;
    for (let i = t * C + c; t < T; t++, i += C) key[t] = orderKey(bits[i]!);
    // Rows with key > thr are all taken, then the lowest `ties` rows with key == thr: descending key, ties to lower rows.
    const sel = kthLargestKey(key, k, scratch, hist);
    let ties = sel.ties;
    for (let t = 0, r = 0; r < k && t < T; t++) {
      const v = key[t]!;
      if (v > sel.thr) idx[r++ * C + c] = t;
      else if (v === sel.thr && ties > 0) {
        idx[r++ * C + c] = t;
        ties--;
      }
    }
  }
  return idx;
}

/**
 * The k-th largest of `key` (1 <= k <= key.length) by radix select on 11, 11 and 10 bit digits from the top,
 * and how many keys equal to it rank within the top k. `scratch` (key.length) and `hist` (2048) are work space.
 */
function kthLargestKey(key: Int32Array, k: number, scratch: Int32Array, hist: Int32Array): { thr: number; ties: number } {
  let src = key;
  let n = key.length;
  let need = k; // keys still to take among those sharing the prefix `thr`
  let thr = 0;
  for (let level = 0; level < 3; level++) {
    const shift = level === 0 ? 21 : level === 1 ? 10 : 0;
    const bias = level === 0 ? 1024 : 0; // the top digit is signed
    const mask = level === 2 ? 0x3ff : 0x7ff;
    hist.fill(0);
    for (let i = 0; i < n; i++) hist[((src[i]! >> shift) + bias) & mask]++;
    let d = mask;
    while (hist[d]! < need) need -= hist[d--]!;
    thr |= (d - bias) << shift;
    if (level === 2) break;
    let m = 0;
    for (let i = 0; i < n; i++) if ((((src[i]! >> shift) + bias) & mask) === d) scratch[m++] = src[i]!;
    src = scratch;
    n = m;
  }
  return { thr, ties: need };
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
