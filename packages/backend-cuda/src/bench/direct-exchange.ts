// KV blocks between virtual hosts of one thread handed over as arrays: core's KvExchange with its block frames (encode,
// CRC-32 in JS, copies) replaced by a shared store. That framing costs more than the GPU work when a whole block passes
// (Ring: ~18 GB of CRC at 32K), and no network is crossed here; partials and tokens still travel as frames.

import { KvExchange, TransportError } from "@apb/core";
import type { ExchangeOptions, ExchangeShape, Transport } from "@apb/core";

interface Block {
  readonly k: Float32Array;
  readonly v: Float32Array;
  readonly rows: number;
}

/** One request's published blocks: (layer, host) → rows; takers wait until the block is there. */
export class BlockStore {
  private readonly blocks = new Map<string, Block>();
  private readonly waiting = new Map<string, ((b: Block) => void)[]>();

  put(layer: number, host: number, b: Block): void {
    const key = `${layer}:${host}`;
    this.blocks.set(key, b);
    for (const wake of this.waiting.get(key) ?? []) wake(b);
    this.waiting.delete(key);
  }

  /** The block of (layer, host) once published; rejects with ABORTED when `signal` fires first. */
  take(layer: number, host: number, signal: AbortSignal): Promise<Block> {
    const key = `${layer}:${host}`;
    const b = this.blocks.get(key);
    if (b !== undefined) return Promise.resolve(b);
    return new Promise<Block>((resolve, reject) => {
      const onAbort = (): void => reject(new TransportError("ABORTED", `waiting for the KV block of host ${host}, layer ${layer}: aborted`));
      signal.addEventListener("abort", onAbort, { once: true });
      const list = this.waiting.get(key) ?? [];
      list.push((blk) => {
        signal.removeEventListener("abort", onAbort);
        resolve(blk);
      });
      this.waiting.set(key, list);
    });
  }

  /** Number of blocks held (tests). */
  get numBlocks(): number {
    return this.blocks.size;
  }

  clear(): void {
    this.blocks.clear();
    this.waiting.clear();
  }
}

/** KvExchange whose KV blocks go through a BlockStore; everything else is core's. */
export class DirectKvExchange extends KvExchange {
  private readonly me: number;
  private readonly rowSize: number;

  constructor(
    transport: Transport,
    shape: ExchangeShape,
    private readonly options: ExchangeOptions,
    private readonly store: BlockStore,
  ) {
    super(transport, shape, options);
    this.me = transport.host;
    this.rowSize = shape.kvRowSize;
  }

  override async publishBlock(layer: number, k: Float32Array, v: Float32Array, rows: number): Promise<void> {
    if (k.length !== rows * this.rowSize || v.length !== rows * this.rowSize) throw new TransportError("FRAME_INVALID", `KV block of ${rows} rows has ${k.length}/${v.length} values`);
    this.store.put(layer, this.me, { k, v, rows });
  }

  override async gatherBlocks(layer: number, rowsPerHost: number): Promise<{ k: Float32Array; v: Float32Array }> {
    const n = rowsPerHost * this.rowSize;
    const k = new Float32Array(n * this.me);
    const v = new Float32Array(n * this.me);
    for (let h = 0; h < this.me; h++) {
      const b = await this.store.take(layer, h, this.options.signal);
      if (b.rows !== rowsPerHost) throw new TransportError("FRAME_INVALID", `KV block of host ${h}, layer ${layer}: ${b.rows} rows, expected ${rowsPerHost}`);
      k.set(b.k, h * n);
      v.set(b.v, h * n);
    }
    return { k, v };
  }
}
