// Splits masked attention into query-row chunks: per chunk a key prefix every row sees in full, plus a short
// diagonal band of keys with an additive causal bias. Keys no row of the chunk sees are never touched.

import { numVisibleKeys } from "@apb/core";
import type { AttentionMask } from "@apb/core";

/** Score-tensor budget per chunk: one chunk's [nq, rows, keys] float32 scores stay under this (fits the caches' reach). */
export const DEFAULT_CHUNK_BYTES = 32 * 1024 * 1024;
/** Row bounds per chunk: below 16 the per-run overhead dominates; above 512 the diagonal band grows needlessly. */
export const MIN_CHUNK_ROWS = 16;
export const MAX_CHUNK_ROWS = 512;

/** One chunk: query rows [row0, row1) see keys [0, prefix) fully and keys [prefix, end) through the causal bias. */
export interface AttentionChunk {
  readonly row0: number;
  readonly row1: number;
  readonly prefix: number;
  readonly end: number;
}

/** Rows per chunk for `nq` heads over `numKeys` keys within `chunkBytes`, clamped to [MIN_CHUNK_ROWS, MAX_CHUNK_ROWS]. */
export function chunkRows(nq: number, numKeys: number, chunkBytes: number): number {
  const rows = Math.floor(chunkBytes / (nq * Math.max(1, numKeys) * 4));
  return Math.min(MAX_CHUNK_ROWS, Math.max(MIN_CHUNK_ROWS, rows));
}

/**
 * Chunks for `numRows` query rows. Chunks never straddle the anchor boundary, so within a chunk the visible key count
 * is non-decreasing and grows by at most one per row: prefix = visible(row0), end = visible(row1 − 1), end − prefix < rows.
 * With numKeys = 0 there are no chunks (every row sees nothing).
 */
export function planAttentionChunks(numRows: number, numKeys: number, spec: { mask: AttentionMask; rowsPerChunk: number }): AttentionChunk[] {
  const chunks: AttentionChunk[] = [];
  if (numKeys === 0) return chunks;
  const anchorEnd = Math.min(numRows, spec.mask.anchorRows);
  for (const [start, stop] of [[0, anchorEnd], [anchorEnd, numRows]] as const) {
    for (let row0 = start; row0 < stop; row0 += spec.rowsPerChunk) {
      const row1 = Math.min(stop, row0 + spec.rowsPerChunk);
      chunks.push({ row0, row1, prefix: numVisibleKeys(row0, spec.mask, numKeys), end: numVisibleKeys(row1 - 1, spec.mask, numKeys) });
    }
  }
  return chunks;
}

/** Additive bias [rows, end − prefix] for the diagonal band: 0 where key prefix + j is visible to the row, −∞ elsewhere. */
export function diagonalBias(chunk: AttentionChunk, spec: { mask: AttentionMask; numKeys: number }): Float32Array {
  const rows = chunk.row1 - chunk.row0;
  const width = chunk.end - chunk.prefix;
  const bias = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) {
    const visible = numVisibleKeys(chunk.row0 + r, spec.mask, spec.numKeys) - chunk.prefix;
    bias.fill(-Infinity, r * width + visible, (r + 1) * width);
  }
  return bias;
}
