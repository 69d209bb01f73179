// The options of `apb generate`: one zod schema, from which parsing, validation and help are derived.

import { z } from "zod";
import { choiceArg, flagArg, help, intArg, numberArg, repeatArg, textArg } from "../args/index.js";
import { SAMPLING_DEFAULTS, SELECTIONS, STRATEGIES, backendOption, threadsOption } from "./shared-options.js";

const S = SAMPLING_DEFAULTS;

export const generateOptions = z
  .object({
    model: textArg().meta(help("checkpoint folder (config.json, *.safetensors, optional tokenizer.json, retaining_heads.safetensors)", "DIR")),
    prompt: textArg().optional().meta(help("the prompt text; with --question it is the context", "TEXT")),
    promptFile: textArg().optional().meta(help("read the prompt text from a file", "FILE")),
    idsFile: textArg().optional().meta(help("read the prompt as whitespace-separated token ids (no tokenizer needed); prints token ids", "FILE")),
    question: textArg().optional().meta(help("a question about the prompt: the prompt is the context, the question the query", "TEXT")),
    strategy: choiceArg(STRATEGIES).optional().meta(help("how the context is split: full (1 host), ring (exact), star, apb (default: full for 1 host, else apb)")),
    hosts: intArg({ min: 1, max: 256 }).default(1).meta(help("hosts (worker threads) the context is split across", "N")),
    anchor: intArg({ min: 0 }).optional().meta(help("apb only: anchor tokens per host (default: a quarter block, grown to hold the question)", "N")),
    passing: intArg({ min: 0 }).optional().meta(help("apb only: KV rows each host passes on (default: an eighth block)", "N")),
    selection: choiceArg(SELECTIONS).optional().meta(help("apb only: how passed rows are picked (default: retaining-heads when the model has them, else query)")),
    backend: backendOption("onnx"),
    threads: threadsOption(),
    maxTokens: intArg({ min: 1, max: 1_000_000 }).default(S.maxTokens).meta(help("tokens to generate at most", "N")),
    temperature: numberArg({ min: 0, max: 100 }).default(S.temperature).meta(help("sampling temperature; 0 = greedy", "T")),
    topP: numberArg({ gt: 0, max: 1 }).default(S.topP).meta(help("nucleus sampling mass in (0, 1]", "P")),
    topK: intArg({ min: 0 }).default(S.topK).meta(help("sample among the K most likely tokens; 0 = all", "K")),
    seed: intArg({ min: 0, max: 0xffffffff }).default(S.seed).meta(help("sampling seed", "S")),
    stop: repeatArg().meta(help("stop when the text contains STR (cut before it)", "STR")),
    json: flagArg().meta(help("print one JSON object instead of streaming tokens")),
  })
  .superRefine((o, ctx) => {
    const inputs = [o.prompt, o.promptFile, o.idsFile].filter((x) => x !== undefined).length;
    if (inputs !== 1) {
      const what = inputs === 0 ? "no prompt was given" : "more than one prompt was given";
      ctx.addIssue({ code: "custom", path: ["prompt"], message: `${what}: give exactly one of --prompt TEXT, --prompt-file FILE or --ids-file FILE` });
    }
  });

export type GenerateOptions = z.output<typeof generateOptions>;
