// Runs masked GQA attention chunk by chunk on the attention sessions, feeding zero-copy row views of q/k/v,
// and stitches out [Tq, nq*dh] and lse [Tq, nq] together. Rows with no key get out = 0, lse = −∞.

import { checkAttentionInputs } from "@apb/core";
import type { AttentionMask, CpuTensor, HeadDims } from "@apb/core";
import { f32, runSession } from "../session/index.js";
import type { OrtTensor, Session } from "../session/index.js";
import { diagonalBias, planAttentionChunks } from "./attention-plan.js";
import type { AttentionChunk } from "./attention-plan.js";

/** The compiled chunk graphs: prefix only, + diagonal band, + key-block loop, + both. */
export interface AttentionSessions {
  readonly plain: Session;
  readonly band: Session;
  readonly blocks: Session;
  readonly blocksBand: Session;
}

/** Chunk geometry: query rows per chunk and keys per block of the key-block loop. */
export interface AttentionTiling {
  readonly rowsPerChunk: number;
  readonly blockKeys: number;
}

/** Chunked attention over host-memory q/k/v. */
export class AttentionRunner {
  constructor(
    private readonly sessions: AttentionSessions,
    private readonly spec: { dims: HeadDims; tiling: AttentionTiling },
  ) {}

  /**
   * out[i, h] = softmax over the keys row i sees (AttentionMask) of q·k/√dh, times v; lse natural-log.
   * @throws BackendError BACKEND_FAILED on bad shapes or an ORT failure.
   */
  async run(q: CpuTensor, k: CpuTensor, v: CpuTensor, mask: AttentionMask): Promise<{ out: Float32Array; lse: Float32Array }> {
    const { dims } = this.spec;
    checkAttentionInputs(q, k, v, { dims, mask });
    const numRows = q.numRows;
    const numKeys = k.numRows;
    const out = new Float32Array(numRows * dims.nq * dims.dh);
    const lse = new Float32Array(numRows * dims.nq).fill(-Infinity);
    const { rowsPerChunk, blockKeys } = this.spec.tiling;
    for (const chunk of planAttentionChunks(numRows, numKeys, { mask, rowsPerChunk, blockKeys })) {
      const r = await this.runChunk(chunk, { q, k, v, mask, blockKeys });
      out.set(r.out, chunk.row0 * dims.nq * dims.dh);
      lse.set(r.lse, chunk.row0 * dims.nq);
    }
    return { out, lse };
  }

  private async runChunk(chunk: AttentionChunk, x: { q: CpuTensor; k: CpuTensor; v: CpuTensor; mask: AttentionMask; blockKeys: number }): Promise<{ out: Float32Array; lse: Float32Array }> {
    const { nq, nkv, dh } = this.spec.dims;
    const rows = chunk.row1 - chunk.row0;
    const kvRow = nkv * dh;
    const keys = (t: CpuTensor, from: number, to: number): OrtTensor => f32(t.data.subarray(from * kvRow, to * kvRow), [to - from, kvRow]);
    const blocked = chunk.numBlocks * x.blockKeys;
    const feeds: Record<string, OrtTensor> = {
      q: f32(x.q.data.subarray(chunk.row0 * nq * dh, chunk.row1 * nq * dh), [rows, nq * dh]),
      kp: keys(x.k, blocked, chunk.prefix),
      vp: keys(x.v, blocked, chunk.prefix),
    };
    if (chunk.numBlocks > 0) {
      const dims = [chunk.numBlocks, x.blockKeys, kvRow];
      feeds.kblk = f32(x.k.data.subarray(0, blocked * kvRow), dims);
      feeds.vblk = f32(x.v.data.subarray(0, blocked * kvRow), dims);
    }
    const withBand = chunk.end > chunk.prefix;
    if (withBand) {
      feeds.kb = keys(x.k, chunk.prefix, chunk.end);
      feeds.vb = keys(x.v, chunk.prefix, chunk.end);
      feeds.bias = f32(diagonalBias(chunk, { mask: x.mask, numKeys: x.k.numRows }), [rows, chunk.end - chunk.prefix]);
    }
    const s = this.sessions;
    const session = chunk.numBlocks > 0 ? (withBand ? s.blocksBand : s.blocks) : withBand ? s.band : s.plain;
    const r = await runSession(session, feeds, { outputs: ["out", "lse"], what: "attention" });
    return { out: r.out!, lse: r.lse! };
  }
}
