// Sampling parameters (one zod schema, STYLE.md G14) and the sampler: greedy, temperature, top-k, top-p, seed.

import { z } from "zod";
import { InputError } from "../errors/index.js";
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

  /** Picks the next token from one row of logits. */
  sample(logits: Float32Array): number {
    const p = this.params;
    if (p.temperature === 0) return argmax(logits);
    const order = Array.from(logits.keys()).filter((i) => !Number.isNaN(logits[i]!));
    order.sort((a, b) => logits[b]! - logits[a]! || a - b);
    const kept = p.topK > 0 ? order.slice(0, p.topK) : order;
    const maxL = logits[kept[0]!]!;
    const probs = kept.map((i) => Math.exp((logits[i]! - maxL) / p.temperature));
    const total = probs.reduce((a, b) => a + b, 0);
    let cut = kept.length;
    let acc = 0;
    for (let r = 0; r < kept.length; r++) {
      acc += probs[r]! / total;
      if (acc >= p.topP) {
        cut = r + 1;
        break;
      }
    }
    const mass = probs.slice(0, cut).reduce((a, b) => a + b, 0);
    let u = this.rng.next() * mass;
    for (let r = 0; r < cut; r++) {
      u -= probs[r]!;
      if (u < 0) return kept[r]!;
    }
    return kept[cut - 1]!;
  }
}
