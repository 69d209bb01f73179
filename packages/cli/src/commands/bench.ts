// `apb bench`: prefill / query time, speed-up over full attention, attention share and peak RSS for each
// length × strategy, every configuration in a fresh child process.

import { writeFile } from "node:fs/promises";
import { availableParallelism, cpus, platform } from "node:os";
import { loadModelConfig } from "@apb/core";
import type { ModelConfig } from "@apb/core";
import { defineCommand } from "../args/index.js";
import { ProgressBar } from "../output/index.js";
import type { CliIo } from "../output/index.js";
import { runBenchChild } from "./bench-child.js";
import type { BenchLine } from "./bench-line.js";
import { benchOptions } from "./bench-options.js";
import type { BenchOptions } from "./bench-options.js";
import { aggregateRuns, formatBenchTable, withSpeedups } from "./bench-report.js";
import type { BenchRow } from "./bench-report.js";
import { checkModelDir } from "./prompt-input.js";
import { withTempCheckpoint } from "./temp-checkpoint.js";

interface Config {
  readonly length: number;
  readonly strategy: BenchLine["strategy"];
  readonly hosts: number;
}

function childArgs(model: string, o: BenchOptions, c: Config): string[] {
  const args = ["--model", model, "--backend", o.backend, "--length", String(c.length), "--strategy", c.strategy, "--hosts", String(c.hosts), "--seed", String(o.seed)];
  return o.threads === undefined ? args : [...args, "--threads", String(o.threads)];
}

async function measure(model: string, o: BenchOptions, io: CliIo): Promise<BenchRow[]> {
  const configs: Config[] = o.lengths.flatMap((length) => o.strategies.map((strategy) => ({ length, strategy, hosts: strategy === "full" ? 1 : o.hosts })));
  const bar = new ProgressBar(io.stderr, { total: configs.length * o.repeat, label: "bench" });
  const rows = [];
  try {
    for (const c of configs) {
      const runs: BenchLine[] = [];
      for (let i = 0; i < o.repeat; i++) {
        bar.step(`${c.strategy} on ${c.hosts} host(s), ${c.length} tokens${o.repeat > 1 ? `, run ${i + 1}/${o.repeat}` : ""}`);
        runs.push(await runBenchChild(childArgs(model, o, c), io.signal));
        bar.tick();
      }
      rows.push(aggregateRuns(runs));
    }
  } finally {
    bar.finish();
  }
  return withSpeedups(rows);
}

function modelSummary(c: ModelConfig, source: string): Record<string, unknown> {
  return { source, layers: c.numLayers, hidden: c.hiddenSize, heads: c.numHeads, kvHeads: c.numKvHeads, headDim: c.headDim, intermediate: c.intermediateSize, vocab: c.vocabSize, maxPositions: c.maxPositions };
}

async function report(rows: readonly BenchRow[], model: Record<string, unknown>, o: BenchOptions, io: CliIo): Promise<void> {
  if (o.json) io.stdout.write(JSON.stringify(rows, null, 2) + "\n");
  else {
    const m = model;
    io.stdout.write(`backend ${o.backend} · model ${m.source}: ${m.layers} layers, hidden ${m.hidden}, ${m.heads}/${m.kvHeads} heads, vocab ${m.vocab} · ${availableParallelism()} cores\n`);
    io.stdout.write(formatBenchTable(rows));
  }
  if (o.out !== undefined) {
    const machine = { cpus: availableParallelism(), cpuModel: cpus()[0]?.model ?? "unknown", platform: platform(), node: process.version };
    const doc = { date: new Date().toISOString(), command: `apb ${process.argv.slice(2).join(" ")}`, machine, backend: o.backend, model, rows };
    await writeFile(o.out, JSON.stringify(doc, null, 2) + "\n");
    io.stderr.write(`wrote ${o.out}\n`);
  }
}

async function runBench(o: BenchOptions, io: CliIo): Promise<number> {
  const longest = Math.max(...o.lengths);
  const bench = async (dir: string, source: string): Promise<number> => {
    const config = await loadModelConfig(dir);
    const rows = await measure(dir, o, io);
    await report(rows, modelSummary(config, source), o, io);
    return 0;
  };
  if (o.model !== undefined) {
    await checkModelDir(o.model, "bench");
    return bench(o.model, o.model);
  }
  io.stderr.write(`bench: writing a random checkpoint (${o.layers} layers, hidden ${o.hidden}, seed ${o.seed}) to a temp folder\n`);
  const shape = { numLayers: o.layers, hiddenSize: o.hidden, numHeads: o.heads, numKvHeads: o.kvHeads, intermediateSize: o.intermediate, vocabSize: o.vocab };
  const options = { ...shape, seed: o.seed, maxPositions: longest + 64, retainingHeads: {}, tokenizer: false };
  return withTempCheckpoint(options, (ck) => bench(ck.dir, "random"));
}

export const benchCommand = defineCommand({
  name: "bench",
  summary: "measure prefill time, speed-up, attention share and peak memory per strategy and length",
  usage: "[--lengths N,N] [--strategies full,apb] [--hosts N] [--backend B] [--model DIR | shape flags] [options]",
  schema: benchOptions,
  notes: [
    "Each length × strategy runs in a fresh process (peak RSS is per configuration) on seeded random prompt ids with a " +
      "16-token question, generating 1 token. Without --model a seeded random Llama checkpoint (with retaining heads) is " +
      "written to a temp folder and removed afterwards. Nothing is written unless --out is given.",
  ],
  run: runBench,
});
