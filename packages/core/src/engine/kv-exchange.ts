// The engine's exchanges over a Transport: compressed KV blocks per layer, partial attentions per step and
// layer, and the sampled token per step. Frames are checked for kind, tag and shape on arrival.

import { FrameKind, encodeKvBlock, encodePartial, encodeToken, expectFrame } from "../codec/index.js";
import { TransportError } from "../errors/index.js";
import type { Partial } from "../attention/index.js";
import type { Transport } from "../transport/index.js";

/** Geometry the frames must agree with. */
export interface ExchangeShape {
  readonly kvRowSize: number; // nkv * dh
  readonly numHeads: number; // nq
  readonly headDim: number;
}

export interface ExchangeOptions {
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
}

function mismatch(what: string): TransportError {
  return new TransportError("FRAME_INVALID", `bad frame: ${what}`);
}

/** Per-request exchange helpers for one host. */
export class KvExchange {
  constructor(
    private readonly transport: Transport,
    private readonly shape: ExchangeShape,
    private readonly opts: ExchangeOptions,
  ) {}

  private get host(): number {
    return this.transport.host;
  }

  /** Publishes this host's selected rows for `layer`; read by every later host. */
  async publishBlock(layer: number, k: Float32Array, v: Float32Array, rows: number): Promise<void> {
    const frame = encodeKvBlock({ host: this.host, tag: layer, rows, rowSize: this.shape.kvRowSize, k, v });
    await this.transport.put(`kv:${layer}`, frame, this.transport.numHosts - 1 - this.host);
  }

  /** The blocks of hosts 0..host-1 for `layer`, concatenated in host order: [rows*host, kvRowSize] each for k and v. */
  async gatherBlocks(layer: number, rowsPerHost: number): Promise<{ k: Float32Array; v: Float32Array }> {
    const from = Array.from({ length: this.host }, (_, i) => i);
    const frames = await this.transport.take(`kv:${layer}`, from, this.opts);
    const n = rowsPerHost * this.shape.kvRowSize;
    const k = new Float32Array(n * from.length);
    const v = new Float32Array(n * from.length);
    frames.forEach((bytes, i) => {
      const f = expectFrame(bytes, FrameKind.KvBlock);
      if (f.tag !== layer || f.host !== from[i]) throw mismatch(`expected layer ${layer} from host ${from[i]}, got layer ${f.tag} from host ${f.host}`);
      if (f.rows !== rowsPerHost || f.rowSize !== this.shape.kvRowSize) throw mismatch(`KV block ${f.rows}x${f.rowSize}, expected ${rowsPerHost}x${this.shape.kvRowSize}`);
      k.set(f.k, i * n);
      v.set(f.v, i * n);
    });
    return { k, v };
  }

  /** All-gathers partial attentions for (step, layer); returns every host's partial in host order, own included. */
  async allGatherPartials(step: number, layer: number, own: Partial, rows: number): Promise<Partial[]> {
    const H = this.transport.numHosts;
    if (H === 1) return [own];
    const { numHeads, headDim } = this.shape;
    const tag = `p:${step}:${layer}`;
    await this.transport.put(tag, encodePartial({ host: this.host, tag: layer, rows, heads: numHeads, headDim, out: own.out, lse: own.lse }), H - 1);
    const others = Array.from({ length: H }, (_, i) => i).filter((h) => h !== this.host);
    const frames = await this.transport.take(tag, others, this.opts);
    const byHost = new Map<number, Partial>([[this.host, own]]);
    frames.forEach((bytes, i) => {
      const f = expectFrame(bytes, FrameKind.Partial);
      if (f.host !== others[i] || f.tag !== layer || f.rows !== rows || f.heads !== numHeads || f.headDim !== headDim) {
        throw mismatch(`partial for step ${step} layer ${layer} from host ${others[i]} has the wrong shape or origin`);
      }
      byHost.set(f.host, { out: f.out, lse: f.lse });
    });
    return Array.from({ length: H }, (_, h) => byHost.get(h)!);
  }

  /** The last host announces the token of `step`; everyone else receives it. */
  async shareToken(step: number, token: { id: number; done: boolean } | undefined): Promise<{ id: number; done: boolean }> {
    const H = this.transport.numHosts;
    const owner = H - 1;
    if (this.host === owner) {
      if (token === undefined) throw new TransportError("FRAME_INVALID", "the owner host must provide the token");
      if (H > 1) await this.transport.put(`t:${step}`, encodeToken({ host: owner, tag: step, token: token.id, done: token.done }), H - 1);
      return token;
    }
    const [bytes] = await this.transport.take(`t:${step}`, [owner], this.opts);
    const f = expectFrame(bytes!, FrameKind.Token);
    if (f.tag !== step || f.host !== owner) throw mismatch(`token frame for step ${f.tag} from host ${f.host}, expected step ${step}`);
    return { id: f.token, done: f.done };
  }
}
