// `apb demo`: the shipped model (@apb/model-tiny) answers a question over a ~16K-token document with APB on 4 hosts
// and with full attention on 1, and ring / exact APB are checked against full attention; `--random`: random weights.

import { availableParallelism } from "node:os";
import { ApbEngine } from "@apb/core";
import { engineInputs, firstAnswerIndex, modelTinyPath, scoreGeneration, whitespaceTokenIds } from "@apb/model-tiny";
import { z } from "zod";
import { defineCommand, flagArg, help, intArg } from "../args/index.js";
import { EXIT, ProgressBar } from "../output/index.js";
import type { CliIo } from "../output/index.js";
import { EXACT_SAMPLE_TOKENS, MODEL_DEFAULT_TOKENS, demoSample, runAnswer, runModelExactness } from "./demo-model.js";
import type { ModelDemoCtx } from "./demo-model.js";
import { formatModelDemo, modelHeader } from "./demo-model-report.js";
import type { DemoModelInfo, ModelDemoResult } from "./demo-model-report.js";
import { RANDOM_DEFAULT_TOKENS, runRandomDemo } from "./demo-random.js";
import { checkModelDir } from "./prompt-input.js";
import { backendOption } from "./shared-options.js";

const demoOptions = z.object({
  backend: backendOption("onnx"),
  tokens: intArg({ min: 256, max: 1_000_000 })
    .optional()
    .meta(help(`length of the long document in tokens (default ${MODEL_DEFAULT_TOKENS}; with --random, ${RANDOM_DEFAULT_TOKENS})`, "N")),
  hosts: intArg({ min: 2, max: 64 }).default(4).meta(help("hosts of APB and ring", "N")),
  seed: intArg({ min: 0, max: 0xffffffff }).default(0).meta(help("which eval sample (index of the eval split); with --random, the seed of the weights and ids", "S")),
  random: flagArg().meta(help("use a seeded random model instead of the shipped one (exactness and speed only; answers are meaningless)")),
  json: flagArg().meta(help("print one JSON object instead of text")),
});
type DemoOptions = z.output<typeof demoOptions>;

function modelInfo(engine: ApbEngine, path: string): DemoModelInfo {
  const c = engine.config;
  return { name: "@apb/model-tiny", path, layers: c.numLayers, hidden: c.hiddenSize, heads: c.numHeads, kvHeads: c.numKvHeads, vocab: c.vocabSize, retainingHeads: engine.hasRetainingHeads };
}

async function runModelDemo(o: DemoOptions, io: CliIo): Promise<number> {
  const path = modelTinyPath();
  await checkModelDir(path, "demo");
  const cores = availableParallelism();
  const tokens = o.tokens ?? MODEL_DEFAULT_TOKENS;
  const bar = new ProgressBar(io.stderr, { total: 7, label: "demo" });
  bar.step(`loading ${path} on 1 host and on ${o.hosts} hosts (${o.backend})`);
  const [single, group] = await Promise.all([ApbEngine.open({ model: path, hosts: 1, backend: o.backend }), ApbEngine.open({ model: path, hosts: o.hosts, backend: o.backend })]);
  bar.tick();
  try {
    const model = modelInfo(group, path);
    if (!o.json) io.stdout.write(`${modelHeader(model, o.backend, cores)}\n`);
    bar.step(`building the documents: niah_single eval sample ${o.seed} at ${tokens} and ${EXACT_SAMPLE_TOKENS} tokens`);
    const long = demoSample(group, tokens, o.seed);
    const short = demoSample(group, EXACT_SAMPLE_TOKENS, o.seed);
    // Plan the long runs now, so that a document too long for the model fails before anything runs.
    single.plan({ ...engineInputs(long), strategy: "full" });
    group.plan({ ...engineInputs(long), strategy: "apb" });
    const ws = whitespaceTokenIds(group.tokenizer!);
    bar.tick();
    const c: ModelDemoCtx = { single, group, bar, signal: io.signal, score: (s, t) => scoreGeneration(s, t, firstAnswerIndex(s, ws)) };
    // The short exactness runs go first: they also warm both engines up before the timed long-document runs.
    const exactness = await runModelExactness(c, short);
    const answer = await runAnswer(c, long);
    bar.finish();
    const result: ModelDemoResult = { mode: "model", model, backend: o.backend, cores, answer, exactness, ok: exactness.ok };
    io.stdout.write(o.json ? JSON.stringify(result) + "\n" : formatModelDemo(result));
    return result.ok ? EXIT.ok : EXIT.failure;
  } finally {
    bar.finish();
    await Promise.all([single.close(), group.close()]);
  }
}

function runDemo(o: DemoOptions, io: CliIo): Promise<number> {
  if (o.random) return runRandomDemo({ backend: o.backend, tokens: o.tokens ?? RANDOM_DEFAULT_TOKENS, hosts: o.hosts, seed: o.seed, json: o.json }, io);
  return runModelDemo(o, io);
}

export const demoCommand = defineCommand({
  name: "demo",
  summary: "the shipped model answers a question over a 16K-token document: APB on 4 hosts vs full attention, plus exactness checks",
  usage: "[--tokens N] [--hosts N] [--seed S] [--backend onnx|reference] [--random] [--json]",
  schema: demoOptions,
  notes: [
    `Part 1 builds a niah_single document of the eval split (@apb/model-tiny's generator; --seed picks the sample) and asks its ` +
      `question with full attention on 1 host and with APB (default anchor and passing, retaining heads, question in the anchor) ` +
      `on --hosts hosts; it prints each greedy answer, the expected answer, exact match, the timings and APB's prefill speed-up.`,
    `Part 2 checks on a ${EXACT_SAMPLE_TOKENS}-token sample that ring and APB with anchor 0 and passing = block (both exact) give ` +
      `full attention's greedy tokens. Exits 1 when they differ; a wrong answer in part 1 is reported but exits 0.`,
    "--random runs the older demo on a seeded random checkpoint: exactness on random ids and APB's prefill speed-up only.",
  ],
  run: runDemo,
});
