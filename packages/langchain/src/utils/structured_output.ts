// withStructuredOutput for a model without tool calling or constrained decoding: the answer's text is parsed as JSON
// (a ```json fence or the outermost {...} / [...] is taken) and checked against the schema; failures are typed.

import { isInteropZodSchema, interopSafeParseAsync } from "@langchain/core/utils/types";
import type { SerializableSchema } from "@langchain/core/utils/standard_schema";
import type { InteropZodType } from "@langchain/core/utils/types";
import { StructuredOutputError } from "../errors.js";

/** The validating half of a Standard Schema (https://standardschema.dev), as LangChain's SerializableSchema has it. */
interface StandardLike {
  validate(value: unknown): { value?: unknown; issues?: readonly { message: string }[] } | Promise<{ value?: unknown; issues?: readonly { message: string }[] }>;
}

/** The candidates to try, in order: the whole text, a fenced block, the outermost object, the outermost array. */
function candidates(text: string): string[] {
  const out = [text.trim()];
  const fence = /```(?:json)?\s*([\s\S]*?)```/i.exec(text);
  if (fence) out.push(fence[1]!.trim());
  for (const [open, close] of [["{", "}"], ["[", "]"]] as const) {
    const a = text.indexOf(open);
    const b = text.lastIndexOf(close);
    if (a >= 0 && b > a) out.push(text.slice(a, b + 1));
  }
  return out;
}

/** The first candidate that is valid JSON. @throws StructuredOutputError OUTPUT_INVALID when none is. */
export function parseJsonText(text: string): unknown {
  for (const c of candidates(text)) {
    try {
      return JSON.parse(c) as unknown;
    } catch {
      // try the next candidate
    }
  }
  const shown = text.length > 200 ? `${text.slice(0, 200)}...` : text;
  throw new StructuredOutputError(`the model's answer is not JSON: ${JSON.stringify(shown)}`, { text });
}

/**
 * Parses `text` as JSON and validates it with a zod or Standard Schema; a plain JSON schema only requires an object.
 * @throws StructuredOutputError OUTPUT_INVALID naming the schema's complaints
 */
export async function parseStructured<T>(text: string, schema: InteropZodType<T> | SerializableSchema<T> | Record<string, unknown>): Promise<T> {
  const value = parseJsonText(text);
  if (isInteropZodSchema(schema)) {
    const r = await interopSafeParseAsync(schema, value);
    if (r.success) return r.data;
    const issues = r.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new StructuredOutputError(`the model's JSON does not match the schema: ${issues.join("; ")}`, { text, issues });
  }
  const standard = (schema as { "~standard"?: StandardLike })["~standard"];
  if (typeof standard?.validate === "function") {
    const r = await standard.validate(value);
    if (r.issues === undefined) return r.value as T;
    const issues = r.issues.map((i) => i.message);
    throw new StructuredOutputError(`the model's JSON does not match the schema: ${issues.join("; ")}`, { text, issues });
  }
  if ((schema as Record<string, unknown>)["type"] === "object" && (typeof value !== "object" || value === null || Array.isArray(value))) {
    throw new StructuredOutputError("the model's JSON is not an object, as the schema asks", { text });
  }
  return value as T;
}
