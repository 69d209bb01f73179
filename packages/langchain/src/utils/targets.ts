// Where a ChatAPB call runs, behind one small interface: an in-process ApbEngine, a worker group through ApbClient,
// or a prefilled session of either; plus the pump that turns a run's token callbacks into an async stream.

import { ApbSession } from "@apb/core";
import type { ApbEngine, FinishReason, GenerateResult, HostTimings, SamplingInput, Strategy, StrategyOptions } from "@apb/core";
import type { ApbClient, ClientSession, JobProgress, JobResult } from "@apb/jobs";
import { ChatAPBAbortError } from "../errors.js";
import type { ApbPrompt, Segment } from "./messages.js";

export type TargetKind = "engine" | "client" | "engine-session" | "client-session";

/** One call in the engine's terms. */
export interface TargetRequest {
  readonly prompt: ApbPrompt;
  readonly strategy: StrategyOptions;
  readonly sampling: SamplingInput;
  readonly stepTimeoutMs: number | undefined;
}

export interface TargetHooks {
  readonly signal: AbortSignal;
  /** All tokens generated so far, each time new ones arrive (a client's arrive in throttled batches). */
  readonly onTokens: (tokens: readonly number[]) => void;
}

export interface TargetResult {
  readonly tokens: readonly number[];
  readonly finishReason: FinishReason;
  /** Context + question tokens the answer attended to. */
  readonly promptTokens: number;
  /** Of those, the context tokens read from a session's resident cache (no prefill): 0 for one-off calls. */
  readonly cachedTokens: number;
  readonly strategy: Strategy;
  readonly hosts: number;
  readonly timings: HostTimings;
  /** The worker group that ran it (job layer). */
  readonly group: string | undefined;
}

export interface ApbTarget {
  readonly kind: TargetKind;
  run(req: TargetRequest, hooks: TargetHooks): Promise<TargetResult>;
}

const contextOf = (s: Segment): { prompt: string } | { ids: number[] } => ("text" in s ? { prompt: s.text } : { ids: Array.from(s.ids) });
const questionOf = (s: Segment): { question: string } | { questionIds: number[] } => ("text" in s ? { question: s.text } : { questionIds: Array.from(s.ids) });

function fromEngine(r: GenerateResult, cachedTokens: number): TargetResult {
  return { tokens: r.tokens, finishReason: r.finishReason, promptTokens: r.promptTokens, cachedTokens, strategy: r.strategy, hosts: r.hosts, timings: r.timings, group: undefined };
}

function fromJob(r: JobResult, cachedTokens: number): TargetResult {
  return { tokens: r.tokens, finishReason: r.finishReason, promptTokens: r.promptTokens, cachedTokens, strategy: r.strategy, hosts: r.hosts, timings: r.timings, group: r.group };
}

/** The engine reports tokens one at a time with their index. */
function tokenCollector(hooks: TargetHooks): (token: number, index: number) => void {
  const tokens: number[] = [];
  return (token, index) => {
    tokens[index] = token;
    hooks.onTokens(tokens.slice());
  };
}

/** The job layer reports decode progress with every token so far. */
function progressTokens(hooks: TargetHooks): (p: JobProgress) => void {
  return (p) => {
    if (p.phase === "decode" && p.tokens !== undefined) hooks.onTokens(p.tokens);
  };
}

function contextSegment(req: TargetRequest): Segment {
  return req.prompt.context ?? { text: "" };
}

export function engineTarget(engine: ApbEngine): ApbTarget {
  return {
    kind: "engine",
    run: async (req, hooks) => {
      const r = await engine.generate({ ...contextOf(contextSegment(req)), ...questionOf(req.prompt.question), ...req.strategy, sampling: req.sampling, signal: hooks.signal, stepTimeoutMs: req.stepTimeoutMs, onToken: tokenCollector(hooks) });
      return fromEngine(r, 0);
    },
  };
}

export function clientTarget(client: ApbClient, group: string): ApbTarget {
  return {
    kind: "client",
    run: async (req, hooks) => {
      const r = await client.generate({ group, ...contextOf(contextSegment(req)), ...questionOf(req.prompt.question), ...req.strategy, sampling: req.sampling }, { signal: hooks.signal, onProgress: progressTokens(hooks) });
      return fromJob(r, 0);
    },
  };
}

/** A session answers against its resident context: only the question (and sampling) travels. */
export function sessionTarget(session: ApbSession | ClientSession): ApbTarget {
  if (session instanceof ApbSession) {
    return {
      kind: "engine-session",
      run: async (req, hooks) => {
        const r = await session.ask({ ...questionOf(req.prompt.question), sampling: req.sampling, signal: hooks.signal, stepTimeoutMs: req.stepTimeoutMs, onToken: tokenCollector(hooks) });
        return fromEngine(r, session.numContextTokens);
      },
    };
  }
  return {
    kind: "client-session",
    run: async (req, hooks) => {
      const r = await session.ask({ ...questionOf(req.prompt.question), sampling: req.sampling }, { signal: hooks.signal, onProgress: progressTokens(hooks) });
      return fromJob(r, session.numContextTokens);
    },
  };
}

function abortError(signal: AbortSignal, cause?: unknown): ChatAPBAbortError {
  const timedOut = (signal.reason as { name?: unknown } | undefined)?.name === "TimeoutError";
  return new ChatAPBAbortError(timedOut ? "the ChatAPB call timed out" : "the ChatAPB call was aborted", cause ?? signal.reason);
}

/** @throws ChatAPBAbortError when `signal` has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal);
}

/** What the pump yields: all tokens so far, then the result once the run ended. */
export type TokenEvent = { readonly type: "tokens"; readonly tokens: readonly number[] } | { readonly type: "done"; readonly result: TargetResult };

/**
 * Runs a request and yields all tokens so far whenever new ones arrive, then the result. Leaving the loop early
 * aborts the run; when `signal` fires the engine stops within one decode step (its hosts check the signal per layer)
 * and this throws ChatAPBAbortError.
 */
export async function* streamTokens(target: ApbTarget, req: TargetRequest, signal: AbortSignal | undefined): AsyncGenerator<TokenEvent, void, undefined> {
  throwIfAborted(signal);
  const own = new AbortController();
  const runSignal = signal === undefined ? own.signal : AbortSignal.any([signal, own.signal]);
  let latest: readonly number[] | undefined;
  let wake: (() => void) | undefined;
  let settled = false;
  const done = target.run(req, { signal: runSignal, onTokens: (t) => ((latest = t), wake?.()) }).finally(() => ((settled = true), wake?.()));
  done.catch(() => undefined);
  try {
    for (;;) {
      if (latest !== undefined) {
        const tokens = latest;
        latest = undefined;
        yield { type: "tokens", tokens };
      } else if (settled) {
        yield { type: "done", result: await done };
        return;
      } else await new Promise<void>((resolve) => (wake = resolve));
    }
  } catch (err) {
    if (signal?.aborted) throw abortError(signal, err);
    throw err;
  } finally {
    if (!settled) own.abort();
  }
}
