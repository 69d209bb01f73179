// The prompt template: how a document becomes the context and an entity becomes the question. The default is the
// shipped model's fact task; a JSON file (or a plain-text question) adapts it to an instruct model.

import { readFile } from "node:fs/promises";
import { QUERY_PREFIX, QUERY_START, QUERY_SUFFIX, factQuestion } from "@apb/model-tiny";
import { z } from "zod";
import { TemplateError } from "../errors/index.js";

const ENTITY = "{entity}";
const TEXT = "{text}";

/** Every field of a template file, its default and its validation (defined once, STYLE.md G14). */
export const promptTemplateSchema = z.strictObject({
  /** The context: the document put into `{text}` (prefilled once per document in session mode). */
  context: z.string().refine((s) => s.includes(TEXT), `must contain the placeholder ${TEXT}`).default(TEXT),
  /** The question asked per candidate entity; the answer must list `(subject; relation; object)` lines. */
  question: z.string().refine((s) => s.includes(ENTITY), `must contain the placeholder ${ENTITY}`).default(QUERY_PREFIX + factQuestion(ENTITY) + QUERY_SUFFIX),
  /** Token text put before the context (the model's BOS); null for none. */
  bos: z.string().min(1).nullable().default("<s>"),
  /** APB's query start: where the question goes in the anchor of a one-off generate (1 = right after BOS). */
  queryStart: z.number().int().min(0).default(QUERY_START),
  /** Tokens generated at most per question. */
  maxTokens: z.number().int().min(1).max(4096).default(96),
  /** Generation stops at the first of these strings (besides the model's end-of-sequence token). */
  stopStrings: z.array(z.string().min(1)).default(["\n\n"]),
});

export type PromptTemplate = z.output<typeof promptTemplateSchema>;
export type PromptTemplateInput = z.input<typeof promptTemplateSchema>;

/** The shipped model's fact task. */
export const DEFAULT_TEMPLATE: PromptTemplate = promptTemplateSchema.parse({});

/** Validates a template object. @throws TemplateError naming the bad field */
export function parsePromptTemplate(input: unknown, source = "the prompt template"): PromptTemplate {
  const r = promptTemplateSchema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issue.path.join(".") || "(template)";
  throw new TemplateError(`${source}: ${field}: ${issue.message}`, { field });
}

/**
 * Reads a template file: `.json` holds the fields of promptTemplateSchema; any other file is the question template
 * itself (with `{entity}`), the other fields keeping their defaults.
 * @throws TemplateError when the file cannot be read or does not validate
 */
export async function loadPromptTemplate(path: string): Promise<PromptTemplate> {
  let raw: string;
  try {
    raw = await readFile(path, "utf8");
  } catch (err) {
    throw new TemplateError(`cannot read the prompt template ${path}: ${(err as Error).message}`, { path });
  }
  if (!path.toLowerCase().endsWith(".json")) return parsePromptTemplate({ question: raw }, path);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new TemplateError(`the prompt template ${path} is not valid JSON (${(err as Error).message})`, { path });
  }
  return parsePromptTemplate(parsed, path);
}

/** The context text of a document (the document inserted verbatim). */
export function renderContext(t: PromptTemplate, text: string): string {
  return t.context.split(TEXT).join(text);
}

/** The question text for one entity. */
export function renderQuestion(t: PromptTemplate, entity: string): string {
  return t.question.split(ENTITY).join(entity);
}
