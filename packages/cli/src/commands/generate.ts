// `apb generate`: one request on a model split across in-process hosts; streams tokens or prints one JSON object.

import { ApbEngine } from "@apb/core";
import type { BackendInfo, GenerateRequest, GenerateResult } from "@apb/core";
import { defineCommand } from "../args/index.js";
import { TokenStreamer } from "../output/index.js";
import type { CliIo } from "../output/index.js";
import { generateOptions } from "./generate-options.js";
import type { GenerateOptions } from "./generate-options.js";
import { checkModelDir, readPromptInput } from "./prompt-input.js";
import type { PromptInput } from "./prompt-input.js";

const NAME = "generate";

function buildRequest(o: GenerateOptions, input: PromptInput): GenerateRequest {
  return {
    ...(input.kind === "ids" ? { ids: input.ids } : { prompt: input.prompt }),
    question: o.question,
    strategy: o.strategy,
    anchor: o.anchor,
    passing: o.passing,
    selection: o.selection,
    sampling: { maxTokens: o.maxTokens, temperature: o.temperature, topP: o.topP, topK: o.topK, seed: o.seed, stopStrings: o.stop },
  };
}

/** The hosts' backend names (one when they agree, as they do unless a host's device differs) and a fallback note. */
export function backendSummary(backends: readonly BackendInfo[]): { backend: string; backendNote: string | null } {
  return { backend: [...new Set(backends.map((b) => b.name))].join(","), backendNote: backends.find((b) => b.note !== undefined)?.note ?? null };
}

/** The --json shape. */
export function resultJson(r: GenerateResult, backends: readonly BackendInfo[] = []): Record<string, unknown> {
  return {
    ...backendSummary(backends),
    tokens: r.tokens,
    text: r.text ?? null,
    strategy: r.strategy,
    hosts: r.hosts,
    anchor: r.anchor,
    passing: r.passing,
    selection: r.selection ?? null,
    finishReason: r.finishReason,
    promptTokens: r.promptTokens,
    timings: { prefillMs: r.timings.prefillMs, queryMs: r.timings.queryMs, decodeMs: r.timings.decodeMs },
  };
}

function summary(r: GenerateResult): string {
  const t = r.timings;
  const ms = (x: number): string => `${x.toFixed(0)} ms`;
  return `[apb] ${r.tokens.length} tokens (${r.finishReason}) · ${r.strategy} on ${r.hosts} host(s) · ${r.promptTokens} prompt tokens · prefill ${ms(t.prefillMs)} · query ${ms(t.queryMs)} · decode ${ms(t.decodeMs)}\n`;
}

async function runGenerate(o: GenerateOptions, io: CliIo): Promise<number> {
  await checkModelDir(o.model, NAME);
  const input = await readPromptInput(o, NAME);
  const engine = await ApbEngine.open({ model: o.model, hosts: o.hosts, backend: o.backend, threadsPerHost: o.threads });
  try {
    const note = backendSummary(engine.backends).backendNote;
    if (note !== null && !o.json) io.stderr.write(`[apb] ${note}\n`); // a fallback the user asked "auto" for, said once
    const tok = engine.tokenizer;
    const decode = input.kind === "text" && tok !== undefined ? (ts: readonly number[]) => tok.decode(Int32Array.from(ts), { skipSpecialTokens: true }) : undefined;
    const streamer = o.json ? undefined : new TokenStreamer({ sink: io.stdout, decode, stopStrings: o.stop });
    const result = await engine.generate({ ...buildRequest(o, input), signal: io.signal, onToken: streamer === undefined ? undefined : (t) => streamer.push(t) });
    if (streamer === undefined) io.stdout.write(JSON.stringify(resultJson(result, engine.backends)) + "\n");
    else {
      streamer.finish(decode === undefined ? undefined : result.text);
      if (io.stderr.isTTY) io.stderr.write(summary(result));
    }
    return 0;
  } finally {
    await engine.close();
  }
}

export const generateCommand = defineCommand({
  name: NAME,
  summary: "run one prompt (optionally with a question) on a model split across hosts",
  usage: "--model DIR (--prompt TEXT | --prompt-file FILE | --ids-file FILE) [options]",
  schema: generateOptions,
  notes: [
    "Tokens stream to stdout as they are sampled (text for text prompts, token ids for --ids-file); --json prints one object " +
      "{backend, backendNote, tokens, text, strategy, hosts, anchor, passing, selection, finishReason, promptTokens, timings} " +
      "instead (backend: the backend the hosts ran; backendNote: why --backend auto took onnx instead of cuda, else null).",
    "Strategies: full = one host, exact; ring = every host sees all earlier blocks, exact; star = anchor of one block, " +
      "no passing; apb = anchor + compressed passing blocks. --anchor 0 --passing <block> makes apb exact.",
  ],
  run: runGenerate,
});
