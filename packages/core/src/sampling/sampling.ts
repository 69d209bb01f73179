// Sampling parameters (one zod schema, STYLE.md G14) and the sampler: greedy, temperature, top-k, top-p, seed.

import { z } from "zod";
import { InputError } from "../errors/index.js";
import { floatOrderKey, isNaNBits } from "../util/float-order.js";
import { Prng } from "../util/prng.js";

/** Every sampling knob, its type, default and validation, defined once. */
export const samplingSchema = z.object({
  /** Tokens to generate at most (the first comes from the query pass). */
  maxTokens: z.number().int().min(1).max(1_000_000).default(32),
  /** 0 = greedy. */
  temperature: z.number().min(0).max(100).default(0),
  /** Nucleus sampling mass in (0, 1]. */
  topP: z.number().gt(0).max(1).default(1),
  /** Keep the k most likely tokens; 0 = all. */
  topK: z.number().int().min(0).default(0),
  seed: z.number().int().min(0).max(0xffffffff).default(0),
  /** Generation stops after emitting one of these ids (the id is included in the output tokens). */
  stopTokenIds: z.array(z.number().int().min(0)).default([]),
  /** Generation stops once the decoded text contains one; the text is cut before it. */
  stopStrings: z.array(z.string().min(1)).default([]),
});

export type SamplingParams = z.output<typeof samplingSchema>;
export type SamplingInput = z.input<typeof samplingSchema>;

/** Validates sampling options. @throws InputError naming the bad field. */
export function parseSampling(input: SamplingInput | undefined): SamplingParams {
  const r = samplingSchema.safeParse(input ?? {});
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new InputError("INPUT_INVALID", `sampling option ${issue.path.join(".")}: ${issue.message}`);
  }
  return r.data;
}

/** Index of the largest logit (the lowest index on ties); NaN never wins. */
export function argmax(logits: Float32Array): number {
  let best = 0;
  let bestV = -Infinity;
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i]!;
    if (v > bestV) {
      bestV = v;
      best = i;
    }
  }
  return best;
}

/** A stateful sampler for one request (its Prng advances per draw, so a seed reproduces a whole generation). */
export class Sampler {
  private readonly rng: Prng;

  constructor(private readonly params: SamplingParams) {
    this.rng = new Prng(params.seed);
  }

  /**
   * Picks the next token from one row of logits: greedy at temperature 0; else the tokens in descending logit order
   * (ties to the lower id, NaN dropped), the first topK of them, the shortest prefix holding topP of their mass, then
   * one draw from that prefix. All NaN: token 0, as argmax gives.
   */
  sample(logits: Float32Array): number {
    const p = this.params;
    if (p.temperature === 0) return argmax(logits);
    const order = descendingOrder(logits);
    if (order.length === 0) return argmax(logits);
    const n = p.topK > 0 ? Math.min(p.topK, order.length) : order.length;
    const maxL = logits[order[0]!]!;
    const probs = new Float64Array(n);
    let total = 0;
    for (let r = 0; r < n; r++) {
      probs[r] = Math.exp((logits[order[r]!]! - maxL) / p.temperature);
      total += probs[r]!;
    }
    let cut = n;
    let acc = 0;
    for (let r = 0; r < n; r++) {
      acc += probs[r]! / total;
      if (acc >= p.topP) {
        cut = r + 1;
        break;
      }
    }
    let mass = 0;
    for (let r = 0; r < cut; r++) mass += probs[r]!;
    let u = this.rng.next() * mass;
    for (let r = 0; r < cut; r++) {
      u -= probs[r]!;
      if (u < 0) return order[r]!;
    }
    return order[cut - 1]!;
  }
}

/**
 * Indices of the non-NaN logits by descending value, ties (±0 alike, equal infinities) to the lower index: a stable LSD
 * radix sort (11, 11, 10 bits) of order-preserving keys, O(V) where a comparator sort of a 128K vocabulary took ~70 ms.
 */
export function descendingOrder(logits: Float32Array): Int32Array {
  const bits = new Int32Array(logits.buffer, logits.byteOffset, logits.length);
  let idx = new Int32Array(logits.length);
  let key = new Uint32Array(logits.length);
  let n = 0;
  for (let i = 0; i < logits.length; i++) {
    const b = bits[i]!;
    if (isNaNBits(b)) continue;
    key[n] = ~(floatOrderKey(b) ^ 0x80000000) >>> 0; // unsigned, descending with the float
    idx[n++] = i;
  }
  let idx2 = new Int32Array(n);
  let key2 = new Uint32Array(n);
  const count = new Int32Array(2048);
  for (const [shift, width] of [[0, 11], [11, 11], [22, 10]] as const) {
    const mask = (1 << width) - 1;
    count.fill(0);
    for (let i = 0; i < n; i++) count[(key[i]! >>> shift) & mask]++;
    let sum = 0;
    for (let d = 0; d <= mask; d++) {
      const c = count[d]!;
      count[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const at = count[(key[i]! >>> shift) & mask]++;
      key2[at] = key[i]!;
      idx2[at] = idx[i]!;
    }
    [idx, idx2] = [idx2, idx];
    [key, key2] = [key2, key];
  }
  return idx.subarray(0, n);
}
