// The runs of `apb demo` on the shipped model (@apb/model-tiny): a question over a long niah_single document answered
// by full attention (1 host) and APB (H hosts), and the exactness of ring / exact APB on a short sample.

import type { ApbEngine, GenerateResult, StrategyOptions } from "@apb/core";
import { EOS_ID, engineInputs, generateSample } from "@apb/model-tiny";
import type { Sample, Task } from "@apb/model-tiny";
import type { ProgressBar } from "../output/index.js";
import type { ExactRow } from "./demo-runs.js";
import { EXTRA_TOKENS } from "./eval-runs.js";

/** The demo's task: one fact (a magic number) hidden in filler, asked for after the document. */
export const DEMO_TASK: Task = "niah_single";
/** Length of the exactness sample. */
export const EXACT_SAMPLE_TOKENS = 512;
/** Default length of the long document. */
export const MODEL_DEFAULT_TOKENS = 16384;

/** The engines and helpers the runs share. */
export interface ModelDemoCtx {
  readonly single: ApbEngine;
  readonly group: ApbEngine;
  readonly bar: ProgressBar;
  readonly signal: AbortSignal | undefined;
  /** `scoreGeneration` with the sample's first retrieved answer token. */
  readonly score: (s: Sample, tokens: readonly number[]) => { exact: boolean; first: boolean };
}

/** Which eval sample a part used, and what it asks. */
export interface SampleInfo {
  readonly task: Task;
  readonly split: "eval";
  readonly index: number;
  /** The target length given to the generator (the whole sequence, answer included, is never longer). */
  readonly length: number;
  readonly contextTokens: number;
  readonly questionTokens: number;
  readonly question: string;
  readonly expected: string;
}

/** One greedy answer over the long document. */
export interface AnswerRun {
  readonly label: string;
  readonly strategy: string;
  readonly hosts: number;
  readonly anchor: number;
  readonly passing: number;
  readonly selection: string | null;
  readonly queryStart: number;
  readonly answer: string;
  readonly tokens: number[];
  /** Greedy exact match: the answer's tokens and `</s>`. */
  readonly correct: boolean;
  /** Right up to and including the first token that must be retrieved from the document. */
  readonly firstCorrect: boolean;
  readonly prefillMs: number;
  readonly queryMs: number;
  readonly decodeMs: number;
}

/** Part 1: the long document answered by full attention and by APB. */
export interface AnswerPart {
  readonly sample: SampleInfo;
  readonly full: AnswerRun;
  readonly apb: AnswerRun;
  /** Full attention's prefill time over APB's. */
  readonly speedup: number;
}

/** A row of part 2: the strategy's greedy tokens against full attention's, and whether it answered right. */
export type ModelExactRow = ExactRow & { readonly correct: boolean };

/** Part 2: ring and exact APB against full attention on a short sample. */
export interface ExactnessPart {
  readonly sample: SampleInfo;
  readonly rows: ModelExactRow[];
  /** Every row's tokens equal full attention's. */
  readonly ok: boolean;
}

/** The eval sample `index` of the demo's task at `length` tokens. */
export function demoSample(group: ApbEngine, length: number, index: number): Sample {
  return generateSample({ task: DEMO_TASK, length, index, split: "eval", tokenizer: group.tokenizer! });
}

function sampleInfo(s: Sample): SampleInfo {
  return { task: s.task, split: "eval", index: s.index, length: s.length, contextTokens: s.contextIds.length, questionTokens: s.questionIds.length, question: s.question, expected: s.answer };
}

/** Greedy decoding as `apb eval` does it: until `</s>` or the answer's length + EXTRA_TOKENS. */
function ask(c: ModelDemoCtx, engine: ApbEngine, s: Sample, opts: StrategyOptions): Promise<GenerateResult> {
  return engine.generate({ ...engineInputs(s), ...opts, sampling: { maxTokens: s.answerIds.length + EXTRA_TOKENS, temperature: 0, stopTokenIds: [EOS_ID] }, signal: c.signal });
}

function answerRun(c: ModelDemoCtx, label: string, s: Sample, r: GenerateResult): AnswerRun {
  const score = c.score(s, r.tokens);
  const t = r.timings;
  return {
    label,
    strategy: r.strategy,
    hosts: r.hosts,
    anchor: r.anchor,
    passing: r.passing,
    selection: r.selection ?? null,
    queryStart: engineInputs(s).queryStart,
    answer: (r.text ?? "").trim(),
    tokens: r.tokens,
    correct: score.exact,
    firstCorrect: score.first,
    prefillMs: t.prefillMs,
    queryMs: t.queryMs,
    decodeMs: t.decodeMs,
  };
}

/** Part 1: full attention on 1 host and APB (default settings, retaining heads, question in the anchor) on the group. */
export async function runAnswer(c: ModelDemoCtx, s: Sample): Promise<AnswerPart> {
  const n = s.contextIds.length;
  c.bar.step(`long document: full attention on 1 host, ${n} tokens`);
  const full = answerRun(c, "full attention", s, await ask(c, c.single, s, { strategy: "full" }));
  c.bar.tick();
  c.bar.step(`long document: apb on ${c.group.numHosts} hosts, ${n} tokens`);
  const apb = answerRun(c, "APB", s, await ask(c, c.group, s, { strategy: "apb" }));
  c.bar.tick();
  return { sample: sampleInfo(s), full, apb, speedup: full.prefillMs / apb.prefillMs };
}

function exactRow(c: ModelDemoCtx, s: Sample, label: string, [r, reference]: [GenerateResult, readonly number[] | undefined]): ModelExactRow {
  const match = reference === undefined || (r.tokens.length === reference.length && r.tokens.every((t, i) => t === reference[i]));
  return { label, strategy: r.strategy, hosts: r.hosts, anchor: r.anchor, passing: r.passing, tokens: r.tokens, text: (r.text ?? "").trim(), match, correct: c.score(s, r.tokens).exact };
}

/** Part 2: greedy tokens of full (1 host), ring and APB with anchor 0 and passing = block must be identical. */
export async function runModelExactness(c: ModelDemoCtx, s: Sample): Promise<ExactnessPart> {
  const block = c.group.plan({ ...engineInputs(s), strategy: "ring" }).blockLen;
  const n = s.contextIds.length;
  c.bar.step(`exactness: full attention on 1 host, ${n} tokens`);
  const full = await ask(c, c.single, s, { strategy: "full" });
  c.bar.tick();
  c.bar.step(`exactness: ring on ${c.group.numHosts} hosts`);
  const ring = await ask(c, c.group, s, { strategy: "ring" });
  c.bar.tick();
  c.bar.step(`exactness: apb on ${c.group.numHosts} hosts, anchor 0, passing ${block}`);
  const apb = await ask(c, c.group, s, { strategy: "apb", anchor: 0, passing: block });
  c.bar.tick();
  const rows = [
    exactRow(c, s, "full attention", [full, undefined]),
    exactRow(c, s, "ring", [ring, full.tokens]),
    exactRow(c, s, "apb (anchor 0, passing = block)", [apb, full.tokens]),
  ];
  return { sample: sampleInfo(s), rows, ok: rows.every((r) => r.match) };
}
