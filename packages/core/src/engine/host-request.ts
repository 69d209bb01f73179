// The generation loop of one host for one request: prefill, query pass, then decode until a stop; the last host
// samples and streams tokens, the others follow the token it shares.

import type { Tensor } from "../tensor/index.js";
import type { GroupPlan } from "../plan/index.js";
import { Sampler } from "../sampling/index.js";
import type { SamplingParams } from "../sampling/index.js";
import type { HostEngine } from "./host-engine.js";
import type { KvExchange } from "./kv-exchange.js";
import type { HostProgress } from "./messages.js";

export type FinishReason = "stop" | "length";

export interface HostTimings {
  prefillMs: number;
  queryMs: number;
  decodeMs: number;
}

export interface HostRequestResult {
  readonly tokens: number[];
  readonly finishReason: FinishReason;
  readonly timings: HostTimings;
  /** Owner, when asked: the logits each generated token was sampled from. */
  readonly logits: Float32Array[] | undefined;
  /** Cache rows of this host after prefill, after the query pass, and at the end. */
  readonly cacheRows: { prefill: number; query: number; end: number };
}

export interface HostRequestArgs<T extends Tensor> {
  readonly engine: HostEngine<T>;
  readonly plan: GroupPlan;
  readonly exchange: KvExchange;
  readonly sampling: SamplingParams;
  readonly maxPositions: number;
  readonly signal: AbortSignal;
  /** Called for each token: on the owner as it is sampled, on the others as it arrives. */
  readonly onToken?: (token: number, index: number) => void;
  /** Called as prefill finishes each layer and as tokens are decided. */
  readonly onProgress?: (p: HostProgress) => void;
  /** Owner only: true when the generated text so far contains a stop string. */
  readonly hitsStopString?: (tokens: readonly number[]) => boolean;
  /** prefill: stop after prefill (a session opens); ask: skip prefill, the cache holds the context (a session). */
  readonly phase?: "generate" | "prefill" | "ask";
  /** Owner: keep the logits of every step (tests). */
  readonly keepLogits?: boolean;
}

/** Runs the whole request on one host. Every host of the group runs this concurrently, in lock-step. */
export async function runHostRequest<T extends Tensor>(a: HostRequestArgs<T>): Promise<HostRequestResult> {
  const { engine, plan, exchange: ex, signal } = a;
  const t0 = performance.now();
  if (a.phase === "ask") engine.rewind();
  else await engine.prefill(plan.hosts[engine.host]!, ex, { signal, seed: a.sampling.seed, onLayer: (done, total) => a.onProgress?.({ phase: "prefill", done, total }) });
  const prefillRows = engine.numCachedTokens;
  const t1 = performance.now();
  if (a.phase === "prefill") {
    const rows = { prefill: prefillRows, query: prefillRows, end: prefillRows };
    return { tokens: [], logits: undefined, finishReason: "stop", timings: { prefillMs: t1 - t0, queryMs: 0, decodeMs: 0 }, cacheRows: rows };
  }
  const sampler = new Sampler(a.sampling);
  const tokens: number[] = [];
  const logits: Float32Array[] | undefined = a.keepLogits && engine.isOwner ? [] : undefined;
  let position = plan.numContext + plan.query.length;
  let next = await decide(a, { sampler, hidden: await engine.step({ step: 0, ids: plan.query, positions: plan.queryPositions }, ex, signal), tokens, logits }, position);
  const queryRows = engine.numCachedTokens;
  const t2 = performance.now();
  while (!next.done) {
    const hidden = await engine.step({ step: tokens.length, ids: Int32Array.of(next.id), positions: Int32Array.of(position) }, ex, signal);
    position += 1;
    next = await decide(a, { sampler, hidden, tokens, logits }, position);
  }
  const t3 = performance.now();
  return {
    tokens,
    logits,
    finishReason: next.reason,
    timings: { prefillMs: t1 - t0, queryMs: t2 - t1, decodeMs: t3 - t2 },
    cacheRows: { prefill: prefillRows, query: queryRows, end: engine.numCachedTokens },
  };
}

/** The owner samples and announces the next token; the others receive it. Every host records it. */
interface StepState<T extends Tensor> {
  readonly sampler: Sampler;
  readonly hidden: T;
  readonly tokens: number[];
  readonly logits: Float32Array[] | undefined;
}

async function decide<T extends Tensor>(a: HostRequestArgs<T>, st: StepState<T>, nextPosition: number): Promise<{ id: number; done: boolean; reason: FinishReason }> {
  const { sampler, hidden, tokens } = st;
  const { engine, exchange: ex, sampling } = a;
  const step = tokens.length;
  let mine: { id: number; done: boolean } | undefined;
  let reason: FinishReason = "length";
  if (engine.isOwner) {
    let id: number;
    if (sampling.temperature === 0 && st.logits === undefined) id = await engine.lastGreedyToken(hidden);
    else {
      const row = await engine.lastLogits(hidden);
      st.logits?.push(row);
      id = sampler.sample(row);
    }
    engine.disposeTensor(hidden);
    tokens.push(id);
    a.onToken?.(id, step);
    const stopped = sampling.stopTokenIds.includes(id) || (a.hitsStopString?.(tokens) ?? false);
    const full = tokens.length >= sampling.maxTokens || nextPosition >= a.maxPositions;
    reason = stopped ? "stop" : "length";
    mine = { id, done: stopped || full };
  }
  else engine.disposeTensor(hidden);
  const shared = await ex.shareToken(step, mine);
  if (!engine.isOwner) {
    tokens.push(shared.id);
    a.onToken?.(shared.id, step);
  }
  a.onProgress?.({ phase: "decode", done: tokens.length, total: sampling.maxTokens });
  return { id: shared.id, done: shared.done, reason };
}
