// Exact log-sum-exp merge of partial attentions over disjoint key sets (APB.md 4.2).

import { ApbError } from "../errors/index.js";

/** One host's partial attention of the same query rows over its own keys. */
export interface Partial {
  readonly out: Float32Array; // [rows, heads * headDim]
  readonly lse: Float32Array; // [rows, heads]; −∞ when the host saw no key for that row/head
}

/**
 * Merges partials in the given order with the numerically safe sequential form of the reference code:
 *   out ← out − σ(lse_b − lse)·(out − out_b),   lse ← lse − log σ(lse − lse_b)
 * where σ(x) = 1/(1+e^−x) and log σ(x) = −log1p(e^−x), evaluated without overflow. Every host merges the same
 * partials in the same order, so all hosts get bit-identical results. Empty partials (lse = −∞) are skipped.
 */
export function mergePartials(parts: readonly Partial[], headDim: number): Partial {
  if (parts.length === 0) throw new ApbError("INTERNAL", "mergePartials: nothing to merge");
  const out = Float64Array.from(parts[0]!.out);
  const lse = Float64Array.from(parts[0]!.lse);
  for (let p = 1; p < parts.length; p++) {
    const b = parts[p]!;
    for (let i = 0; i < lse.length; i++) {
      const lb = b.lse[i]!;
      if (lb === -Infinity) continue;
      const la = lse[i]!;
      const base = i * headDim;
      if (la === -Infinity) {
        for (let d = 0; d < headDim; d++) out[base + d] = b.out[base + d]!;
        lse[i] = lb;
        continue;
      }
      const w = sigmoid(lb - la); // weight of the new block
      for (let d = 0; d < headDim; d++) out[base + d] = out[base + d]! - w * (out[base + d]! - b.out[base + d]!);
      lse[i] = la - logSigmoid(la - lb);
    }
  }
  return { out: Float32Array.from(out), lse: Float32Array.from(lse) };
}

function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

function logSigmoid(x: number): number {
  return x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x));
}

/** The textbook form, LSE = log Σ exp(lse_r), out = Σ exp(lse_r − LSE)·out_r (max-shifted). For tests. */
export function mergePartialsNaive(parts: readonly Partial[], headDim: number): Partial {
  const numSlots = parts[0]!.lse.length;
  const out = new Float32Array(parts[0]!.out.length);
  const lse = new Float32Array(numSlots);
  for (let i = 0; i < numSlots; i++) {
    let m = -Infinity;
    for (const p of parts) m = Math.max(m, p.lse[i]!);
    if (m === -Infinity) {
      lse[i] = -Infinity;
      continue;
    }
    let z = 0;
    for (const p of parts) z += Math.exp(p.lse[i]! - m);
    const total = m + Math.log(z);
    lse[i] = total;
    for (const p of parts) {
      const w = Math.exp(p.lse[i]! - total);
      if (w === 0) continue;
      for (let d = 0; d < headDim; d++) out[i * headDim + d]! += w * p.out[i * headDim + d]!;
    }
  }
  return { out, lse };
}
