// H virtual hosts in this thread sharing one backend, so the weights sit on the GPU once: core's HostEngine and
// runHostRequest per host over core's in-memory hub, as its in-process group runs them, minus the worker threads (each
// of which would build its own backend and upload its own copy of the weights).

import { HostEngine, KvExchange, OpProfiler, hubTransports, runHostRequest, toApbError } from "@apb/core";
import type { Backend, ExchangeShape, GroupPlan, HostRequestResult, ModelConfig, SamplingParams, Tensor, Transport } from "@apb/core";
import { BlockStore, DirectKvExchange } from "./direct-exchange.js";
import type { HostTiming } from "./prefill-result.js";

/** The shared backend and its model. */
export interface VirtualHosts {
  readonly backend: Backend<Tensor>;
  readonly config: ModelConfig;
}

const DEFAULT_TIMEOUT_MS = 600_000;

function exchangeShape(c: ModelConfig): ExchangeShape {
  return { kvRowSize: c.numKvHeads * c.headDim, numHeads: c.numHeads, headDim: c.headDim };
}

async function runOneHost(vh: VirtualHosts, a: { plan: GroupPlan; sampling: SamplingParams; keepLogits: boolean; transport: Transport; signal: AbortSignal; timeoutMs: number }): Promise<HostRequestResult> {
  const engine = new HostEngine(vh.backend, vh.config, a.transport.host, a.transport.numHosts);
  const exchange = new KvExchange(a.transport, exchangeShape(vh.config), { signal: a.signal, timeoutMs: a.timeoutMs });
  try {
    return await runHostRequest({ engine, plan: a.plan, exchange, sampling: a.sampling, maxPositions: vh.config.maxPositions, signal: a.signal, keepLogits: a.keepLogits });
  } catch (err) {
    // As core's host worker: tell the other hosts, so their takes fail with HOST_FAILED instead of timing out.
    await a.transport.fail(toApbError(err).toJSON()).catch(() => undefined);
    throw err;
  } finally {
    engine.reset();
  }
}

/**
 * Runs one request (prefill, query pass, decode) on every virtual host concurrently, in lock-step through the hub's
 * frames exactly as the engine's hosts exchange them; resolves with each host's result in host order.
 * @throws the first host's own error (not the HOST_FAILED echoes of the others).
 */
export async function runVirtualRequest(vh: VirtualHosts, a: { plan: GroupPlan; sampling: SamplingParams; keepLogits?: boolean; timeoutMs?: number }): Promise<HostRequestResult[]> {
  const ac = new AbortController();
  const transports = hubTransports(a.plan.numHosts);
  const run = { plan: a.plan, sampling: a.sampling, keepLogits: a.keepLogits ?? false, signal: ac.signal, timeoutMs: a.timeoutMs ?? DEFAULT_TIMEOUT_MS };
  const settled = await Promise.allSettled(transports.map((transport) => runOneHost(vh, { ...run, transport })));
  const errors = settled.flatMap((s) => (s.status === "rejected" ? [toApbError(s.reason)] : []));
  if (errors.length > 0) throw errors.find((e) => e.code !== "HOST_FAILED") ?? errors[0]!;
  return settled.map((s) => (s as PromiseFulfilledResult<HostRequestResult>).value);
}

/**
 * Prefills every host of `plan` one after another (host order, so each one's earlier blocks are published), each
 * timed alone with its backend ops profiled; KV blocks pass through a DirectKvExchange. Caches are dropped after each
 * host. On one GPU this gives each host's own compute: the slowest is what H GPUs would take, exchange excluded.
 */
export async function timeHostPrefills(vh: VirtualHosts, a: { plan: GroupPlan; seed: number; now?: () => number }): Promise<HostTiming[]> {
  const now = a.now ?? (() => performance.now());
  const store = new BlockStore();
  const transports = hubTransports(a.plan.numHosts);
  const signal = new AbortController().signal;
  const out: HostTiming[] = [];
  try {
    for (const hp of a.plan.hosts) {
      const profiler = new OpProfiler(vh.backend);
      profiler.reset(true);
      const engine = new HostEngine(profiler.backend, vh.config, hp.host, hp.numHosts);
      const ex = new DirectKvExchange(transports[hp.host]!, exchangeShape(vh.config), { signal, timeoutMs: DEFAULT_TIMEOUT_MS }, store);
      const t0 = now();
      try {
        await engine.prefill(hp, ex, { signal, seed: a.seed });
        out.push({ host: hp.host, rows: hp.ids.length, ms: now() - t0, opMs: profiler.profile });
      } finally {
        engine.reset();
      }
    }
  } finally {
    store.clear();
  }
  return out;
}

/**
 * Logits of the last `lastRows` positions of one causal forward over `ids` through the Backend contract (embed, then
 * attnIn → attention → attnOut per layer, as one host's full prefill): [lastRows, vocab] row-major. Used for the
 * teacher-forced check, where every step of a known token path needs its logits.
 */
export async function forwardLogits(b: Backend<Tensor>, config: ModelConfig, ids: Int32Array, lastRows: number): Promise<Float32Array> {
  const positions = Int32Array.from({ length: ids.length }, (_, i) => i);
  let hidden = await b.embed(ids);
  try {
    for (let layer = 0; layer < config.numLayers; layer++) {
      const qkv = await b.attnIn(layer, hidden, positions, false);
      const att = await b.attention(qkv.q, qkv.k, qkv.v, { anchorRows: 0, offset: 0 });
      const next = await b.attnOut(layer, hidden, att.out);
      for (const t of [qkv.q, qkv.k, qkv.v, att.out, hidden]) b.dispose(t);
      hidden = next;
    }
    const last = b.sliceRows(hidden, ids.length - lastRows, ids.length);
    try {
      return await b.logits(last);
    } finally {
      b.dispose(last);
    }
  } finally {
    b.dispose(hidden);
  }
}
