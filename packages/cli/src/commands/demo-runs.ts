// The two parts of `apb demo --random` (random weights): exactness of full / ring / exact-APB on a short prompt of
// random ids, and APB vs full prefill time on a long one. `ExactRow` is shared with the shipped-model demo.

import { Prng } from "@apb/core";
import type { ApbEngine, GenerateResult } from "@apb/core";
import type { ProgressBar } from "../output/index.js";
import { randomIds } from "./temp-checkpoint.js";

/** The engines the demo runs on: one host (full attention) and the group. */
export interface DemoEngines {
  readonly single: ApbEngine;
  readonly group: ApbEngine;
  readonly bar: ProgressBar;
  readonly signal: AbortSignal | undefined;
}

export interface ExactRow {
  readonly label: string;
  readonly strategy: string;
  readonly hosts: number;
  readonly anchor: number;
  readonly passing: number;
  readonly tokens: number[];
  readonly text: string | null;
  /** Same token ids as full attention. */
  readonly match: boolean;
}

export interface SpeedResult {
  readonly tokens: number;
  readonly questionTokens: number;
  readonly full: { readonly hosts: number; readonly prefillMs: number };
  readonly apb: { readonly hosts: number; readonly anchor: number; readonly passing: number; readonly selection: string | null; readonly prefillMs: number };
  readonly speedup: number;
}

export const QUESTION_TOKENS = 16;
export const EXACT_PROMPT_TOKENS = 512;
export const EXACT_NEW_TOKENS = 16;

function toRow(label: string, r: GenerateResult, reference: readonly number[] | undefined): ExactRow {
  const match = reference === undefined || (r.tokens.length === reference.length && r.tokens.every((t, i) => t === reference[i]));
  return { label, strategy: r.strategy, hosts: r.hosts, anchor: r.anchor, passing: r.passing, tokens: r.tokens, text: r.text ?? null, match };
}

/** Part 1: greedy tokens of full (1 host), ring and APB with anchor 0 and passing = block must be identical. */
export async function runExactness(e: DemoEngines, seed: number): Promise<ExactRow[]> {
  const rng = new Prng(seed);
  const vocab = e.single.config.vocabSize;
  const base = { ids: randomIds(EXACT_PROMPT_TOKENS, vocab, rng), questionIds: randomIds(QUESTION_TOKENS, vocab, rng), sampling: { maxTokens: EXACT_NEW_TOKENS, temperature: 0 }, signal: e.signal };
  const block = e.group.plan({ ...base, strategy: "ring" }).blockLen;
  e.bar.step(`exactness: full attention on 1 host, ${EXACT_PROMPT_TOKENS} tokens`);
  const full = await e.single.generate({ ...base, strategy: "full" });
  e.bar.tick();
  e.bar.step(`exactness: ring on ${e.group.numHosts} hosts`);
  const ring = await e.group.generate({ ...base, strategy: "ring" });
  e.bar.tick();
  e.bar.step(`exactness: apb on ${e.group.numHosts} hosts, anchor 0, passing ${block}`);
  const apb = await e.group.generate({ ...base, strategy: "apb", anchor: 0, passing: block });
  e.bar.tick();
  return [toRow("full attention", full, undefined), toRow("ring", ring, full.tokens), toRow("apb (anchor 0, passing = block)", apb, full.tokens)];
}

/** Runs of each strategy in part 2 (interleaved); the fastest counts, so a busy moment does not decide it. */
export const SPEED_RUNS = 2;

/** Part 2: prefill time of APB (default settings) against full attention on a long context. */
export async function runSpeed(e: DemoEngines, tokens: number, seed: number): Promise<SpeedResult> {
  const rng = new Prng(seed + 1);
  const vocab = e.single.config.vocabSize;
  const base = { ids: randomIds(tokens, vocab, rng), questionIds: randomIds(QUESTION_TOKENS, vocab, rng), sampling: { maxTokens: 1 }, signal: e.signal };
  let full: GenerateResult | undefined;
  let apb: GenerateResult | undefined;
  const faster = (a: GenerateResult | undefined, b: GenerateResult): GenerateResult => (a !== undefined && a.timings.prefillMs <= b.timings.prefillMs ? a : b);
  for (let run = 1; run <= SPEED_RUNS; run++) {
    e.bar.step(`speed: full attention on 1 host, ${tokens} tokens (run ${run}/${SPEED_RUNS})`);
    full = faster(full, await e.single.generate({ ...base, strategy: "full" }));
    e.bar.tick();
    e.bar.step(`speed: apb on ${e.group.numHosts} hosts, ${tokens} tokens (run ${run}/${SPEED_RUNS})`);
    apb = faster(apb, await e.group.generate({ ...base, strategy: "apb" }));
    e.bar.tick();
  }
  const f = full!;
  const a = apb!;
  return {
    tokens,
    questionTokens: QUESTION_TOKENS,
    full: { hosts: f.hosts, prefillMs: f.timings.prefillMs },
    apb: { hosts: a.hosts, anchor: a.anchor, passing: a.passing, selection: a.selection ?? null, prefillMs: a.timings.prefillMs },
    speedup: f.timings.prefillMs / a.timings.prefillMs,
  };
}
