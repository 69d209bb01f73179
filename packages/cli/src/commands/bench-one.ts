// `apb bench-one` (hidden): one benchmark configuration in this process, printed as one JSON line, so that
// `apb bench` gets a per-configuration peak RSS from a fresh process.

import { ApbEngine, Prng } from "@apb/core";
import type { GenerateRequest } from "@apb/core";
import { z } from "zod";
import { choiceArg, defineCommand, help, intArg, textArg } from "../args/index.js";
import type { CliIo } from "../output/index.js";
import type { BenchLine } from "./bench-line.js";
import { profileOf } from "./op-profile.js";
import { checkModelDir } from "./prompt-input.js";
import { STRATEGIES, backendOption, threadsOption } from "./shared-options.js";
import { randomIds } from "./temp-checkpoint.js";

const benchOneOptions = z.object({
  model: textArg().meta(help("checkpoint folder", "DIR")),
  backend: backendOption("onnx"),
  length: intArg({ min: 2 }).meta(help("context tokens (random ids)", "N")),
  strategy: choiceArg(STRATEGIES).meta(help("strategy")),
  hosts: intArg({ min: 1, max: 256 }).default(1).meta(help("hosts", "N")),
  questionTokens: intArg({ min: 1 }).default(16).meta(help("question tokens (random ids, in APB's anchor)", "N")),
  seed: intArg({ min: 0, max: 0xffffffff }).default(1).meta(help("seed of the random ids", "S")),
  threads: threadsOption(),
});

async function runBenchOne(o: z.output<typeof benchOneOptions>, io: CliIo): Promise<number> {
  await checkModelDir(o.model, "bench-one");
  const engine = await ApbEngine.open({ model: o.model, hosts: o.hosts, backend: o.backend, threadsPerHost: o.threads });
  try {
    const rng = new Prng(o.seed);
    const req: GenerateRequest = {
      ids: randomIds(o.length, engine.config.vocabSize, rng),
      questionIds: randomIds(o.questionTokens, engine.config.vocabSize, rng),
      strategy: o.strategy,
      sampling: { maxTokens: 1 },
      signal: io.signal,
      profile: true,
    };
    const r = await engine.generate(req);
    const line: BenchLine = {
      strategy: r.strategy,
      hosts: r.hosts,
      tokens: o.length,
      anchor: r.anchor,
      passing: r.passing,
      selection: r.selection ?? null,
      promptTokens: r.promptTokens,
      ...r.timings,
      peakRssKiB: process.resourceUsage().maxRSS,
      profile: profileOf(r) ?? null,
    };
    io.stdout.write(JSON.stringify(line) + "\n");
    return 0;
  } finally {
    await engine.close();
  }
}

export const benchOneCommand = defineCommand({
  name: "bench-one",
  summary: "one benchmark configuration as a JSON line (used by apb bench)",
  usage: "--model DIR --length N --strategy S [--hosts N] [--backend B]",
  schema: benchOneOptions,
  hidden: true,
  run: runBenchOne,
});
