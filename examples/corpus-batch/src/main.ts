#!/usr/bin/env node
// Corpus batch: generates a small needle-in-a-haystack corpus, submits it as one corpus job to the APB worker groups
// behind Redis, follows its progress, and prints each document's answer (checked against the generator) and the aggregate.

import { realpathSync } from "node:fs";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { InputError, ModelError, loadTokenizer } from "@apb/core";
import { ApbClient } from "@apb/jobs";
import type { CorpusAggregate, JobProgress } from "@apb/jobs";
import { modelTinyPath } from "@apb/model-tiny";
import { z } from "zod";
import { generateCorpus, isRightAnswer } from "./corpus.js";

/** Every option, its default and validation (the flags are the kebab-case keys). */
const optionsSchema = z.strictObject({
  redis: z.string().regex(/^rediss?:\/\//, "give --redis redis://[user:password@]host[:port] (or set REDIS_URL)"),
  prefix: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/).default("apb"),
  documents: z.coerce.number().int().min(1).max(1000).default(6),
  length: z.coerce.number().int().min(128).max(32_768).default(1024),
  strategy: z.enum(["full", "ring", "star", "apb"]).optional(),
  /** The tokenizer's folder: the same model as the workers' --model. */
  model: z.string().min(1).optional(),
});

export type CorpusBatchOptions = z.output<typeof optionsSchema>;

/** Where main writes, and what it reads from its process (tests pass their own). */
export interface MainIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly signal?: AbortSignal;
}

/** One document's outcome. */
export interface DocumentReport {
  readonly docId: string;
  readonly question: string;
  readonly expected: string;
  readonly answer: string | null;
  readonly right: boolean;
  readonly group: string;
}

export interface CorpusBatchReport {
  readonly jobId: string;
  readonly documents: readonly DocumentReport[];
  readonly aggregate: CorpusAggregate;
  readonly numRight: number;
}

/** @throws InputError INPUT_INVALID naming the bad flag. */
export function parseOptions(argv: readonly string[], env: MainIo["env"]): CorpusBatchOptions {
  const flags = Object.keys(optionsSchema.shape);
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: [...argv], options: Object.fromEntries(flags.map((k) => [k, { type: "string" as const }])), strict: true }).values;
  } catch (err) {
    throw new InputError("INPUT_INVALID", `${(err as Error).message}; the flags are ${flags.map((k) => `--${k}`).join(", ")}`);
  }
  const r = optionsSchema.safeParse({ ...values, redis: values.redis ?? env.REDIS_URL });
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new InputError("INPUT_INVALID", `--${issue.path.join(".")}: ${issue.message}`, { field: issue.path.join(".") });
}

function progressLine(p: JobProgress): string {
  return p.phase === "document" ? `document ${p.done}/${p.total} done${p.docId === undefined ? "" : ` (${p.docId})`}\n` : `${p.phase} ${p.done}/${p.total}\n`;
}

/**
 * Runs the example: generate, submit, follow, print. Resolves with what it printed, as data.
 * @throws InputError for bad flags; ModelError without a tokenizer; TransportError when Redis cannot be reached or the
 * wait is aborted; the first failed document's typed error (data.docId names it).
 */
export async function main(argv: readonly string[], io: MainIo): Promise<CorpusBatchReport> {
  const o = parseOptions(argv, io.env);
  const modelDir = o.model ?? modelTinyPath();
  const tokenizer = await loadTokenizer(modelDir);
  if (tokenizer === undefined) throw new ModelError("CONFIG_MISSING", `${modelDir} has no tokenizer.json; give --model the workers' model folder`);
  const corpus = generateCorpus(tokenizer, { numDocuments: o.documents, length: o.length, strategy: o.strategy });
  const client = await ApbClient.connect({ redis: o.redis, prefix: o.prefix, signal: io.signal });
  try {
    const submitted = await client.startCorpus(corpus.request, { signal: io.signal });
    io.stdout.write(`corpus job ${submitted.jobId}: ${corpus.documents.length} niah_single documents of ${o.length} tokens\n`);
    const r = await client.waitForCorpus(submitted, { signal: io.signal, onProgress: (p) => void io.stderr.write(progressLine(p)) });
    const byId = new Map(r.results.map((x) => [x.docId, x]));
    const documents = corpus.documents.map((d): DocumentReport => {
      const got = byId.get(d.id);
      const answer = got?.text ?? null;
      return { docId: d.id, question: d.question, expected: d.expected, answer, right: isRightAnswer(answer, d.expected), group: got?.group ?? "?" };
    });
    for (const d of documents) io.stdout.write(`${d.docId} [${d.group}] ${d.right ? "right" : "WRONG"}: ${JSON.stringify(d.answer?.trim() ?? null)}${d.right ? "" : ` (expected ${JSON.stringify(d.expected)})`}\n`);
    const numRight = documents.filter((d) => d.right).length;
    const a = r.aggregated;
    io.stdout.write(`aggregate: ${a.numDocuments} documents, ${a.numPromptTokens} prompt tokens, ${a.numTokens} generated tokens, by group ${JSON.stringify(a.groups)}; ${numRight}/${documents.length} right\n`);
    return { jobId: r.jobId, documents, aggregate: a, numRight };
  } finally {
    await client.close();
  }
}

/** As a program: Ctrl-C cancels the wait (and the corpus's running document); exit 2 for bad flags, 1 for failures. */
async function run(): Promise<void> {
  const controller = new AbortController();
  process.once("SIGINT", () => controller.abort(new Error("interrupted")));
  try {
    await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: controller.signal });
  } catch (err) {
    const e = err as { code?: string; message?: string };
    process.stderr.write(`corpus-batch: [${e.code ?? "ERROR"}] ${e.message ?? String(err)}\n`);
    process.exitCode = e.code === "INPUT_INVALID" ? 2 : 1;
  }
}

/** True when this file is the program node was started with (not when a test imports it). */
function isEntryPoint(): boolean {
  try {
    return process.argv[1] !== undefined && pathToFileURL(realpathSync(process.argv[1])).href === import.meta.url;
  } catch {
    return false;
  }
}

if (isEntryPoint()) await run();
