// The options of `apb submit`: one zod schema, from which parsing, validation and help are derived.

import { z } from "zod";
import { choiceArg, flagArg, help, intArg, numberArg, textArg } from "../args/index.js";
import { SAMPLING_DEFAULTS, STRATEGIES } from "./shared-options.js";

const S = SAMPLING_DEFAULTS;

export const submitOptions = z
  .object({
    redis: textArg().meta(help("Redis URL: redis://[user:password@]host[:port][/db], or rediss:// for TLS", "URL")),
    prefix: textArg().default("apb").meta(help("the workers' key prefix", "P")),
    group: textArg().optional().meta(help("the worker group to run a --context-file job on (corpus documents go to any group)", "G")),
    contextFile: textArg().optional().meta(help("a text file: the context of one generate job", "FILE")),
    corpus: textArg().optional().meta(help("a folder of text files: one document per file, any group takes each", "DIR")),
    question: textArg().optional().meta(help("the question about the context (or each document)", "TEXT")),
    strategy: choiceArg(STRATEGIES).optional().meta(help("how the context is split across the group's hosts (default: apb on several hosts)")),
    maxTokens: intArg({ min: 1, max: 1_000_000 }).default(S.maxTokens).meta(help("tokens to generate at most", "N")),
    temperature: numberArg({ min: 0, max: 100 }).default(S.temperature).meta(help("sampling temperature; 0 = greedy", "T")),
    seed: intArg({ min: 0, max: 0xffffffff }).default(S.seed).meta(help("sampling seed", "S")),
    follow: flagArg().meta(help("wait for the result, with a progress bar on stderr")),
    json: flagArg().meta(help("print one JSON object (the job ids, or with --follow the result)")),
  })
  .superRefine((o, ctx) => {
    const inputs = [o.contextFile, o.corpus].filter((x) => x !== undefined).length;
    if (inputs !== 1) ctx.addIssue({ code: "custom", path: ["contextFile"], message: "give exactly one of --context-file FILE (with --group G) or --corpus DIR" });
    else if (o.contextFile !== undefined && o.group === undefined) ctx.addIssue({ code: "custom", path: ["group"], message: "--context-file runs on one group: give --group G" });
    if (o.corpus !== undefined && o.question === undefined) ctx.addIssue({ code: "custom", path: ["question"], message: "--corpus needs --question TEXT (asked of every document)" });
  });

export type SubmitOptions = z.output<typeof submitOptions>;
