// One host's share of a request (APB.md 3 and 4): prefill its block layer by layer in lock-step with the group,
// keep only its local KV, then run the query and decode steps with LSE-merged partial attention.

import { mergePartials } from "../attention/index.js";
import type { Backend } from "../backend/index.js";
import type { ModelConfig } from "../model/types.js";
import type { HostPlan } from "../plan/index.js";
import { argmax } from "../sampling/index.js";
import type { Tensor } from "../tensor/index.js";
import type { KvExchange } from "./kv-exchange.js";
import { selectRows } from "./host-selection.js";

/** One layer's cached keys and values of this host: [rows, nkv*dh] each, post-RoPE K. */
export interface LayerCache<T extends Tensor> {
  k: T;
  v: T;
}

/** Per-step inputs of the query/decode phase. */
export interface StepInput {
  readonly step: number;
  readonly ids: Int32Array;
  readonly positions: Int32Array;
}

/** Drives one host's backend for one group. The cache persists across requests of a session. */
export class HostEngine<T extends Tensor> {
  private cache: LayerCache<T>[] = [];
  private baseLen = 0;

  constructor(
    private readonly backend: Backend<T>,
    private readonly config: ModelConfig,
    readonly host: number,
    readonly numHosts: number,
  ) {}

  get isOwner(): boolean {
    return this.host === this.numHosts - 1;
  }

  /** Rows in this host's cache (layer 0; all layers agree). */
  get numCachedTokens(): number {
    return this.cache[0]?.k.shape[0] ?? 0;
  }

  /** Prefills this host's plan; afterwards the cache holds exactly the local block (pad trimmed). */
  async prefill(plan: HostPlan, ex: KvExchange, opts: { signal: AbortSignal; seed: number; onLayer?: (done: number, total: number) => void }): Promise<void> {
    this.reset();
    const b = this.backend;
    let hidden = await b.embed(plan.ids);
    for (let layer = 0; layer < this.config.numLayers; layer++) {
      opts.signal.throwIfAborted();
      const next = await this.prefillLayer(layer, hidden, { plan, ex, seed: opts.seed });
      b.dispose(hidden);
      hidden = next;
      opts.onLayer?.(layer + 1, this.config.numLayers);
    }
    b.dispose(hidden);
    this.baseLen = this.numCachedTokens;
  }

  private async prefillLayer(layer: number, hidden: T, a: { plan: HostPlan; ex: KvExchange; seed: number }): Promise<T> {
    const { plan, ex } = a;
    const b = this.backend;
    const sends = plan.passingMode !== "none" && plan.host < plan.numHosts - 1;
    const receives = plan.passingMode !== "none" && plan.host > 0;
    const withScores = sends && plan.passingMode === "select" && plan.selection === "retaining-heads";
    const qkv = await b.attnIn(layer, hidden, plan.positions, withScores);
    if (sends) {
      const idx = await selectRows(b, { layer, plan, qkv, config: this.config, seed: a.seed });
      const kc = b.gatherHeads(qkv.k, idx, plan.passingLen);
      const vc = b.gatherHeads(qkv.v, idx, plan.passingLen);
      await ex.publishBlock(layer, await b.download(kc), await b.download(vc), plan.passingLen);
      b.dispose(kc);
      b.dispose(vc);
    }
    let k = qkv.k;
    let v = qkv.v;
    if (receives) {
      const passing = await ex.gatherBlocks(layer, plan.passingLen);
      k = this.insertPassing(qkv.k, passing.k, plan);
      v = this.insertPassing(qkv.v, passing.v, plan);
    }
    const att = await b.attention(qkv.q, k, v, { anchorRows: plan.anchorLen, offset: plan.numPassingRows });
    const next = await b.attnOut(layer, hidden, att.out);
    const end = plan.anchorLen + plan.localLen - plan.numPad;
    this.cache[layer] = { k: b.sliceRows(qkv.k, plan.anchorLen, end), v: b.sliceRows(qkv.v, plan.anchorLen, end) };
    for (const t of new Set([qkv.q, qkv.k, qkv.v, k, v, att.out])) b.dispose(t);
    return next;
  }

  /** `base` with `extra`'s rows behind it; `base` is consumed (grown in place where the backend has capacity). */
  private append(base: T, extra: T): T {
    const b = this.backend;
    if (b.appendRows !== undefined) return b.appendRows(base, extra);
    const out = b.concatRows([base, extra]);
    b.dispose(base);
    return out;
  }

  /** Keys in logical order [anchor | passing | local (+ probe)]. */
  private insertPassing(x: T, passing: Float32Array, plan: HostPlan): T {
    const b = this.backend;
    const rowSize = this.config.numKvHeads * this.config.headDim;
    const p = b.upload(passing, [plan.numPassingRows, rowSize]);
    const parts = [b.sliceRows(x, 0, plan.anchorLen), p, b.sliceRows(x, plan.anchorLen, x.shape[0]!)];
    const out = b.concatRows(parts);
    for (const t of parts) b.dispose(t);
    return out;
  }

  /**
   * Runs new tokens through every layer (query pass or one decode step). Each host attends over its own cache;
   * only the owner (last host) appends the new KV and masks causally; others see their whole cache (APB.md 4.5).
   * Returns the final hidden states of the new tokens (identical on every host).
   */
  async step(input: StepInput, ex: KvExchange, signal: AbortSignal): Promise<T> {
    const b = this.backend;
    const { numHeads: nq, headDim } = this.config;
    let hidden = await b.embed(input.ids);
    const rows = input.ids.length;
    for (let layer = 0; layer < this.config.numLayers; layer++) {
      signal.throwIfAborted();
      const qkv = await b.attnIn(layer, hidden, input.positions, false);
      const c = this.cache[layer]!;
      const before = c.k.shape[0]!;
      if (this.isOwner) this.cache[layer] = { k: this.append(c.k, qkv.k), v: this.append(c.v, qkv.v) };
      const cur = this.cache[layer]!;
      const part = await b.attention(qkv.q, cur.k, cur.v, { anchorRows: 0, offset: before });
      // One host: its partial is the attention (merging one partial is the identity), so it stays on the device.
      let attn = part.out;
      if (this.numHosts > 1) {
        const parts = await ex.allGatherPartials(input.step, layer, { out: await b.download(part.out), lse: part.lse }, rows);
        attn = b.upload(mergePartials(parts, headDim).out, [rows, nq * headDim]);
      }
      const next = await b.attnOut(layer, hidden, attn);
      for (const t of new Set([qkv.q, qkv.k, qkv.v, part.out, attn, hidden])) b.dispose(t);
      hidden = next;
    }
    return hidden;
  }

  /** The greedy token of the last row of `hidden`: on the backend when it samples (greedyTokens), else argmax of its logits. */
  async lastGreedyToken(hidden: T): Promise<number> {
    const b = this.backend;
    if (b.greedyTokens === undefined) return argmax(await this.lastLogits(hidden));
    const rows = hidden.shape[0]!;
    const last = b.sliceRows(hidden, rows - 1, rows);
    try {
      return (await b.greedyTokens(last))[0]!;
    } finally {
      b.dispose(last);
    }
  }

  /** Logits of the last row of `hidden`. */
  async lastLogits(hidden: T): Promise<Float32Array> {
    const rows = hidden.shape[0]!;
    const last = this.backend.sliceRows(hidden, rows - 1, rows);
    const logits = await this.backend.logits(last);
    this.backend.dispose(last);
    return logits;
  }

  disposeTensor(t: T): void {
    this.backend.dispose(t);
  }

  /** Drops what the query and decode steps appended, keeping the prefilled context (sessions). */
  rewind(): void {
    if (this.numCachedTokens === this.baseLen) return;
    const b = this.backend;
    this.cache = this.cache.map((c) => {
      const k = b.sliceRows(c.k, 0, this.baseLen);
      const v = b.sliceRows(c.v, 0, this.baseLen);
      b.dispose(c.k);
      b.dispose(c.v);
      return { k, v };
    });
  }

  /** This host's cache, downloaded (tests and debugging). */
  async dumpCache(): Promise<{ k: Float32Array; v: Float32Array }[]> {
    return Promise.all(this.cache.map(async (c) => ({ k: await this.backend.download(c.k), v: await this.backend.download(c.v) })));
  }

  reset(): void {
    for (const c of this.cache) {
      this.backend.dispose(c.k);
      this.backend.dispose(c.v);
    }
    this.cache = [];
    this.baseLen = 0;
  }
}
