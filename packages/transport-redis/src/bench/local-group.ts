// Runs one request's H hosts inside this process, each a HostEngine over its own Transport (Redis, or core's
// in-memory hub for comparison): what the Redis integration test and the benchmark drive.

import { HostEngine, KvExchange, createReferenceBackend, runHostRequest, toApbError } from "@apb/core";
import type { Backend, GroupPlan, HostRequestResult, ModelConfig, ModelWeights, RetainingHeadWeights, SamplingParams, Tensor, Transport } from "@apb/core";

/** A model loaded once and shared by every host of this process. */
export interface LocalModel {
  readonly config: ModelConfig;
  readonly weights: ModelWeights;
  readonly heads: RetainingHeadWeights | undefined;
}

export interface LocalRunArgs {
  readonly model: LocalModel;
  readonly plan: GroupPlan;
  readonly sampling: SamplingParams;
  /** One per host, in host order. */
  readonly transports: readonly Transport[];
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

async function runHost(a: LocalRunArgs, transport: Transport, signal: AbortSignal): Promise<HostRequestResult> {
  const { config } = a.model;
  const init = { ...a.model, threads: 1, host: transport.host, numHosts: transport.numHosts };
  const backend = (await createReferenceBackend(init)) as Backend<Tensor>;
  const engine = new HostEngine(backend, config, transport.host, transport.numHosts);
  const shape = { kvRowSize: config.numKvHeads * config.headDim, numHeads: config.numHeads, headDim: config.headDim };
  const exchange = new KvExchange(transport, shape, { signal, timeoutMs: a.timeoutMs ?? 60_000 });
  try {
    return await runHostRequest({ engine, plan: a.plan, exchange, sampling: a.sampling, maxPositions: config.maxPositions, signal });
  } catch (err) {
    // As core's host worker: tell the other hosts, so their takes fail with HOST_FAILED instead of timing out.
    await transport.fail(toApbError(err).toJSON()).catch(() => undefined);
    throw err;
  } finally {
    await backend.close();
  }
}

/**
 * Runs every host concurrently; resolves with each host's result in host order.
 * @throws the first host's own error (not the HOST_FAILED echoes of the others).
 */
export async function runLocalGroup(a: LocalRunArgs): Promise<HostRequestResult[]> {
  const ac = new AbortController();
  const signal = a.signal === undefined ? ac.signal : AbortSignal.any([a.signal, ac.signal]);
  const settled = await Promise.allSettled(a.transports.map((t) => runHost(a, t, signal)));
  const errors = settled.flatMap((s) => (s.status === "rejected" ? [toApbError(s.reason)] : []));
  if (errors.length > 0) throw errors.find((e) => e.code !== "HOST_FAILED") ?? errors[0]!;
  return settled.map((s) => (s as PromiseFulfilledResult<HostRequestResult>).value);
}

