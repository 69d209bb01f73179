// Builds the extractors of a run from the engine options: the local ApbEngine (one slot), or an ApbClient with one
// slot per worker group; the tokenizer comes from the model folder either way (questions are sent as token ids).

import { ApbEngine, loadTokenizer } from "@apb/core";
import type { ApbTokenizer } from "@apb/core";
import { ApbClient } from "@apb/jobs";
import { modelTinyPath } from "@apb/model-tiny";
import { EngineAnswerer, JobsAnswerer, resolveAskMode } from "../answer/index.js";
import type { AnswerSettings, Answerer } from "../answer/index.js";
import { UsageError } from "../errors/index.js";
import { DEFAULT_TEMPLATE, DocumentExtractor, loadPromptTemplate } from "../extract/index.js";
import type { PromptTemplate } from "../extract/index.js";
import type { EngineOptions } from "./engine-options.js";

export interface ExtractorSetup {
  readonly slots: readonly { readonly extractor: DocumentExtractor; readonly where: string }[];
  readonly settings: AnswerSettings;
  /** How long loading the model (or connecting to Redis) took. */
  readonly openMs: number;
  close(): Promise<void>;
}

function settingsOf(o: EngineOptions, t: PromptTemplate, tokenizer: ApbTokenizer): AnswerSettings {
  const numHosts = o.redis !== undefined ? 2 : (o.hosts ?? 1); // a group's size is unknown here: auto then assumes apb
  return {
    mode: resolveAskMode(o.ask, o.strategy, numHosts),
    strategy: o.strategy,
    anchor: o.anchor,
    passing: o.passing,
    selection: o.selection,
    queryStart: t.queryStart,
    maxTokens: t.maxTokens,
    stopTokenIds: tokenizer.eosTokenIds,
    stopStrings: t.stopStrings,
  };
}

interface Opened {
  readonly tokenizer: ApbTokenizer;
  readonly answerers: (settings: AnswerSettings) => Answerer[];
  close(): Promise<void>;
}

async function openLocal(o: EngineOptions, model: string): Promise<Opened> {
  const engine = await ApbEngine.open({ model, hosts: o.hosts ?? 1, backend: o.backend, threadsPerHost: o.threads });
  if (engine.tokenizer === undefined) {
    await engine.close();
    throw new UsageError(`--model ${model} has no tokenizer.json; kg-extract works on text`, "run");
  }
  return { tokenizer: engine.tokenizer, answerers: (s) => [new EngineAnswerer(engine, s)], close: () => engine.close() };
}

async function openRemote(o: EngineOptions, model: string, signal: AbortSignal | undefined): Promise<Opened> {
  const tokenizer = await loadTokenizer(model);
  if (tokenizer === undefined) throw new UsageError(`--model ${model} has no tokenizer.json; kg-extract sends token ids and needs the model's tokenizer`, "run");
  const client = await ApbClient.connect({ redis: o.redis!, prefix: o.prefix, signal });
  return { tokenizer, answerers: (s) => o.group!.map((g) => new JobsAnswerer(client, g, s)), close: () => client.close() };
}

/** The run's prompt template: the file of --prompt-template, or the default. @throws TemplateError */
export async function resolveTemplate(o: Pick<EngineOptions, "promptTemplate">): Promise<PromptTemplate> {
  return o.promptTemplate === undefined ? DEFAULT_TEMPLATE : loadPromptTemplate(o.promptTemplate);
}

/**
 * Opens the engine (or connects to Redis) and builds one extractor per slot.
 * @throws UsageError / TemplateError / ModelError for bad inputs; TransportError when Redis cannot be reached
 */
export async function openExtractors(o: EngineOptions, template: PromptTemplate, signal?: AbortSignal): Promise<ExtractorSetup> {
  const model = o.model ?? modelTinyPath();
  const started = performance.now();
  const opened = o.redis === undefined ? await openLocal(o, model) : await openRemote(o, model, signal);
  try {
    const settings = settingsOf(o, template, opened.tokenizer);
    const slots = opened.answerers(settings).map((answerer) => ({
      where: answerer.where,
      extractor: new DocumentExtractor({ answerer, tokenizer: opened.tokenizer, template, verify: o.verify, maxEntities: o.maxEntities }),
    }));
    return { slots, settings, openMs: performance.now() - started, close: () => opened.close() };
  } catch (err) {
    await opened.close();
    throw err;
  }
}
