// The options `run` and `bench` share (defined once, STYLE.md G14): model, hosts and strategy, how questions meet
// the context, verification, the prompt template, and the distributed mode (Redis: corpus flows on worker groups).

import type { Selection, Strategy } from "@apb/core";
import { choiceArg, flagArg, help, intArg, textArg } from "@apb/cli/toolkit";
import type { z } from "zod";
import { ASK_MODES } from "../answer/index.js";
import { VERIFY_LEVELS } from "../extract/index.js";

export const STRATEGIES = ["full", "ring", "star", "apb"] as const satisfies readonly Strategy[];
export const SELECTIONS = ["retaining-heads", "query", "random"] as const satisfies readonly Selection[];

export const engineShape = {
  model: textArg().optional().meta(help("checkpoint folder (default: the shipped @apb/model-tiny); with --redis only its tokenizer is read", "DIR")),
  hosts: intArg({ min: 1, max: 64 }).optional().meta(help("local hosts (worker threads) each document is split across (default 1)", "N")),
  strategy: choiceArg(STRATEGIES).optional().meta(help("full (1 host), ring (exact), star or apb (default: full on 1 host, else apb)", "full|ring|star|apb")),
  selection: choiceArg(SELECTIONS).optional().meta(help("apb only: how passing rows are picked (default: retaining heads when the model has them)", "retaining-heads|query|random")),
  anchor: intArg({ min: 0 }).optional().meta(help("apb only: anchor tokens per host", "N")),
  passing: intArg({ min: 0 }).optional().meta(help("apb only: KV rows each host passes on", "N")),
  ask: choiceArg(ASK_MODES).default("auto").meta(help("session: prefill each document once, ask every entity; generate: one request per entity, question in APB's anchor (more accurate under apb/star, re-prefills); auto: session for full/ring, generate for apb/star, session with --redis", "auto|session|generate")),
  verify: choiceArg(VERIFY_LEVELS).default("sentence").meta(help("keep a triple when: none (always), subject (it is about the asked entity), object (+ its object is in the text), sentence (+ subject and object share a sentence)", "none|subject|object|sentence")),
  maxEntities: intArg({ min: 1, max: 10_000 }).default(64).meta(help("entities asked about per document at most", "N")),
  promptTemplate: textArg().optional().meta(help("prompt template: a .json file (context, question, bos, maxTokens, stopStrings) or a text file with the {entity} question", "FILE")),
  backend: choiceArg(["onnx", "reference"]).default("onnx").meta(help("local backend", "onnx|reference")),
  threads: intArg({ min: 1, max: 256 }).optional().meta(help("threads per local host", "N")),
  redis: textArg().optional().meta(help("run on the worker groups serving this Redis (redis://host:port) instead of locally: documents go out as corpus flows and any group takes any document", "URL")),
  prefix: textArg().default("apb").meta(help("with --redis: the workers' key prefix", "PREFIX")),
  batch: intArg({ min: 1, max: 10_000 }).optional().meta(help("with --redis: documents per corpus flow, two flows in flight; each document is saved as its result arrives (default 16)", "N")),
  json: flagArg().meta(help("print one JSON object on stdout instead of text")),
};

/** Cross-field rules of the engine options (for the schemas' superRefine). */
export function checkEngineOptions(o: { redis?: string; batch?: number; hosts?: number; threads?: number }, ctx: z.RefinementCtx): void {
  if (o.redis !== undefined && (o.hosts !== undefined || o.threads !== undefined)) ctx.addIssue({ code: "custom", path: ["hosts"], message: "--hosts and --threads are for local runs; with --redis the worker groups decide their size" });
  if (o.redis === undefined && o.batch !== undefined) ctx.addIssue({ code: "custom", path: ["batch"], message: "--batch sizes the corpus flows of a --redis run; give --redis URL too, or leave --batch out" });
}

export type EngineOptions = z.output<z.ZodObject<typeof engineShape>>;
