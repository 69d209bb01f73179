// The leader's tokeniser and planner (main thread: tokenizer and config only): turns a job's text or ids into the
// GroupPlan every host runs, with ApbEngine's defaults, and decodes the owner's tokens back to text.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { PlanError, RETAINING_HEADS_FILE_NAME, buildContext, buildQuestion, buildTokens, checkTokens, loadModelConfig, loadTokenizer, planGroup } from "@apb/core";
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

  /** ApbEngine's strategy and selection defaults (apb on several hosts; retaining heads when loaded, else query). */
  private plan(t: RequestTokens, req: StrategyOptions): GroupPlan {
    const strategy = req.strategy ?? (this.numHosts === 1 ? "full" : "apb");
    const hasHeads = this.headsPath !== undefined;
    let selection = req.selection;
    if (strategy === "apb" && selection === undefined) {
      selection = hasHeads ? "retaining-heads" : t.anchorQuery.length > 0 ? "query" : undefined;
      if (selection === undefined) throw new PlanError("APB needs a selection: the model has no retaining heads and there is no question; pass selection random");
    }
    if (selection === "retaining-heads" && !hasHeads) throw new PlanError("retaining-heads selection needs retaining_heads.safetensors in the model folder (or selection query|random)");
    return planGroup(t, {
      strategy,
      numHosts: this.numHosts,
      anchorLen: req.anchor,
      passingLen: req.passing,
      selection: strategy === "apb" ? selection : undefined,
      queryStart: req.queryStart,
      maxPositions: this.config.maxPositions,
    });
  }

  /** The owner's tokens as text, cut before the first stop string (as ApbEngine); null without a tokenizer. */
  decode(tokens: readonly number[], stopStrings: readonly string[]): string | null {
    if (this.tokenizer === undefined) return null;
    let text = this.tokenizer.decode(Int32Array.from(tokens), { skipSpecialTokens: true });
    for (const s of stopStrings) {
      const at = text.indexOf(s);
      if (at >= 0) text = text.slice(0, at);
    }
    return text;
  }
}
