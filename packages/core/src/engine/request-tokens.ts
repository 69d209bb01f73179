// Turns a request's text or ids into the planner's token streams, and checks them against the model.

import { InputError, PlanError } from "../errors/index.js";
import type { ApbTokenizer } from "../model/index.js";
import type { ModelConfig } from "../model/types.js";
import { planGroup } from "../plan/index.js";
import type { GroupPlan, Selection, Strategy } from "../plan/index.js";

export interface RequestTokens {
  readonly context: Int32Array;
  readonly query: Int32Array;
  readonly anchorQuery: Int32Array;
}

interface TokenSource {
  readonly prompt?: string;
  readonly ids?: ArrayLike<number>;
  readonly question?: string;
  readonly questionIds?: ArrayLike<number>;
}

function needTokenizer(tok: ApbTokenizer | undefined, what: string): ApbTokenizer {
  if (tok === undefined) throw new InputError("INPUT_INVALID", `${what} needs a tokenizer.json in the model folder; pass token ids instead`);
  return tok;
}

/**
 * With a question: the prompt is the context, the question is the query (and goes into the anchor).
 * Without: the prompt's last token is the query (so the query pass yields the first logits) and nothing goes
 * into the anchor.
 */
export function buildTokens(src: TokenSource, tok: ApbTokenizer | undefined): RequestTokens {
  const all = buildContext(src, tok);
  if (src.question !== undefined || src.questionIds !== undefined) {
    const question = buildQuestion(src, tok);
    return { context: all, query: question, anchorQuery: question };
  }
  if (all.length < 2) throw new InputError("INPUT_INVALID", `the prompt has ${all.length} token(s); it needs at least 2 without a question`);
  return { context: all.subarray(0, all.length - 1), query: all.subarray(all.length - 1), anchorQuery: new Int32Array(0) };
}

/** The context tokens of a text prompt (with the tokenizer's special tokens) or of ids. */
export function buildContext(src: Pick<TokenSource, "prompt" | "ids">, tok: ApbTokenizer | undefined): Int32Array {
  if ((src.prompt === undefined) === (src.ids === undefined)) throw new InputError("INPUT_INVALID", "give exactly one of a prompt (text) or token ids");
  return src.ids !== undefined ? Int32Array.from(src.ids) : needTokenizer(tok, "a text prompt").encode(src.prompt!, { addSpecialTokens: true });
}

/** The question's tokens (text without special tokens, or ids); never empty. */
export function buildQuestion(src: Pick<TokenSource, "question" | "questionIds">, tok: ApbTokenizer | undefined): Int32Array {
  if ((src.question === undefined) === (src.questionIds === undefined)) throw new InputError("INPUT_INVALID", "give exactly one of a question (text) or question ids");
  const q = src.questionIds !== undefined ? Int32Array.from(src.questionIds) : needTokenizer(tok, "a text question").encode(src.question!, { addSpecialTokens: false });
  if (q.length === 0) throw new InputError("INPUT_INVALID", "the question is empty");
  return q;
}

/** @throws InputError TOKEN_OUT_OF_VOCAB or PROMPT_TOO_LONG. */
export function checkTokens(t: RequestTokens, config: ModelConfig): void {
  for (const [name, ids] of [["prompt", t.context], ["question", t.query]] as const) {
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (!(id >= 0 && id < config.vocabSize)) {
        throw new InputError("TOKEN_OUT_OF_VOCAB", `${name} token ${i} is ${id}, outside the vocabulary [0, ${config.vocabSize})`, { index: i, id });
      }
    }
  }
  const total = t.context.length + t.query.length;
  if (total > config.maxPositions) {
    throw new InputError("PROMPT_TOO_LONG", `the prompt is ${total} tokens; the model has ${config.maxPositions} positions. Shorten it by ${total - config.maxPositions} tokens`, { tokens: total, maxPositions: config.maxPositions });
  }
}

/** The strategy knobs of a request (undefined = the default). */
export interface RequestStrategy {
  readonly strategy?: Strategy;
  readonly anchor?: number;
  readonly passing?: number;
  readonly selection?: Selection;
  readonly queryStart?: number;
}

/**
 * Plans a request with the SDK's defaults, the one place they live (ApbEngine and the job layer's leader both use it):
 * full on one host, apb on several; APB selects by retaining heads when loaded, else by the question ("query").
 * @throws PlanError when no selection fits or the settings are impossible.
 */
export function planRequest(t: RequestTokens, req: RequestStrategy, group: { numHosts: number; hasRetainingHeads: boolean; maxPositions: number }): GroupPlan {
  const strategy = req.strategy ?? (group.numHosts === 1 ? "full" : "apb");
  let selection = req.selection;
  if (strategy === "apb" && selection === undefined) {
    selection = group.hasRetainingHeads ? "retaining-heads" : t.anchorQuery.length > 0 ? "query" : undefined;
    if (selection === undefined) throw new PlanError("APB needs a selection: no retaining heads were loaded and there is no question; pass --selection random or give retaining heads");
  }
  if (selection === "retaining-heads" && !group.hasRetainingHeads) throw new PlanError("retaining-heads selection needs retaining_heads.safetensors in the model folder (or --selection query|random)");
  return planGroup(t, {
    strategy,
    numHosts: group.numHosts,
    anchorLen: req.anchor,
    passingLen: req.passing,
    selection: strategy === "apb" ? selection : undefined,
    queryStart: req.queryStart,
    maxPositions: group.maxPositions,
  });
}

/** Generated tokens as text (special tokens skipped), cut before the first stop string. */
export function decodeAnswer(tok: ApbTokenizer, tokens: readonly number[], stopStrings: readonly string[]): string {
  let text = tok.decode(Int32Array.from(tokens), { skipSpecialTokens: true });
  for (const s of stopStrings) {
    const at = text.indexOf(s);
    if (at >= 0) text = text.slice(0, at);
  }
  return text;
}
