// Types and names of the synthetic long-context tasks (data format version 2, tools/train/README.md).

/** The task names, in datagen.py's order (the names are part of the format). */
export const TASKS = ["niah_single", "niah_multikey", "niah_multivalue", "niah_multiquery", "kv", "vt", "facts"] as const;
export type Task = (typeof TASKS)[number];

/** "eval" seeds the eval set; "train" is datagen.py's train_sample (no training-only extras). */
export type Split = "eval" | "train";

export const FORMAT_VERSION = 3;
export const BOS_ID = 1;
export const EOS_ID = 2;
/** The query segment is QUERY_PREFIX + question + QUERY_SUFFIX. */
export const QUERY_PREFIX = "\n\nQuestion: ";
export const QUERY_SUFFIX = "\nAnswer:";
/** APB's qsp for this format: the question goes into the anchor right after `<s>`. */
export const QUERY_START = 1;

/** What the generator needs from a tokenizer (core's ApbTokenizer fits). */
export interface TokenEncoder {
  encode(text: string, opts: { addSpecialTokens: boolean }): ArrayLike<number>;
}

/** One sample of the data format. */
export interface Sample {
  readonly task: Task;
  readonly split: Split;
  /** The target length in tokens; the whole token sequence is never longer. */
  readonly length: number;
  readonly index: number;
  readonly context: string;
  /** The bare question, e.g. `What is the special magic number for calm-lamp?`. */
  readonly question: string;
  readonly answer: string;
  /** The part of the answer that restates the question's cue (empty for multivalue). */
  readonly lookupPrefix: string;
  /** `[<s>] + enc(context)`: the context segment, prefilled across hosts. */
  readonly contextIds: Int32Array;
  /** `enc(QUERY_PREFIX + question + QUERY_SUFFIX)`: the query segment (APB's question). */
  readonly questionIds: Int32Array;
  /** `enc(" " + answer) + [</s>]`: what greedy decoding must produce. */
  readonly answerIds: Int32Array;
  /** `len(enc(" " + lookupPrefix))` (0 when the prefix is empty): where the retrieved part of the answer may start. */
  readonly lookup: number;
}
