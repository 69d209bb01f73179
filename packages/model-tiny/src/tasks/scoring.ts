// Scoring as train.py's eval defines it: greedy exact match over the answer and `</s>`, and the first answer
// token that must be retrieved from the context (the first non-whitespace token at or after the lookup prefix).

import type { Sample } from "./types.js";

/** What scoring needs from a tokenizer (core's ApbTokenizer fits). */
export interface TokenDecoder {
  readonly vocabSize: number;
  decode(ids: ArrayLike<number>, opts: { skipSpecialTokens: boolean }): string;
}

/** Python's str.isspace() set: JS's \s plus the separators \x1c-\x1f and \x85, minus \ufeff. */
const PY_SPACE = /^[\s\x1c-\x1f\x85]*$/u;

/** Ids above 3 (the specials) that decode to whitespace only: train.py's `ws_ids`. */
export function whitespaceTokenIds(tok: TokenDecoder): Set<number> {
  const out = new Set<number>();
  for (let i = 4; i < tok.vocabSize; i++) {
    const text = tok.decode([i], { skipSpecialTokens: false });
    if (PY_SPACE.test(text) && !text.includes("\ufeff")) out.add(i);
  }
  return out;
}

/** Index in `answerIds` of the first token to retrieve: the first non-whitespace one at or after `lookup` (0 if none). */
export function firstAnswerIndex(s: Sample, wsIds: ReadonlySet<number>): number {
  for (let k = s.lookup; k < s.answerIds.length; k++) if (!wsIds.has(s.answerIds[k]!)) return k;
  return 0;
}

export interface Score {
  /** The greedy continuation is exactly the answer tokens and `</s>`. */
  readonly exact: boolean;
  /**
   * The continuation is right up to and including the first retrieved token. train.py measures this token by
   * teacher forcing; greedy decoding gives the same verdict whenever the tokens before it (the cue restated from
   * the question) are right, and a lower bound otherwise.
   */
  readonly first: boolean;
}

/** Scores a greedy continuation (generated ids, `</s>` included when the model stopped). */
export function scoreGeneration(s: Sample, tokens: ArrayLike<number>, firstIndex: number): Score {
  const a = s.answerIds;
  let prefix = 0;
  while (prefix < a.length && prefix < tokens.length && tokens[prefix] === a[prefix]) prefix++;
  return { exact: prefix === a.length && tokens.length === a.length, first: prefix > firstIndex };
}
