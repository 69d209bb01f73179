// Assembly and length fitting of one sample (datagen.py build(), eval settings): content, fixed token cost,
// filler packed by token count until the next piece would pass the target, needles scattered, ids assembled.

import { InputError } from "@apb/core";
import { introOf, kvKey, kvPair, number5, sharesWord, taskContent } from "./content.js";
import type { Content } from "./content.js";
import { fillerSentence } from "./grammar.js";
import { Rng, fnv1a32 } from "./rng.js";
import { BOS_ID, EOS_ID, FORMAT_VERSION, QUERY_PREFIX, QUERY_SUFFIX, TASKS } from "./types.js";
import type { Sample, Split, Task, TokenEncoder } from "./types.js";

export interface SampleOptions {
  readonly task: Task;
  /** Target length in tokens (the whole sequence, `<s>` to `</s>`, is never longer). */
  readonly length: number;
  readonly index: number;
  readonly split?: Split;
  /** The model's tokenizer (e.g. core's ApbTokenizer from `loadTokenizer(modelTinyPath())`). */
  readonly tokenizer: TokenEncoder;
}

/** `fnv1a32("apb-synth-v3/{split}/{task}/{length}/{index}")`. */
export function sampleSeed(split: Split, task: Task, length: number, index: number): number {
  return fnv1a32(`apb-synth-v${FORMAT_VERSION}/${split}/${task}/${length}/${index}`);
}

type Enc = (s: string) => number[];

interface Piece {
  readonly text: string;
  readonly ids: number[];
}

/** Filler pieces until the next one would pass `target` (the one that does not fit is dropped). */
function packFiller(task: Task, rng: Rng, enc: Enc, budget: { used: number; target: number; kvUsed: Set<string>; queried: readonly string[] }): Piece[] {
  const out: Piece[] = [];
  for (;;) {
    let text: string;
    let key: string | undefined;
    if (task === "kv") {
      key = kvKey(rng);
      const value = number5(rng);
      if (budget.kvUsed.has(key) || sharesWord(key, budget.queried)) continue; // drawn again without a length check
      text = kvPair(key, value);
    } else text = fillerSentence(rng);
    const ids = enc(" " + text);
    if (budget.used + ids.length > budget.target) return out;
    if (key !== undefined) budget.kvUsed.add(key);
    out.push({ text, ids });
    budget.used += ids.length;
  }
}

/** Each group draws below(nf + 1) per item (sorted; item i gets the i-th smallest); needles go before filler i. */
function scatter(rng: Rng, groups: readonly (readonly Piece[])[], filler: readonly Piece[]): Piece[] {
  const nf = filler.length;
  const inserts: [number, number, number][] = [];
  groups.forEach((g, gi) => {
    const pos = g.map(() => rng.below(nf + 1)).sort((a, b) => a - b);
    pos.forEach((p, ii) => inserts.push([p, gi, ii]));
  });
  inserts.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  const body: Piece[] = [];
  let k = 0;
  for (let i = 0; i <= nf; i++) {
    while (k < inserts.length && inserts[k]![0] === i) {
      const [, gi, ii] = inserts[k]!;
      body.push(groups[gi]![ii]!);
      k++;
    }
    if (i < nf) body.push(filler[i]!);
  }
  return body;
}

function checkOptions(o: SampleOptions): void {
  if (!(TASKS as readonly string[]).includes(o.task)) throw new InputError("INPUT_INVALID", `unknown task "${o.task}"; the tasks are ${TASKS.join(", ")}`);
  if (!Number.isSafeInteger(o.length) || o.length < 1) throw new InputError("INPUT_INVALID", `sample length must be a positive integer, got ${o.length}`);
  if (!Number.isSafeInteger(o.index) || o.index < 0) throw new InputError("INPUT_INVALID", `sample index must be a non-negative integer, got ${o.index}`);
}

function concat(first: readonly number[], pieces: readonly Piece[]): Int32Array {
  const out = new Int32Array(first.length + pieces.reduce((n, p) => n + p.ids.length, 0));
  out.set(first);
  let at = first.length;
  for (const p of pieces) {
    out.set(p.ids, at);
    at += p.ids.length;
  }
  return out;
}

/**
 * One sample of the data format v3, identical to `datagen.py` (eval split: `eval_sample`; train split:
 * `train_sample`), texts and token ids.
 * @throws InputError INPUT_INVALID for an unknown task, a bad length or index
 */
export function generateSample(o: SampleOptions): Sample {
  checkOptions(o);
  const split = o.split ?? "eval";
  const enc: Enc = (s) => Array.from(o.tokenizer.encode(s, { addSpecialTokens: false }));
  const rng = new Rng(sampleSeed(split, o.task, o.length, o.index));
  const c: Content = taskContent(o.task, rng, o.length);
  const intro = introOf(o.task);
  const introIds = enc(intro);
  const groups = c.groups.map((g) => g.map((text) => ({ text, ids: enc(" " + text) })));
  const questionIds = enc(QUERY_PREFIX + c.question + QUERY_SUFFIX);
  const answerIds = [...enc(" " + c.answer), EOS_ID];
  const lookup = c.lookupPrefix === "" ? 0 : enc(" " + c.lookupPrefix).length;
  const needleTokens = groups.flat().reduce((n, p) => n + p.ids.length, 0);
  const used = 1 + introIds.length + needleTokens + questionIds.length + answerIds.length;
  const kvUsed = new Set(c.usedKeys ?? []);
  const filler = packFiller(o.task, rng, enc, { used, target: o.length, kvUsed, queried: c.usedKeys ?? [] });
  const body = scatter(rng, groups, filler);
  return {
    task: o.task,
    split,
    length: o.length,
    index: o.index,
    context: intro + body.map((p) => " " + p.text).join(""),
    question: c.question,
    answer: c.answer,
    lookupPrefix: c.lookupPrefix,
    contextIds: concat([BOS_ID, ...introIds], body),
    questionIds: Int32Array.from(questionIds),
    answerIds: Int32Array.from(answerIds),
    lookup,
  };
}
