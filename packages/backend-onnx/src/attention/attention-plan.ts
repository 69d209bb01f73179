// Splits masked attention into query-row chunks: per chunk a key prefix every row sees in full, plus a short
// diagonal band of keys with an additive causal bias. Keys no row of the chunk sees are never touched.

import { numVisibleKeys } from "@apb/core";
import type { AttentionMask } from "@apb/core";
import { MASKED_BIAS } from "./attention-graph.js";

/**
 * Query rows per chunk. Fewer rows add per-run overhead (~0.1-0.2 ms a run) and shrink the MatMuls; more rows grow the
 * masked half of the diagonal band (≈ rows²/2 score pairs per chunk, computed then discarded). Measured on 1K-8K keys
 * (hidden 512, 8/2 heads): 64 rows beat 512 by 1.4-2× at 1K keys and tie 128 at 8K.
 */
export const DEFAULT_CHUNK_ROWS = 64;
/**
 * Score budget of one key block [nq, rows, blockKeys] float32 per intra-op thread: one core's L2 (2 MiB here), so the
 * softmax and reduction passes over a block stay in cache. Measured at 8K/16K keys: 1 thread ran 80-86 GFLOP/s with
 * 1024-key blocks against 58 for one MatMul over the whole 16K prefix (every pass streamed through memory);
 * 2 threads preferred 2048-key blocks (one L2 each).
 */
export const BLOCK_SCORE_BYTES_PER_THREAD = 2 * 1024 * 1024;
export const MIN_BLOCK_KEYS = 256;

/**
 * One chunk: query rows [row0, row1) see keys [0, prefix) fully and keys [prefix, end) through the causal bias.
 * The first numBlocks·blockKeys prefix keys go through the key-block loop; the rest of the prefix (≥ 1 key) directly.
 */
export interface AttentionChunk {
  readonly row0: number;
  readonly row1: number;
  readonly prefix: number;
  readonly end: number;
  readonly numBlocks: number;
}

/** Keys per block for `nq` heads, `rows` rows per chunk and `threads` threads (multiple of 64, ≥ MIN_BLOCK_KEYS). */
export function blockKeysFor(spec: { nq: number; rows: number; threads: number }): number {
  const keys = Math.floor((BLOCK_SCORE_BYTES_PER_THREAD * spec.threads) / (spec.nq * spec.rows * 4) / 64) * 64;
  return Math.max(MIN_BLOCK_KEYS, keys);
}

/**
 * Chunks for `numRows` query rows. Chunks never straddle the anchor boundary, so within a chunk the visible key count
 * is non-decreasing and grows by at most one per row: prefix = visible(row0), end = visible(row1 − 1), end − prefix < rows.
 * With numKeys = 0 there are no chunks (every row sees nothing).
 */
export function planAttentionChunks(numRows: number, numKeys: number, spec: { mask: AttentionMask; rowsPerChunk: number; blockKeys: number }): AttentionChunk[] {
  const chunks: AttentionChunk[] = [];
  if (numKeys === 0) return chunks;
  const anchorEnd = Math.min(numRows, spec.mask.anchorRows);
  for (const [start, stop] of [[0, anchorEnd], [anchorEnd, numRows]] as const) {
    for (let row0 = start; row0 < stop; row0 += spec.rowsPerChunk) {
      const row1 = Math.min(stop, row0 + spec.rowsPerChunk);
      const prefix = numVisibleKeys(row0, spec.mask, numKeys);
      const numBlocks = Math.floor((prefix - 1) / spec.blockKeys);
      chunks.push({ row0, row1, prefix, end: numVisibleKeys(row1 - 1, spec.mask, numKeys), numBlocks });
    }
  }
  return chunks;
}

/** Additive bias [rows, end − prefix] for the diagonal band: 0 where key prefix + j is visible to the row, MASKED_BIAS elsewhere. */
export function diagonalBias(chunk: AttentionChunk, spec: { mask: AttentionMask; numKeys: number }): Float32Array {
  const rows = chunk.row1 - chunk.row0;
  const width = chunk.end - chunk.prefix;
  const bias = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) {
    const visible = numVisibleKeys(chunk.row0 + r, spec.mask, spec.numKeys) - chunk.prefix;
    bias.fill(MASKED_BIAS, r * width + visible, (r + 1) * width);
  }
  return bias;
}
