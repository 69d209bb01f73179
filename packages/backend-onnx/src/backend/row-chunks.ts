// Runs a row-wise graph (norms, projections, RoPE, MLP) over bounded chunks of rows: ORT's temporaries stay a few MB
// whatever the prompt length, instead of hundreds of MB per op at 16K rows that the allocator then keeps.

import { f32, runSession } from "../session/index.js";
import type { OrtTensor, Session } from "../session/index.js";

/** Rows per run of a row-wise graph: big enough for efficient GEMMs, small enough to bound temporaries. */
export const DEFAULT_ROW_CHUNK = 1024;

/** A per-row input: `width` values per row. */
export interface RowInput {
  readonly name: string;
  readonly data: Float32Array;
  readonly width: number;
}

/** A per-row output: `width` values per row. */
export interface RowOutput {
  readonly name: string;
  readonly width: number;
}

export interface RowRunSpec {
  readonly rows: number;
  readonly inputs: readonly RowInput[];
  readonly outputs: readonly RowOutput[];
  readonly chunkRows: number;
  readonly what: string;
}

/** Runs `session` chunk by chunk (inputs are zero-copy row views) and assembles each output over all rows. */
export async function runByRows(session: Session, spec: RowRunSpec): Promise<Record<string, Float32Array>> {
  const out: Record<string, Float32Array> = {};
  for (const o of spec.outputs) out[o.name] = new Float32Array(spec.rows * o.width);
  for (let r0 = 0; r0 < spec.rows; r0 += spec.chunkRows) {
    const r1 = Math.min(spec.rows, r0 + spec.chunkRows);
    const feeds: Record<string, OrtTensor> = {};
    for (const i of spec.inputs) feeds[i.name] = f32(i.data.subarray(r0 * i.width, r1 * i.width), [r1 - r0, i.width]);
    const r = await runSession(session, feeds, { outputs: spec.outputs.map((o) => o.name), what: spec.what });
    for (const o of spec.outputs) out[o.name]!.set(r[o.name]!, r0 * o.width);
  }
  return out;
}
