// The leader's tokeniser and planner (main thread: tokenizer and config only): turns a job's text or ids into the
// GroupPlan every host runs, with ApbEngine's defaults, and decodes the owner's tokens back to text.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { RETAINING_HEADS_FILE_NAME, buildContext, buildQuestion, buildTokens, checkTokens, decodeAnswer, loadModelConfig, loadTokenizer, planRequest } from "@apb/core";
import type { ApbTokenizer, GroupPlan, ModelConfig, RequestTokens, StrategyOptions } from "@apb/core";

/** A context ready to prefill: its tokens and plan. */
export interface PlannedContext {
  readonly plan: GroupPlan;
  readonly context: Int32Array;
  readonly promptTokens: number;
}

/** The model folder's retaining heads file, when it has one (ApbEngine's default). */
export function defaultHeadsPath(modelDir: string): string | undefined {
  const heads = join(modelDir, RETAINING_HEADS_FILE_NAME);
  return existsSync(heads) ? heads : undefined;
}

export class RequestPlanner {
  private constructor(
    readonly config: ModelConfig,
    readonly tokenizer: ApbTokenizer | undefined,
    readonly headsPath: string | undefined,
    readonly numHosts: number,
  ) {}

  /** Reads config.json and the tokenizer; retaining heads are used when the model folder has them (as ApbEngine). */
  static async load(modelDir: string, numHosts: number): Promise<RequestPlanner> {
    return new RequestPlanner(await loadModelConfig(modelDir), await loadTokenizer(modelDir), defaultHeadsPath(modelDir), numHosts);
  }

  /**
   * A one-off request: context + optional question.
   * @throws InputError (INPUT_INVALID, TOKEN_OUT_OF_VOCAB, PROMPT_TOO_LONG), PlanError.
   */
  planGenerate(req: { prompt?: string; ids?: number[]; question?: string; questionIds?: number[] } & StrategyOptions): PlannedContext {
    const t = buildTokens(req, this.tokenizer);
    checkTokens(t, this.config);
    return { plan: this.plan(t, req), context: t.context, promptTokens: t.context.length + t.query.length };
  }

  /** A session's prefill: no question (query-agnostic selection). @throws as planGenerate. */
  planSession(req: { prompt?: string; ids?: number[] } & StrategyOptions): PlannedContext {
    const context = buildContext(req, this.tokenizer);
    const t: RequestTokens = { context, query: new Int32Array(0), anchorQuery: new Int32Array(0) };
    checkTokens(t, this.config);
    return { plan: this.plan(t, req), context, promptTokens: context.length };
  }

  /** A question against a session's context (the plan's query part; prefill is skipped). @throws as planGenerate. */
  planAsk(context: Int32Array, q: { question?: string; questionIds?: number[] }, strategy: StrategyOptions): PlannedContext {
    const query = buildQuestion(q, this.tokenizer);
    const t: RequestTokens = { context, query, anchorQuery: new Int32Array(0) };
    checkTokens(t, this.config);
    return { plan: this.plan(t, strategy), context, promptTokens: context.length + query.length };
  }

  /** ApbEngine's strategy and selection defaults (core's planRequest, shared). */
  private plan(t: RequestTokens, req: StrategyOptions): GroupPlan {
    return planRequest(t, req, { numHosts: this.numHosts, hasRetainingHeads: this.headsPath !== undefined, maxPositions: this.config.maxPositions });
  }

  /** The owner's tokens as text, cut before the first stop string (as ApbEngine); null without a tokenizer. */
  decode(tokens: readonly number[], stopStrings: readonly string[]): string | null {
    return this.tokenizer === undefined ? null : decodeAnswer(this.tokenizer, tokens, stopStrings);
  }
}
