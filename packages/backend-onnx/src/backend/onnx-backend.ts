// The Backend contract on onnxruntime-node (CPU): per-layer fused graphs with the weights as initializers,
// chunked attention without n×n matrices, and the small row/selection ops in plain TypeScript (shared with core).

import { BackendError, CpuBackendBase, CpuTensor, checkBackendInit, checkRowSize, ropeInvFreq, ropeTables } from "@apb/core";
import type { AttentionMask, AttentionResult, AttnInput, Backend, BackendFactory, BackendInit, HeadDims, ModelConfig } from "@apb/core";
import { AttentionRunner, DEFAULT_CHUNK_ROWS, blockKeysFor } from "../attention/index.js";
import type { Session } from "../session/index.js";
import { createModelSessions, releaseModelSessions } from "./model-sessions.js";
import { DEFAULT_ROW_CHUNK, runByRows } from "./row-chunks.js";
import type { LayerSessions, ModelSessions } from "./model-sessions.js";

/** Tuning knobs of the onnx backend (defaults suit a few CPU cores). */
export interface OnnxBackendOptions {
  /** Query rows per attention chunk (default DEFAULT_CHUNK_ROWS). */
  readonly attentionChunkRows?: number;
  /** Keys per block of the attention key-block loop (default blockKeysFor: ~2 MiB of scores per thread). */
  readonly attentionBlockKeys?: number;
  /** Let ORT pool threads spin between runs (default false; see SessionSettings.spinning). */
  readonly spinning?: boolean;
  /** Rows per run of the row-wise graphs (attnIn, attnOut, heads, logits); default DEFAULT_ROW_CHUNK. */
  readonly rowChunk?: number;
}

/** Backend on onnxruntime-node's CPU execution provider. Tensors are CpuTensor [rows, features]. */
export class OnnxBackend extends CpuBackendBase implements Backend<CpuTensor> {
  readonly name = "onnx";
  protected readonly dims: HeadDims;
  private readonly invFreq: Float64Array;
  private readonly attentionRunner: AttentionRunner;
  private readonly rowChunk: number;
  private readonly heads: { numOut: number };
  private closed = false;

  private constructor(
    private readonly config: ModelConfig,
    private readonly embedTable: Float32Array, // [V, d]
    private readonly sessions: ModelSessions,
    options: OnnxBackendOptions & { threads: number; numHeadScores: number },
  ) {
    super();
    this.rowChunk = options.rowChunk ?? DEFAULT_ROW_CHUNK;
    this.heads = { numOut: options.numHeadScores };
    this.dims = { nq: config.numHeads, nkv: config.numKvHeads, dh: config.headDim };
    this.invFreq = ropeInvFreq(config);
    const rowsPerChunk = options.attentionChunkRows ?? DEFAULT_CHUNK_ROWS;
    const tiling = { rowsPerChunk, blockKeys: options.attentionBlockKeys ?? blockKeysFor({ nq: this.dims.nq, rows: rowsPerChunk, threads: options.threads }) };
    this.attentionRunner = new AttentionRunner(sessions.attention, { dims: this.dims, tiling });
  }

  /**
   * Builds and compiles every graph (one layer at a time, so peak memory stays near one layer's weights twice).
   * @throws BackendError BACKEND_UNAVAILABLE / ModelError TENSOR_SHAPE for an unusable init, BACKEND_FAILED if ORT rejects a graph.
   */
  static async create(init: BackendInit, options: OnnxBackendOptions = {}): Promise<OnnxBackend> {
    checkBackendInit(init);
    for (const [key, value] of Object.entries({ attentionChunkRows: options.attentionChunkRows, attentionBlockKeys: options.attentionBlockKeys, rowChunk: options.rowChunk })) {
      if (value !== undefined && !(Number.isInteger(value) && value > 0)) throw new BackendError("BACKEND_UNAVAILABLE", `${key} must be a positive integer, got ${value}`);
    }
    const sessions = await createModelSessions(init, { threads: init.threads, spinning: options.spinning ?? false });
    const numHeadScores = init.heads?.layers[0]?.numOut ?? init.config.numKvHeads;
    return new OnnxBackend(init.config, init.weights.embed, sessions, { ...options, threads: init.threads, numHeadScores });
  }

  async embed(ids: Int32Array): Promise<CpuTensor> {
    this.live();
    const { hiddenSize: d, vocabSize } = this.config;
    const out = new Float32Array(ids.length * d);
    for (let t = 0; t < ids.length; t++) {
      const id = ids[t]!;
      if (!(id >= 0 && id < vocabSize)) throw new BackendError("BACKEND_FAILED", `embed: token id ${id} outside [0, ${vocabSize})`);
      out.set(this.embedTable.subarray(id * d, (id + 1) * d), t * d);
    }
    return new CpuTensor(out, [ids.length, d]);
  }

  async attnIn(layer: number, hidden: CpuTensor, positions: Int32Array, withScores: boolean): Promise<AttnInput<CpuTensor>> {
    const s = this.layer(layer);
    const { nq, nkv, dh } = this.dims;
    checkRowSize("attnIn hidden", hidden, this.config.hiddenSize);
    const rows = hidden.numRows;
    if (positions.length !== rows) throw new BackendError("BACKEND_FAILED", `attnIn: ${positions.length} positions for ${rows} rows`);
    if (withScores && s.heads === undefined) throw new BackendError("BACKEND_FAILED", "attnIn: retaining-head scores asked for, but the backend has no retaining heads");
    const width = (nq + 2 * nkv) * dh;
    const rope = this.ropeTables(positions);
    const outputs = [{ name: "q", width: nq * dh }, { name: "k", width: nkv * dh }, { name: "v", width: nkv * dh }, ...(withScores ? [{ name: "qkv", width }] : [])];
    const r = await runByRows(s.attnIn, {
      rows,
      inputs: [{ name: "hidden", data: hidden.data, width: this.config.hiddenSize }, { name: "cos", data: rope.cos, width: dh }, { name: "sin", data: rope.sin, width: dh }],
      outputs,
      chunkRows: this.rowChunk,
      what: `attnIn layer ${layer}`,
    });
    const scores = withScores ? await this.headScores(s.heads!, { qkv: r.qkv!, rows, width }) : undefined;
    return { q: new CpuTensor(r.q!, [rows, nq * dh]), k: new CpuTensor(r.k!, [rows, nkv * dh]), v: new CpuTensor(r.v!, [rows, nkv * dh]), scores };
  }

  async attention(q: CpuTensor, k: CpuTensor, v: CpuTensor, mask: AttentionMask): Promise<AttentionResult<CpuTensor>> {
    this.live();
    const { out, lse } = await this.attentionRunner.run(q, k, v, mask);
    return { out: new CpuTensor(out, [q.numRows, this.dims.nq * this.dims.dh]), lse };
  }

  async attnOut(layer: number, hidden: CpuTensor, attn: CpuTensor): Promise<CpuTensor> {
    const s = this.layer(layer);
    const d = this.config.hiddenSize;
    const width = this.dims.nq * this.dims.dh;
    checkRowSize("attnOut hidden", hidden, d);
    checkRowSize("attnOut attn", attn, width);
    const rows = hidden.numRows;
    if (attn.numRows !== rows) throw new BackendError("BACKEND_FAILED", `attnOut: hidden has ${rows} rows, attn ${attn.numRows}`);
    const r = await runByRows(s.attnOut, {
      rows,
      inputs: [{ name: "hidden", data: hidden.data, width: d }, { name: "attn", data: attn.data, width }],
      outputs: [{ name: "out", width: d }],
      chunkRows: this.rowChunk,
      what: `attnOut layer ${layer}`,
    });
    return new CpuTensor(r.out!, [rows, d]);
  }

  async logits(hidden: CpuTensor): Promise<Float32Array> {
    this.live();
    checkRowSize("logits hidden", hidden, this.config.hiddenSize);
    const r = await runByRows(this.sessions.logits, {
      rows: hidden.numRows,
      inputs: [{ name: "hidden", data: hidden.data, width: this.config.hiddenSize }],
      outputs: [{ name: "logits", width: this.config.vocabSize }],
      chunkRows: this.rowChunk,
      what: "logits",
    });
    return r.logits!;
  }

  /** Releases every ORT session; later ops fail with BACKEND_FAILED. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await releaseModelSessions(this.sessions);
  }

  private live(): void {
    if (this.closed) throw new BackendError("BACKEND_FAILED", "the onnx backend is closed");
  }

  private layer(layer: number): LayerSessions {
    this.live();
    const s = this.sessions.layers[layer];
    if (!Number.isInteger(layer) || s === undefined) throw new BackendError("BACKEND_FAILED", `layer ${layer} outside [0, ${this.config.numLayers})`);
    return s;
  }

  /** cos = [cos|cos] and sin = [−sin|sin], [T, dh], for the rotate-half form in the attnIn graph. */
  private ropeTables(positions: Int32Array): { cos: Float32Array; sin: Float32Array } {
    const dh = this.dims.dh;
    const half = dh / 2;
    const t = ropeTables(this.invFreq, positions);
    const cos = new Float32Array(positions.length * dh);
    const sin = new Float32Array(positions.length * dh);
    for (let r = 0; r < positions.length; r++) {
      for (let i = 0; i < half; i++) {
        const c = t.cos[r * half + i]!;
        const s = t.sin[r * half + i]!;
        cos[r * dh + i] = c;
        cos[r * dh + half + i] = c;
        sin[r * dh + i] = -s;
        sin[r * dh + half + i] = s;
      }
    }
    return { cos, sin };
  }

  private async headScores(heads: Session, x: { qkv: Float32Array; rows: number; width: number }): Promise<Float32Array> {
    const numOut = this.heads.numOut;
    const r = await runByRows(heads, { rows: x.rows, inputs: [{ name: "qkv", data: x.qkv, width: x.width }], outputs: [{ name: "scores", width: numOut }], chunkRows: this.rowChunk, what: "retaining heads" });
    return r.scores!;
  }
}

/** BackendFactory of @apb/backend-onnx: worker threads import this module by specifier and call it. */
export const createBackend: BackendFactory = (init: BackendInit) => OnnxBackend.create(init);
