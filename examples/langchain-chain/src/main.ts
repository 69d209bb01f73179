#!/usr/bin/env node
// LangChain chain: a prompt template puts a long document in the system message and a question in the human one,
// ChatAPB answers it with APB on in-process hosts, and a StringOutputParser streams the text; checked against the generator.

import { realpathSync } from "node:fs";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { ApbEngine, InputError, ModelError } from "@apb/core";
import { ChatAPB } from "@apb/langchain";
import { generateSample, modelTinyPath } from "@apb/model-tiny";
import type { AIMessage } from "@langchain/core/messages";
import { StringOutputParser } from "@langchain/core/output_parsers";
import type { ChatGeneration, LLMResult } from "@langchain/core/outputs";
import { ChatPromptTemplate } from "@langchain/core/prompts";
import { z } from "zod";

/** Every option, its default and validation (the flags are the keys). */
const optionsSchema = z.strictObject({
  /** Tokens of the generated document (the shipped model has 32K positions). */
  length: z.coerce.number().int().min(256).max(32_000).default(4096),
  hosts: z.coerce.number().int().min(1).max(16).default(2),
  strategy: z.enum(["full", "ring", "star", "apb"]).optional(),
  /** Which generated document (the generator is deterministic per index). */
  index: z.coerce.number().int().min(0).default(0),
});

export type ChainOptions = z.output<typeof optionsSchema>;

/** Where main writes, and how it is cancelled (tests pass their own). */
export interface MainIo {
  readonly stdout: { write(text: string): unknown };
  readonly signal?: AbortSignal;
}

export interface ChainReport {
  readonly question: string;
  readonly expected: string;
  readonly answer: string;
  readonly right: boolean;
  /** The text pieces as the chain streamed them. */
  readonly chunks: readonly string[];
  readonly promptTokens: number;
  readonly outputTokens: number;
  readonly strategy: string;
  readonly hosts: number;
  readonly ms: number;
}

/** @throws InputError INPUT_INVALID naming the bad flag. */
export function parseOptions(argv: readonly string[]): ChainOptions {
  const flags = Object.keys(optionsSchema.shape);
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: [...argv], options: Object.fromEntries(flags.map((k) => [k, { type: "string" as const }])), strict: true }).values;
  } catch (err) {
    throw new InputError("INPUT_INVALID", `${(err as Error).message}; the flags are ${flags.map((k) => `--${k}`).join(", ")}`);
  }
  const r = optionsSchema.safeParse(values);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new InputError("INPUT_INVALID", `--${issue.path.join(".")}: ${issue.message}`, { field: issue.path.join(".") });
}

/** The chain: {document, question} → messages → ChatAPB → text. */
export function buildChain(llm: ChatAPB) {
  const prompt = ChatPromptTemplate.fromMessages([
    ["system", "{document}"],
    ["human", "{question}"],
  ]);
  return prompt.pipe(llm).pipe(new StringOutputParser());
}

/**
 * Generates a document with a question hidden in it, streams the chain's answer, and reports it.
 * @throws InputError for bad flags; ModelError without a tokenizer; the engine's typed errors (ABORTED on Ctrl-C).
 */
export async function main(argv: readonly string[], io: MainIo): Promise<ChainReport> {
  const o = parseOptions(argv);
  const engine = await ApbEngine.open({ model: modelTinyPath(), hosts: o.hosts });
  try {
    if (engine.tokenizer === undefined) throw new ModelError("CONFIG_MISSING", "the shipped model has no tokenizer.json");
    const s = generateSample({ task: "niah_single", length: o.length, index: o.index, tokenizer: engine.tokenizer });
    const llm = new ChatAPB({ engine, strategy: o.strategy, maxTokens: 32 });
    io.stdout.write(`document: ${o.length} tokens on ${o.hosts} host(s); question: ${s.question}\nanswer: `);
    const usage = { promptTokens: 0, outputTokens: 0, strategy: "", hosts: 0 };
    // The model's last message carries usage and APB's metadata; the chain's output is only text, so read it here.
    const onEnd = (out: LLMResult): void => {
      const m = (out.generations[0]?.[0] as ChatGeneration | undefined)?.message as AIMessage | undefined;
      Object.assign(usage, { promptTokens: m?.usage_metadata?.input_tokens ?? 0, outputTokens: m?.usage_metadata?.output_tokens ?? 0, strategy: m?.response_metadata["strategy"], hosts: m?.response_metadata["hosts"] });
    };
    const t0 = performance.now();
    const chunks: string[] = [];
    for await (const piece of await buildChain(llm).stream({ document: s.context, question: s.question }, { signal: io.signal, callbacks: [{ handleLLMEnd: onEnd }] })) {
      chunks.push(piece);
      io.stdout.write(piece);
    }
    const ms = performance.now() - t0;
    const answer = chunks.join("");
    const right = answer.trim() === s.answer;
    io.stdout.write(`\n${right ? "right" : `WRONG (expected ${JSON.stringify(s.answer)})`}; ${usage.promptTokens} prompt tokens, ${usage.outputTokens} generated, strategy ${usage.strategy} on ${usage.hosts} host(s), ${Math.round(ms)} ms\n`);
    return { question: s.question, expected: s.answer, answer, right, chunks, ...usage, ms };
  } finally {
    await engine.close();
  }
}

/** As a program: Ctrl-C aborts the chain; exit 2 for bad flags, 1 for failures. */
async function run(): Promise<void> {
  const controller = new AbortController();
  process.once("SIGINT", () => controller.abort(new Error("interrupted")));
  try {
    await main(process.argv.slice(2), { stdout: process.stdout, signal: controller.signal });
  } catch (err) {
    const e = err as { code?: string; message?: string };
    process.stderr.write(`langchain-chain: [${e.code ?? "ERROR"}] ${e.message ?? String(err)}\n`);
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
