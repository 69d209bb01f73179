// `apb demo --random`: on a seeded RANDOM checkpoint, shows that full / ring / exact APB give identical greedy tokens
// and how much faster APB prefills a long context than full attention (no trained model involved).

import { availableParallelism } from "node:os";
import { ApbEngine } from "@apb/core";
import type { RandomCheckpointOptions } from "@apb/core";
import { EXIT, ProgressBar, formatTable } from "../output/index.js";
import type { CliIo, Column } from "../output/index.js";
import { EXACT_NEW_TOKENS, EXACT_PROMPT_TOKENS, QUESTION_TOKENS, SPEED_RUNS, runExactness, runSpeed } from "./demo-runs.js";
import type { DemoEngines, ExactRow, SpeedResult } from "./demo-runs.js";
import { withTempCheckpoint } from "./temp-checkpoint.js";
import type { BACKENDS } from "./shared-options.js";

/** What the random demo needs from the command line. */
export interface RandomDemoOptions {
  readonly backend: (typeof BACKENDS)[number];
  readonly tokens: number;
  readonly hosts: number;
  readonly seed: number;
  readonly json: boolean;
}

/** Context length of the random demo's speed part unless --tokens says otherwise. */
export const RANDOM_DEFAULT_TOKENS = 8192;

/** The random model: small enough that full attention over 8192 tokens stays within a minute on 2 cores. */
const DEMO_MODEL = { numLayers: 8, hiddenSize: 512, numHeads: 8, numKvHeads: 2, intermediateSize: 1024, vocabSize: 256 } as const;

export const RANDOM_NOTE =
  "The model's weights are RANDOM, so its answers are meaningless: this demo shows that the distributed strategies are " +
  "exact where they should be, and how much faster APB prefills a long context than full attention. " +
  "Run `apb demo` without --random to see the shipped model answer a question.";

function modelLine(o: RandomDemoOptions): string {
  const m = DEMO_MODEL;
  return `Model: random Llama, ${m.numLayers} layers, hidden ${m.hiddenSize}, ${m.numHeads}/${m.numKvHeads} heads, vocab ${m.vocabSize}, with retaining heads · backend ${o.backend} · ${availableParallelism()} cores`;
}

const EXACT_COLUMNS: readonly Column<ExactRow & { check: string }>[] = [
  { header: "strategy", value: (r) => r.label },
  { header: "hosts", value: (r) => r.hosts },
  { header: "anchor", value: (r) => r.anchor },
  { header: "passing", value: (r) => r.passing },
  { header: "check", value: (r) => r.check, align: "left" },
  { header: "token ids", value: (r) => r.tokens.join(" "), align: "left" },
];

function printText(exact: readonly ExactRow[], speed: SpeedResult, io: CliIo): void {
  const w = (s: string): unknown => io.stdout.write(`${s}\n`);
  w("");
  w(`1. Exactness: ${EXACT_PROMPT_TOKENS}-token prompt + ${QUESTION_TOKENS}-token question, ${EXACT_NEW_TOKENS} greedy tokens`);
  const rows = exact.map((r, i) => ({ ...r, check: i === 0 ? "reference" : r.match ? "OK" : "MISMATCH" }));
  w(formatTable(EXACT_COLUMNS, rows).trimEnd().replace(/^/gm, "   "));
  w("");
  w(`2. Speed: prefill of ${speed.tokens} context tokens (+ ${QUESTION_TOKENS}-token question), fastest of ${SPEED_RUNS} runs`);
  const a = speed.apb;
  w(`   full attention, 1 host:  ${speed.full.prefillMs.toFixed(0)} ms`);
  w(`   APB, ${a.hosts} hosts (anchor ${a.anchor}, passing ${a.passing}, ${a.selection ?? "no"} selection):  ${a.prefillMs.toFixed(0)} ms`);
  w(`   speed-up: ${speed.speedup.toFixed(2)}x`);
  w("");
  w(exact.every((r) => r.match) ? "OK: ring and exact APB matched full attention token for token." : "MISMATCH: an exact strategy differs from full attention.");
}

/** Runs the random-weights demo; exit 1 when an exact strategy differs from full attention. */
export async function runRandomDemo(o: RandomDemoOptions, io: CliIo): Promise<number> {
  if (o.json) io.stderr.write(`apb demo: ${RANDOM_NOTE}\n`);
  else io.stdout.write(`${RANDOM_NOTE}\n${modelLine(o)}\n`);
  const bar = new ProgressBar(io.stderr, { total: 5 + 2 * SPEED_RUNS, label: "demo" });
  const ckOptions: RandomCheckpointOptions = { ...DEMO_MODEL, seed: o.seed, maxPositions: Math.max(o.tokens, EXACT_PROMPT_TOKENS) + 64, retainingHeads: {}, tokenizer: true };
  bar.step("writing the random checkpoint");
  return withTempCheckpoint(ckOptions, async (ck) => {
    bar.tick();
    bar.step(`loading the model on 1 host and on ${o.hosts} hosts (${o.backend})`);
    const [single, group] = await Promise.all([ApbEngine.open({ model: ck.dir, hosts: 1, backend: o.backend }), ApbEngine.open({ model: ck.dir, hosts: o.hosts, backend: o.backend })]);
    bar.tick();
    try {
      const engines: DemoEngines = { single, group, bar, signal: io.signal };
      const exact = await runExactness(engines, o.seed);
      const speed = await runSpeed(engines, o.tokens, o.seed);
      bar.finish();
      const ok = exact.every((r) => r.match);
      if (o.json) io.stdout.write(JSON.stringify({ mode: "random", note: RANDOM_NOTE, model: { ...DEMO_MODEL, retainingHeads: true }, backend: o.backend, exactness: exact, speed, ok }) + "\n");
      else printText(exact, speed, io);
      return ok ? EXIT.ok : EXIT.failure;
    } finally {
      bar.finish();
      await Promise.all([single.close(), group.close()]);
    }
  });
}
