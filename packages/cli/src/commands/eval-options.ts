// The options of `apb eval`: one zod schema, from which parsing, validation and help are derived.

import { TASKS } from "@apb/model-tiny";
import { z } from "zod";
import { choiceArg, choiceListArg, flagArg, help, intArg, intListArg, textArg } from "../args/index.js";
import { SELECTIONS, STRATEGIES, backendOption, threadsOption } from "./shared-options.js";

export const evalOptions = z.object({
  model: textArg().optional().meta(help("checkpoint folder with tokenizer.json (default: the shipped @apb/model-tiny)", "DIR")),
  tasks: choiceListArg(TASKS).default([...TASKS]).meta(help("tasks, comma-separated", "LIST")),
  lengths: intListArg({ min: 64, max: 1_000_000 }).default([4096, 8192, 16384, 32768]).meta(help("sample lengths in tokens, comma-separated", "N,N")),
  hosts: intArg({ min: 1, max: 256 }).default(4).meta(help("hosts of every strategy but full (which runs on 1)", "N")),
  strategies: choiceListArg(STRATEGIES).default(["full", "star", "apb"]).meta(help("strategies, comma-separated (full,ring,star,apb)", "LIST")),
  selection: choiceArg(SELECTIONS).optional().meta(help("apb only: how passed rows are picked (default: retaining-heads when the model has them, else query)")),
  samples: intArg({ min: 1, max: 100_000 }).default(10).meta(help("eval samples per task and length (indices F..F+N-1 of the eval split)", "N")),
  firstSample: intArg({ min: 0, max: 10_000_000 }).default(0).meta(help("index F of the first eval sample (to split one table over several runs)", "F")),
  backend: backendOption("onnx"),
  threads: threadsOption(),
  json: flagArg().meta(help("print the rows as JSON instead of a table")),
});

export type EvalOptions = z.output<typeof evalOptions>;
