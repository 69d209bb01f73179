// The chunk plan: chunks tile the rows, never straddle the anchor boundary, and prefix + band cover exactly the keys
// each row sees; the band bias masks exactly the invisible keys.

import { describe, expect, it } from "vitest";
import { numVisibleKeys } from "@apb/core";
import type { AttentionMask } from "@apb/core";
import { MASKED_BIAS } from "./attention-graph.js";
import { MIN_BLOCK_KEYS, blockKeysFor, diagonalBias, planAttentionChunks } from "./attention-plan.js";

describe("planAttentionChunks", () => {
  const cases: { rows: number; keys: number; mask: AttentionMask; per: number; block: number }[] = [
    { rows: 37, keys: 37, mask: { anchorRows: 0, offset: 0 }, per: 16, block: 8 },
    { rows: 50, keys: 74, mask: { anchorRows: 20, offset: 24 }, per: 16, block: 16 },
    { rows: 40, keys: 10, mask: { anchorRows: 3, offset: 0 }, per: 16, block: 9 },
    { rows: 1, keys: 40, mask: { anchorRows: 0, offset: 39 }, per: 512, block: 13 },
    { rows: 30, keys: 12, mask: { anchorRows: 64, offset: 5 }, per: 7, block: 256 },
  ];
  for (const c of cases) {
    it(`rows ${c.rows}, keys ${c.keys}, mask ${JSON.stringify(c.mask)}, ${c.per} rows per chunk, blocks of ${c.block}`, () => {
      const chunks = planAttentionChunks(c.rows, c.keys, { mask: c.mask, rowsPerChunk: c.per, blockKeys: c.block });
      expect(chunks[0]!.row0).toBe(0);
      expect(chunks.at(-1)!.row1).toBe(c.rows);
      for (let i = 0; i < chunks.length; i++) {
        const ch = chunks[i]!;
        if (i > 0) expect(ch.row0).toBe(chunks[i - 1]!.row1);
        expect(ch.row1 - ch.row0).toBeLessThanOrEqual(c.per);
        expect(ch.row0 < c.mask.anchorRows && ch.row1 > c.mask.anchorRows).toBe(false);
        expect(ch.prefix).toBeGreaterThanOrEqual(1);
        expect(ch.numBlocks * c.block).toBeLessThan(ch.prefix); // the direct prefix part keeps ≥ 1 key
        expect((ch.numBlocks + 1) * c.block).toBeGreaterThanOrEqual(ch.prefix); // and < one block
        const bias = diagonalBias(ch, { mask: c.mask, numKeys: c.keys });
        const width = ch.end - ch.prefix;
        for (let r = ch.row0; r < ch.row1; r++) {
          const vis = numVisibleKeys(r, c.mask, c.keys);
          expect(vis).toBeGreaterThanOrEqual(ch.prefix);
          expect(vis).toBeLessThanOrEqual(ch.end);
          for (let j = 0; j < width; j++) expect(bias[(r - ch.row0) * width + j]).toBe(ch.prefix + j < vis ? 0 : Math.fround(MASKED_BIAS));
        }
      }
    });
  }

  it("plans nothing when there are no keys", () => {
    expect(planAttentionChunks(5, 0, { mask: { anchorRows: 0, offset: 0 }, rowsPerChunk: 16, blockKeys: 64 })).toEqual([]);
  });

  it("sizes key blocks to the score budget, in multiples of 64, at least MIN_BLOCK_KEYS", () => {
    expect(blockKeysFor({ nq: 8, rows: 64, threads: 1 })).toBe(1024);
    expect(blockKeysFor({ nq: 8, rows: 64, threads: 2 })).toBe(2048);
    expect(blockKeysFor({ nq: 12, rows: 64, threads: 1 }) % 64).toBe(0);
    expect(blockKeysFor({ nq: 128, rows: 64, threads: 1 })).toBe(MIN_BLOCK_KEYS);
  });
});
