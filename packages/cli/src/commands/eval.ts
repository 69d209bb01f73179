// `apb eval`: accuracy of a model on the synthetic long-context tasks (data format v3 of @apb/model-tiny) per
// task × length × strategy, with mean prefill time; the shipped tiny model by default.

import { availableParallelism } from "node:os";
import { modelTinyPath } from "@apb/model-tiny";
import { defineCommand } from "../args/index.js";
import type { CliIo } from "../output/index.js";
import { evalOptions } from "./eval-options.js";
import type { EvalOptions } from "./eval-options.js";
import { aggregateEval, formatEvalTable } from "./eval-report.js";
import { EXTRA_TOKENS, runEval } from "./eval-runs.js";
import { checkModelDir } from "./prompt-input.js";

async function runEvalCommand(o: EvalOptions, io: CliIo): Promise<number> {
  const model = o.model ?? modelTinyPath();
  await checkModelDir(model, "eval");
  const started = performance.now();
  const records = await runEval(model, o, io);
  const rows = aggregateEval(records);
  const secs = ((performance.now() - started) / 1000).toFixed(0);
  if (o.json) {
    io.stdout.write(JSON.stringify(rows, null, 2) + "\n");
    return 0;
  }
  const apb = rows.find((r) => r.strategy === "apb");
  const sel = apb === undefined ? "" : ` · apb selection ${apb.selection ?? "none"}`;
  io.stdout.write(`model ${model} · backend ${o.backend} · ${o.samples} sample(s) per cell · ${availableParallelism()} cores${sel} · ${secs} s\n`);
  io.stdout.write("cells: greedy exact match (first-answer-token accuracy); mean: exact match averaged over tasks; prefill ms: mean per sample\n\n");
  io.stdout.write(formatEvalTable(rows));
  return 0;
}

export const evalCommand = defineCommand({
  name: "eval",
  summary: "accuracy on the synthetic long-context tasks (NIAH, kv, vt, facts) per length and strategy",
  usage: "[--model DIR] [--tasks LIST] [--lengths N,N] [--hosts N] [--strategies full,star,apb] [--samples N] [options]",
  schema: evalOptions,
  notes: [
    "Samples are the eval split of @apb/model-tiny's generator (data format v3, identical to tools/train/datagen.py). Each is " +
      "prefilled as [<s>] + context with the query segment as the question (inserted into APB's anchor at qsp 1), then decoded " +
      `greedily until </s> or the answer's length + ${EXTRA_TOKENS} tokens. full runs on 1 host, the others on --hosts.`,
    "A cell is exact when the tokens equal the answer and </s>; first counts answers right up to and including the first " +
      "token that must be retrieved from the context (train.py's first-answer-token metric).",
  ],
  run: runEvalCommand,
});
