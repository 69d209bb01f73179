// The options of `apb submit`: one zod schema, from which parsing, validation and help are derived.

import { z } from "zod";
import { choiceArg, flagArg, help, intArg, numberArg, textArg } from "../args/index.js";
import { SAMPLING_DEFAULTS, STRATEGIES, redisOption } from "./shared-options.js";

const S = SAMPLING_DEFAULTS;

/** Recipes `apb submit --task` runs over a corpus. */
export const SUBMIT_TASKS = ["facts"] as const;
/** Tokens per answer of --task facts (a few triple lines). */
export const FACTS_MAX_TOKENS = 96;

export const submitOptions = z
  .object({
    redis: redisOption(),
    prefix: textArg().default("apb").meta(help("the workers' key prefix", "P")),
    group: textArg().optional().meta(help("the worker group to run a --context-file job on (corpus documents go to any group)", "G")),
    contextFile: textArg().optional().meta(help("a text file: the context of one generate job", "FILE")),
    corpus: textArg().optional().meta(help("a folder of text files: one document per file, any group takes each", "DIR")),
    question: textArg().optional().meta(help("the question about the context (or each document)", "TEXT")),
    task: choiceArg(SUBMIT_TASKS)
      .optional()
      .meta(help("with --corpus, instead of --question: facts asks the shipped model about every candidate entity of each document (over one prefill per document) and lists the (subject; relation; object) triples it answers")),
    strategy: choiceArg(STRATEGIES).optional().meta(help("how the context is split across the group's hosts (default: apb on several hosts)")),
    maxTokens: intArg({ min: 1, max: 1_000_000 })
      .optional()
      .meta(help(`tokens to generate at most per answer (default ${S.maxTokens}; ${FACTS_MAX_TOKENS} with --task facts)`, "N")),
    temperature: numberArg({ min: 0, max: 100 }).default(S.temperature).meta(help("sampling temperature; 0 = greedy", "T")),
    seed: intArg({ min: 0, max: 0xffffffff }).default(S.seed).meta(help("sampling seed", "S")),
    follow: flagArg().meta(help("wait for the result, with a progress bar on stderr")),
    json: flagArg().meta(help("print one JSON object (the job ids, or with --follow the result)")),
  })
  .superRefine((o, ctx) => {
    const inputs = [o.contextFile, o.corpus].filter((x) => x !== undefined).length;
    if (inputs !== 1) ctx.addIssue({ code: "custom", path: ["contextFile"], message: "give exactly one of --context-file FILE (with --group G) or --corpus DIR" });
    else if (o.contextFile !== undefined && o.group === undefined) ctx.addIssue({ code: "custom", path: ["group"], message: "--context-file runs on one group: give --group G" });
    if (o.corpus !== undefined && (o.question === undefined) === (o.task === undefined)) {
      ctx.addIssue({ code: "custom", path: ["question"], message: "--corpus needs exactly one of --question TEXT (asked of every document) or --task facts" });
    }
    if (o.contextFile !== undefined && o.task !== undefined) ctx.addIssue({ code: "custom", path: ["task"], message: "--task runs over a --corpus DIR; for --context-file give --question TEXT" });
  });

export type SubmitOptions = z.output<typeof submitOptions>;
