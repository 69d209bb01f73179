// Runs masked GQA attention chunk by chunk on the two attention sessions, feeding zero-copy row views of q/k/v,
// and stitches out [Tq, nq*dh] and lse [Tq, nq] together. Rows with no key get out = 0, lse = −∞.

import { checkAttentionInputs } from "@apb/core";
import type { AttentionMask, CpuTensor, HeadDims } from "@apb/core";
import { f32, runSession } from "../session/index.js";
import type { OrtTensor, Session } from "../session/index.js";
import { chunkRows, diagonalBias, planAttentionChunks } from "./attention-plan.js";
import type { AttentionChunk } from "./attention-plan.js";

/** The two compiled chunk graphs: prefix only, and prefix + diagonal band. */
export interface AttentionSessions {
  readonly plain: Session;
  readonly band: Session;
}

/** Chunked attention over host-memory q/k/v. */
export class AttentionRunner {
  constructor(
    private readonly sessions: AttentionSessions,
    private readonly spec: { dims: HeadDims; chunkBytes: number },
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
    const rowsPerChunk = chunkRows(dims.nq, numKeys, this.spec.chunkBytes);
    for (const chunk of planAttentionChunks(numRows, numKeys, { mask, rowsPerChunk })) {
      const r = await this.runChunk(chunk, { q, k, v, mask });
      out.set(r.out, chunk.row0 * dims.nq * dims.dh);
      lse.set(r.lse, chunk.row0 * dims.nq);
    }
    return { out, lse };
  }

  private async runChunk(chunk: AttentionChunk, x: { q: CpuTensor; k: CpuTensor; v: CpuTensor; mask: AttentionMask }): Promise<{ out: Float32Array; lse: Float32Array }> {
    const { nq, nkv, dh } = this.spec.dims;
    const rows = chunk.row1 - chunk.row0;
    const kvRow = nkv * dh;
    const keys = (t: CpuTensor, from: number, to: number): OrtTensor => f32(t.data.subarray(from * kvRow, to * kvRow), [to - from, kvRow]);
    const feeds: Record<string, OrtTensor> = {
      q: f32(x.q.data.subarray(chunk.row0 * nq * dh, chunk.row1 * nq * dh), [rows, nq * dh]),
      kp: keys(x.k, 0, chunk.prefix),
      vp: keys(x.v, 0, chunk.prefix),
    };
    const withBand = chunk.end > chunk.prefix;
    if (withBand) {
      feeds.kb = keys(x.k, chunk.prefix, chunk.end);
      feeds.vb = keys(x.v, chunk.prefix, chunk.end);
      feeds.bias = f32(diagonalBias(chunk, { mask: x.mask, numKeys: x.k.numRows }), [rows, chunk.end - chunk.prefix]);
    }
    const session = withBand ? this.sessions.band : this.sessions.plain;
    const r = await runSession(session, feeds, { outputs: ["out", "lse"], what: "attention" });
    return { out: r.out!, lse: r.lse! };
  }
}
