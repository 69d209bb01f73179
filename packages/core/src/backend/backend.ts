// The Backend contract: the small set of tensor ops the engine drives. A backend adds no algorithm (ARCHITECTURE.md).

import type { ModelConfig, ModelWeights, RetainingHeadWeights } from "../model/types.js";
import type { Tensor } from "../tensor/tensor.js";

/** What attnIn returns for one layer: post-RoPE q and k, v, and optionally the raw retaining-head scores. */
export interface AttnInput<T extends Tensor> {
  readonly q: T; // [T, nq*dh], post-RoPE
  readonly k: T; // [T, nkv*dh], post-RoPE
  readonly v: T; // [T, nkv*dh]
  /** [T, numOut] raw head scores (before max-pool), from the pre-RoPE [q|k|v]; undefined unless asked. */
  readonly scores: Float32Array | undefined;
}

/**
 * The attention mask as one rule, enough for every strategy and phase (APB.md 3.8 and 4):
 * query row i sees the key prefix [0, visible(i)), where
 *   visible(i) = i + 1                        for i < anchorRows   (anchor rows: causal over the anchor only)
 *   visible(i) = min(numKeys, i + 1 + offset) otherwise           (local rows: anchor + passing + causal local)
 * Keys are in logical order [anchor | passing | local]. Examples: host 0 is {0, 0}; APB host h is
 * {l_a, h*l_p}; the query pass on the owner host is {0, cacheLen}; on a non-owner host {0, cacheLen}
 * with numKeys = cacheLen, i.e. no mask at all.
 */
export interface AttentionMask {
  readonly anchorRows: number;
  readonly offset: number;
}

/** Number of keys query row `row` sees under `mask`: the prefix [0, visible) of the logical key order. */
export function numVisibleKeys(row: number, mask: AttentionMask, numKeys: number): number {
  return row < mask.anchorRows ? Math.min(numKeys, row + 1) : Math.min(numKeys, row + 1 + mask.offset);
}

/** Attention output and natural-log log-sum-exp of the scaled scores, per query row and head. */
export interface AttentionResult<T extends Tensor> {
  readonly out: T; // [Tq, nq*dh]
  readonly lse: Float32Array; // [Tq, nq]; -Infinity for a row that sees no key
}

/** Tensor ops on one host's device. All async ops may run off the calling thread. */
export interface Backend<T extends Tensor = Tensor> {
  readonly name: string;
  /** Token embeddings. ids must be in the vocabulary (the engine checks). → [n, d] */
  embed(ids: Int32Array): Promise<T>;
  /** x = rmsnorm(hidden); q,k,v = x·W (+b); optional head scores on pre-RoPE [q|k|v]; RoPE at `positions`. */
  attnIn(layer: number, hidden: T, positions: Int32Array, withScores: boolean): Promise<AttnInput<T>>;
  /** Masked attention with GQA (K/V not repeated), scale dh^-0.5, see AttentionMask. */
  attention(q: T, k: T, v: T, mask: AttentionMask): Promise<AttentionResult<T>>;
  /** h = hidden + attn·Woᵀ; returns h + mlp(rmsnorm(h)) with SwiGLU. */
  attnOut(layer: number, hidden: T, attn: T): Promise<T>;
  /** Final rmsnorm and LM head on every row. → [rows, vocab] */
  logits(hidden: T): Promise<Float32Array>;
  /**
   * Optional: greedy sampling where the logits are: the id of each row's largest logit (lowest id on ties, NaN never
   * wins, as sampling's argmax), without handing the logits back. → [rows]. The engine uses it at temperature 0 when it
   * does not keep the logits; backends without it are sampled from `logits`.
   */
  greedyTokens?(hidden: T): Promise<Int32Array>;
  /**
   * Training-free selection scores (APB.md 8): per KV head j, q̄_j = mean of the group's query heads for each
   * probe row; score[t, j] = mean over probe rows of ⟨k[t, j], q̄_j⟩. q: [P, nq*dh] post-RoPE, k: [T, nkv*dh]. → [T, nkv]
   */
  queryScores(q: T, k: T): Promise<Float32Array>;
  /** Per-KV-head row gather: out[r, j, :] = x[idx[r*nkv + j], j, :]. x: [T, nkv*dh], idx: [rows, nkv]. */
  gatherHeads(x: T, idx: Int32Array, rows: number): T;
  /** Concatenates along rows; every part has the same row size. */
  concatRows(parts: readonly T[]): T;
  /**
   * Optional: `base`'s rows followed by `extra`'s, consuming `base` (the caller neither uses nor disposes it afterwards),
   * so a backend can write `extra` into spare capacity behind `base` instead of copying both: the owner's KV cache grows
   * by the query and one row per decode step. Without it the engine concatenates and disposes `base`.
   */
  appendRows?(base: T, extra: T): T;
  /** Rows [start, end). */
  sliceRows(x: T, start: number, end: number): T;
  download(x: T): Promise<Float32Array>;
  upload(data: Float32Array, shape: readonly number[]): T;
  dispose(x: T): void;
  close(): Promise<void>;
}

/** What a backend is built from. Weights are float32 in HF layout (model/types.ts). */
export interface BackendInit {
  readonly config: ModelConfig;
  readonly weights: ModelWeights;
  readonly heads: RetainingHeadWeights | undefined;
  /** CPU threads this backend may use (intra-op). */
  readonly threads: number;
  /** This host's index in its group and the group size (a GPU backend picks its device from these). */
  readonly host: number;
  readonly numHosts: number;
}

/** A backend module exports `createBackend` of this type (so worker threads can load it by specifier). */
export type BackendFactory = (init: BackendInit) => Promise<Backend>;
