// Builds the executor of a run from the engine options: the local ApbEngine (one slot, a document at a time), or an
// ApbClient sending batches of documents as corpus flows to whichever worker groups serve the Redis prefix. The
// tokenizer comes from the model folder either way (candidates and token counts are computed here).

import { ApbEngine, loadTokenizer } from "@apb/core";
import type { ApbTokenizer } from "@apb/core";
import { ApbClient } from "@apb/jobs";
import { modelTinyPath } from "@apb/model-tiny";
import { EngineAnswerer, resolveAskMode } from "../answer/index.js";
import type { AnswerSettings } from "../answer/index.js";
import { UsageError } from "../errors/index.js";
import { DEFAULT_TEMPLATE, DocumentExtractor, loadPromptTemplate } from "../extract/index.js";
import type { PromptTemplate } from "../extract/index.js";
import { FlowExecutor, flowContextWithBos } from "../flow/index.js";
import { slotExecutor } from "../pipeline/index.js";
import type { ExtractionExecutor } from "../pipeline/index.js";
import type { EngineOptions } from "./engine-options.js";

export interface ExtractorSetup {
  readonly executor: ExtractionExecutor;
  readonly settings: AnswerSettings;
  /** How long loading the model (or connecting to Redis) took. */
  readonly openMs: number;
  close(): Promise<void>;
}

/** Documents per corpus flow when --batch is not given. */
export const DEFAULT_BATCH = 16;

function settingsOf(o: EngineOptions, t: PromptTemplate, tokenizer: ApbTokenizer): AnswerSettings {
  // On worker groups the group size is unknown here; `auto` then asks a document's questions over one prefill.
  const mode = o.redis !== undefined ? (o.ask === "auto" ? "session" : o.ask) : resolveAskMode(o.ask, o.strategy, o.hosts ?? 1);
  return {
    mode,
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
  readonly executor: (extractor: DocumentExtractor, settings: AnswerSettings) => ExtractionExecutor;
  close(): Promise<void>;
}

async function openLocal(o: EngineOptions, model: string): Promise<Opened> {
  const engine = await ApbEngine.open({ model, hosts: o.hosts ?? 1, backend: o.backend, threadsPerHost: o.threads });
  if (engine.tokenizer === undefined) {
    await engine.close();
    throw new UsageError(`--model ${model} has no tokenizer.json; kg-extract works on text`, "run");
  }
  const executor = (x: DocumentExtractor, s: AnswerSettings): ExtractionExecutor => {
    const answerer = new EngineAnswerer(engine, s);
    return slotExecutor([{ where: answerer.where, extract: (text, opts) => x.extract(text, answerer, opts) }]);
  };
  return { tokenizer: engine.tokenizer, executor, close: () => engine.close() };
}

async function openRemote(o: EngineOptions, model: string, signal: AbortSignal | undefined): Promise<Opened> {
  const tokenizer = await loadTokenizer(model);
  if (tokenizer === undefined) throw new UsageError(`--model ${model} has no tokenizer.json; kg-extract finds candidates and counts tokens with the model's tokenizer`, "run");
  const client = await ApbClient.connect({ redis: o.redis!, prefix: o.prefix, signal });
  const executor = (x: DocumentExtractor, s: AnswerSettings): ExtractionExecutor =>
    new FlowExecutor({ port: client, extractor: x, withBos: flowContextWithBos(x, tokenizer), settings: s, batchSize: o.batch ?? DEFAULT_BATCH });
  return { tokenizer, executor, close: () => client.close() };
}

/** The run's prompt template: the file of --prompt-template, or the default. @throws TemplateError */
export async function resolveTemplate(o: Pick<EngineOptions, "promptTemplate">): Promise<PromptTemplate> {
  return o.promptTemplate === undefined ? DEFAULT_TEMPLATE : loadPromptTemplate(o.promptTemplate);
}

/**
 * Opens the engine (or connects to Redis) and builds the run's executor.
 * @throws UsageError / TemplateError / ModelError for bad inputs; FlowError CONFIG_INVALID for a template the workers
 * cannot reproduce; TransportError when Redis cannot be reached
 */
export async function openExtractors(o: EngineOptions, template: PromptTemplate, signal?: AbortSignal): Promise<ExtractorSetup> {
  const model = o.model ?? modelTinyPath();
  const started = performance.now();
  const opened = o.redis === undefined ? await openLocal(o, model) : await openRemote(o, model, signal);
  try {
    const settings = settingsOf(o, template, opened.tokenizer);
    const extractor = new DocumentExtractor({ tokenizer: opened.tokenizer, template, verify: o.verify, maxEntities: o.maxEntities });
    return { executor: opened.executor(extractor, settings), settings, openMs: performance.now() - started, close: () => opened.close() };
  } catch (err) {
    await opened.close();
    throw err;
  }
}
