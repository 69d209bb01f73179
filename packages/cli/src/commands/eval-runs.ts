// The measuring loop of `apb eval`: one engine per host count, each eval sample generated once and run greedily
// under every strategy, scored as train.py's eval scores it.

import { ApbEngine } from "@apb/core";
import { EOS_ID, engineInputs, firstAnswerIndex, generateSample, scoreGeneration, whitespaceTokenIds } from "@apb/model-tiny";
import type { Sample, Task } from "@apb/model-tiny";
import { UsageError } from "../args/index.js";
import { ProgressBar } from "../output/index.js";
import type { CliIo } from "../output/index.js";
import type { EvalOptions } from "./eval-options.js";

type Strategy = EvalOptions["strategies"][number];

/** One sample under one strategy. */
export interface EvalRecord {
  readonly task: Task;
  readonly length: number;
  readonly index: number;
  readonly strategy: Strategy;
  readonly hosts: number;
  readonly selection: string | null;
  readonly exact: boolean;
  readonly first: boolean;
  readonly prefillMs: number;
  readonly tokens: readonly number[];
}

/** Greedy tokens beyond the answer's length (answer + `</s>`): a wrong answer may run a little long. */
export const EXTRA_TOKENS = 4;

const hostsOf = (s: Strategy, o: EvalOptions): number => (s === "full" ? 1 : o.hosts);

async function openEngines(model: string, o: EvalOptions): Promise<Map<number, ApbEngine>> {
  const counts = [...new Set(o.strategies.map((s) => hostsOf(s, o)))];
  const engines = new Map<number, ApbEngine>();
  try {
    for (const h of counts) engines.set(h, await ApbEngine.open({ model, hosts: h, backend: o.backend, threadsPerHost: o.threads }));
  } catch (err) {
    await Promise.all([...engines.values()].map((e) => e.close()));
    throw err;
  }
  return engines;
}

interface Ctx {
  readonly engines: Map<number, ApbEngine>;
  readonly o: EvalOptions;
  readonly signal: AbortSignal | undefined;
  readonly firstIndex: (s: Sample) => number;
}

async function runOne(c: Ctx, s: Sample, strategy: Strategy): Promise<EvalRecord> {
  const hosts = hostsOf(strategy, c.o);
  const engine = c.engines.get(hosts)!;
  const r = await engine.generate({
    ...engineInputs(s),
    strategy,
    selection: strategy === "apb" ? c.o.selection : undefined,
    sampling: { maxTokens: s.answerIds.length + EXTRA_TOKENS, temperature: 0, stopTokenIds: [EOS_ID] },
    signal: c.signal,
  });
  const score = scoreGeneration(s, r.tokens, c.firstIndex(s));
  return { task: s.task, length: s.length, index: s.index, strategy, hosts, selection: r.selection ?? null, ...score, prefillMs: r.timings.prefillMs, tokens: r.tokens };
}

/**
 * Runs every task × length × sample × strategy with a progress bar on stderr.
 * @throws UsageError when the model folder has no tokenizer.json
 */
export async function runEval(model: string, o: EvalOptions, io: CliIo): Promise<EvalRecord[]> {
  const engines = await openEngines(model, o);
  const bar = new ProgressBar(io.stderr, { total: o.lengths.length * o.tasks.length * o.samples * o.strategies.length, label: "eval" });
  try {
    const tokenizer = [...engines.values()][0]!.tokenizer;
    if (tokenizer === undefined) throw new UsageError(`--model ${model} has no tokenizer.json; apb eval builds its samples from text`, "eval");
    const ws = whitespaceTokenIds(tokenizer);
    const c: Ctx = { engines, o, signal: io.signal, firstIndex: (s) => firstAnswerIndex(s, ws) };
    const out: EvalRecord[] = [];
    for (const length of o.lengths) {
      for (const task of o.tasks) {
        for (let k = 0; k < o.samples; k++) {
          const index = o.firstSample + k;
          const sample = generateSample({ task, length, index, split: "eval", tokenizer });
          for (const strategy of o.strategies) {
            bar.step(`${task} @ ${length}, sample ${k + 1}/${o.samples} (index ${index}), ${strategy}`);
            out.push(await runOne(c, sample, strategy));
            bar.tick();
          }
        }
      }
    }
    return out;
  } finally {
    bar.finish();
    await Promise.all([...engines.values()].map((e) => e.close()));
  }
}
