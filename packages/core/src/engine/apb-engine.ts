// The SDK's top-level engine (one class + one parameters type, STYLE.md G15): a model on a group of in-process
// hosts; text or ids in, streamed tokens and timings out.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { InputError } from "../errors/index.js";
import { loadModelConfig, loadTokenizer } from "../model/index.js";
import type { ApbTokenizer } from "../model/index.js";
import type { ModelConfig } from "../model/types.js";
import type { GroupPlan, Selection, Strategy } from "../plan/index.js";
import { parseSampling } from "../sampling/index.js";
import type { SamplingInput } from "../sampling/index.js";
import { InProcessGroup } from "./in-process-group.js";
import type { FinishReason, HostTimings } from "./host-request.js";
import { ApbSession } from "./apb-session.js";
import type { BackendInfo, BackendSpec, RunMode } from "./messages.js";
import { buildContext, buildQuestion, buildTokens, checkTokens, decodeAnswer, planRequest } from "./request-tokens.js";
import type { RequestTokens } from "./request-tokens.js";

export interface EngineOptions {
  /** A Hugging Face checkpoint folder (config.json, safetensors, optional tokenizer.json). */
  readonly model: string;
  readonly hosts?: number;
  readonly backend?: BackendSpec;
  /** Retaining heads file; default `<model>/retaining_heads.safetensors` when present; null = none. */
  readonly retainingHeads?: string | null;
  readonly threadsPerHost?: number;
  /** After a host fails, how long the others get to stop before the group counts them as hung. */
  readonly failureGraceMs?: number;
}

/** How the context is split: every strategy knob, for generate and for sessions. */
export interface StrategyOptions {
  readonly strategy?: Strategy;
  readonly anchor?: number;
  readonly passing?: number;
  readonly selection?: Selection;
  readonly queryStart?: number;
}

/** Per-run options shared by generate and session.ask. */
export interface RunOptions {
  readonly sampling?: SamplingInput;
  readonly signal?: AbortSignal;
  readonly stepTimeoutMs?: number;
  /** Called for each token as the last host samples it. */
  readonly onToken?: (token: number, index: number) => void;
  /** Return each host's KV cache (tests). */
  readonly dumpCache?: boolean;
  /** Time backend ops on every host (benchmarks); adds `profile` to the result. */
  readonly profile?: boolean;
  /** Return the logits each token was sampled from (tests). */
  readonly keepLogits?: boolean;
}

/** One request: a context (text or ids), an optional question, strategy settings and sampling. */
export interface GenerateRequest extends StrategyOptions, RunOptions {
  readonly prompt?: string;
  readonly ids?: ArrayLike<number>;
  readonly question?: string;
  readonly questionIds?: ArrayLike<number>;
}

/** A context to keep resident: text or ids, strategy settings, and how long it may live unused. */
export interface SessionRequest extends StrategyOptions {
  readonly prompt?: string;
  readonly ids?: ArrayLike<number>;
  /** Refused on purpose: a session has no question at prefill time. */
  readonly question?: never;
  readonly questionIds?: never;
  /** Close the session automatically after this long without a question (default: never). */
  readonly ttlMs?: number;
  readonly signal?: AbortSignal;
  readonly stepTimeoutMs?: number;
}

/** Backend time summed over hosts: attention vs all ops. */
export interface RequestProfile {
  readonly attentionMs: number;
  readonly totalOpMs: number;
  readonly perOp: Record<string, number>;
}

export interface GenerateResult {
  readonly tokens: number[];
  /** Decoded text (cut before a stop string); undefined without a tokenizer. */
  readonly text: string | undefined;
  readonly finishReason: FinishReason;
  readonly strategy: Strategy;
  readonly hosts: number;
  readonly anchor: number;
  readonly passing: number;
  readonly selection: Selection | undefined;
  readonly promptTokens: number;
  readonly timings: HostTimings;
  /** Cache rows per host after prefill / query / end. */
  readonly cacheRows: readonly { prefill: number; query: number; end: number }[];
  readonly caches: readonly ({ k: Float32Array; v: Float32Array }[] | undefined)[] | undefined;
  readonly profile: RequestProfile | undefined;
  readonly logits: Float32Array[] | undefined;
}

/** A model loaded on H in-process hosts. */
export class ApbEngine {
  private prefills = 0;

  private constructor(
    private readonly group: InProcessGroup,
    readonly config: ModelConfig,
    readonly tokenizer: ApbTokenizer | undefined,
    readonly hasRetainingHeads: boolean,
  ) {}

  get numHosts(): number {
    return this.group.numHosts;
  }

  /**
   * The backend each host runs, in host order: `name` is the backend's own ("onnx", "cuda", "reference"); `note` says
   * why `backend: "auto"` took onnx instead of CUDA (the CUDA probe's reason), so a caller can tell a silent fallback.
   */
  get backends(): readonly BackendInfo[] {
    return this.group.backends;
  }

  /**
   * Loads the model on `hosts` worker threads.
   * @throws ModelError for a missing/malformed checkpoint; BackendError when the backend cannot load.
   */
  static async open(o: EngineOptions): Promise<ApbEngine> {
    const config = await loadModelConfig(o.model);
    const tokenizer = await loadTokenizer(o.model);
    const defaultHeads = join(o.model, "retaining_heads.safetensors");
    const headsPath = o.retainingHeads === null ? undefined : (o.retainingHeads ?? (existsSync(defaultHeads) ? defaultHeads : undefined));
    const group = await InProcessGroup.start({ modelDir: o.model, numHosts: o.hosts ?? 1, backend: o.backend ?? "onnx", headsPath, threadsPerHost: o.threadsPerHost, failureGraceMs: o.failureGraceMs });
    return new ApbEngine(group, config, tokenizer, headsPath !== undefined);
  }

  /** Plans a request without running it (for inspection and the CLI's --json). */
  plan(req: GenerateRequest): GroupPlan {
    const t = buildTokens(req, this.tokenizer);
    checkTokens(t, this.config);
    return this.planTokens(t, req);
  }

  private planTokens(t: RequestTokens, req: StrategyOptions): GroupPlan {
    return planRequest(t, req, { numHosts: this.numHosts, hasRetainingHeads: this.hasRetainingHeads, maxPositions: this.config.maxPositions });
  }

  /** Runs one request. @throws PlanError, InputError, TransportError, BackendError. */
  async generate(req: GenerateRequest): Promise<GenerateResult> {
    return this.runPlanned(this.plan(req), req, { kind: "generate" });
  }

  /** Prefills run so far (generate and session opens; session questions reuse theirs). */
  get numPrefills(): number {
    return this.prefills;
  }

  private async runPlanned(plan: GroupPlan, req: RunOptions, mode: RunMode): Promise<GenerateResult> {
    const sampling = parseSampling(req.sampling);
    if (mode.kind !== "ask") this.prefills += 1;
    const hosts = await this.group.run(plan, sampling, { signal: req.signal, stepTimeoutMs: req.stepTimeoutMs, onToken: req.onToken, dumpCache: req.dumpCache, profile: req.profile, keepLogits: req.keepLogits, mode });
    const owner = hosts[hosts.length - 1]!.result;
    return {
      tokens: owner.tokens,
      text: this.decodeText(owner.tokens, sampling.stopStrings),
      finishReason: owner.finishReason,
      strategy: plan.strategy,
      hosts: plan.numHosts,
      anchor: plan.anchorLen,
      passing: plan.passingLen,
      selection: plan.strategy === "apb" ? plan.selection : undefined,
      promptTokens: plan.numContext + plan.query.length,
      timings: owner.timings,
      cacheRows: hosts.map((h) => h.result.cacheRows),
      caches: req.dumpCache ? hosts.map((h) => h.cache) : undefined,
      logits: owner.logits,
      profile: req.profile ? sumProfiles(hosts.map((h) => h.profile ?? {})) : undefined,
    };
  }

  /**
   * Prefills a context once and keeps its KV cache resident on the hosts, so that many questions (from many agents)
   * can be asked against it without another prefill. No question is known at prefill time, so APB's selection is
   * query-agnostic here (retaining heads, or random), unlike a one-off generate that embeds its question in the anchor.
   * @throws PlanError / InputError for bad inputs; the errors of generate for runtime failures.
   */
  async openSession(req: SessionRequest): Promise<ApbSession> {
    if (req.question !== undefined || req.questionIds !== undefined) throw new InputError("INPUT_INVALID", "a session is opened without a question; ask questions with session.ask()");
    const all = buildContext(req, this.tokenizer);
    const t: RequestTokens = { context: all, query: new Int32Array(0), anchorQuery: new Int32Array(0) };
    checkTokens(t, this.config);
    const plan = this.planTokens(t, req);
    const id = randomUUID();
    const opened = await this.runPlanned(plan, req, { kind: "prefill", session: id });
    return new ApbSession({
      id,
      context: all,
      prefillMs: opened.timings.prefillMs,
      ttlMs: req.ttlMs,
      ask: (question, r) => {
        const qt: RequestTokens = { context: all, query: question, anchorQuery: new Int32Array(0) };
        checkTokens(qt, this.config);
        return this.runPlanned(this.planTokens(qt, req), r, { kind: "ask", session: id });
      },
      close: () => this.group.closeSession(id),
      encodeQuestion: (q) => buildQuestion(q, this.tokenizer),
    });
  }

  /**
   * Streams tokens as the last host samples them; the generator's return value is the whole result.
   * Breaking out of the loop aborts the request.
   */
  async *stream(req: GenerateRequest): AsyncGenerator<{ token: number; index: number }, GenerateResult, undefined> {
    const queue: { token: number; index: number }[] = [];
    let wake: (() => void) | undefined;
    const ac = new AbortController();
    const signal = req.signal === undefined ? ac.signal : AbortSignal.any([req.signal, ac.signal]);
    let settled = false;
    const done = this.generate({ ...req, signal, onToken: (token, index) => (queue.push({ token, index }), req.onToken?.(token, index), wake?.()) }).finally(() => {
      settled = true;
      wake?.();
    });
    done.catch(() => undefined);
    try {
      for (;;) {
        while (queue.length > 0) yield queue.shift()!;
        if (settled) return await done;
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
    } finally {
      if (!settled) ac.abort();
    }
  }

  private decodeText(tokens: readonly number[], stops: readonly string[]): string | undefined {
    return this.tokenizer === undefined ? undefined : decodeAnswer(this.tokenizer, tokens, stops);
  }

  async close(): Promise<void> {
    await this.group.close();
  }
}

function sumProfiles(profiles: readonly Record<string, number>[]): RequestProfile {
  const perOp: Record<string, number> = {};
  for (const p of profiles) for (const [op, ms] of Object.entries(p)) perOp[op] = (perOp[op] ?? 0) + ms;
  const totalOpMs = Object.values(perOp).reduce((a, b) => a + b, 0);
  return { attentionMs: perOp["attention"] ?? 0, totalOpMs, perOp };
}
