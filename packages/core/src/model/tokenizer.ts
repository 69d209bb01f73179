// Text ↔ token ids and chat templates from a HF checkpoint's tokenizer.json / tokenizer_config.json,
// with the pure-JS @huggingface/tokenizers and @huggingface/jinja (no network, no native code).

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Template } from "@huggingface/jinja";
import { Tokenizer } from "@huggingface/tokenizers";
import { InputError, ModelError } from "../errors/apb-error.js";

/** One chat message as chat templates expect it. */
export interface ChatMessage {
  readonly role: string;
  readonly content: string;
}

type SpecialToken = string | undefined;

/** A special token in tokenizer_config.json is a string or a serialised AddedToken `{content: ...}`. */
function tokenText(value: unknown): SpecialToken {
  if (typeof value === "string") return value;
  if (typeof value === "object" && value !== null && typeof (value as { content?: unknown }).content === "string") {
    return (value as { content: string }).content;
  }
  return undefined;
}

/** chat_template is a string, or a list of {name, template} (the "default" one is used). */
function pickTemplate(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (!Array.isArray(value)) return undefined;
  const entries = value.filter((e): e is { name: unknown; template: string } => typeof e === "object" && e !== null && typeof e.template === "string");
  return (entries.find((e) => e.name === "default") ?? entries[0])?.template;
}

function tokenizerError(source: string, message: string, cause?: unknown): ModelError {
  return new ModelError("TOKENIZER_INVALID", `${source}: ${message}`, { cause, data: { source } });
}

/** A loaded tokenizer with its special tokens and optional chat template. */
export class ApbTokenizer {
  /** Number of ids the tokenizer can produce (highest id + 1, added tokens included). */
  readonly vocabSize: number;
  /** Ids of the end-of-sequence token(s) named in tokenizer_config.json (may be empty). */
  readonly eosTokenIds: readonly number[];
  private readonly tok: Tokenizer;
  private readonly template: Template | undefined;
  private readonly specials: Record<string, SpecialToken>;

  private constructor(tok: Tokenizer, template: Template | undefined, specials: Record<string, SpecialToken>) {
    this.tok = tok;
    this.template = template;
    this.specials = specials;
    let maxId = -1;
    for (const id of tok.get_vocab(true).values()) maxId = Math.max(maxId, id);
    this.vocabSize = maxId + 1;
    const eos = specials["eos_token"] === undefined ? undefined : tok.token_to_id(specials["eos_token"]);
    this.eosTokenIds = eos === undefined ? [] : [eos];
  }

  /**
   * Builds a tokenizer from parsed files. `chatTemplate` overrides tokenizer_config's chat_template.
   * @throws ModelError TOKENIZER_INVALID when the tokenizer or the template cannot be built
   */
  static fromJson(tokenizerJson: unknown, tokenizerConfig: Record<string, unknown>, opts: { chatTemplate?: string; source?: string } = {}): ApbTokenizer {
    const source = opts.source ?? "tokenizer.json";
    const specials: Record<string, SpecialToken> = {};
    for (const key of ["bos_token", "eos_token", "pad_token", "unk_token"]) specials[key] = tokenText(tokenizerConfig[key]);
    let tok: Tokenizer;
    try {
      tok = new Tokenizer(tokenizerJson as object, { ...tokenizerConfig, ...specials });
    } catch (err) {
      throw tokenizerError(source, `cannot build the tokenizer (${(err as Error).message}); re-download tokenizer.json`, err);
    }
    const text = opts.chatTemplate ?? pickTemplate(tokenizerConfig["chat_template"]);
    let template: Template | undefined;
    try {
      template = text === undefined ? undefined : new Template(text);
    } catch (err) {
      throw tokenizerError(source, `chat template does not parse (${(err as Error).message}); fix chat_template`, err);
    }
    return new ApbTokenizer(tok, template, specials);
  }

  /** Text → ids. `addSpecialTokens` (default true) applies the post-processor, e.g. a leading BOS. */
  encode(text: string, opts: { addSpecialTokens?: boolean } = {}): Int32Array {
    return Int32Array.from(this.tok.encode(text, { add_special_tokens: opts.addSpecialTokens ?? true }).ids);
  }

  /** Ids → text. */
  decode(ids: ArrayLike<number>, opts: { skipSpecialTokens?: boolean } = {}): string {
    if (ids.length === 0) return "";
    return this.tok.decode(Array.from(ids), { skip_special_tokens: opts.skipSpecialTokens ?? false });
  }

  /** The id of a token string, or undefined when it is not in the vocabulary. */
  tokenToId(token: string): number | undefined {
    return this.tok.token_to_id(token);
  }

  /**
   * Renders the chat template (undefined when the checkpoint has none). Encode the result with addSpecialTokens: false,
   * since templates write their own BOS.
   * @throws InputError INPUT_INVALID when the template rejects the messages (e.g. roles that do not alternate)
   */
  applyChatTemplate(messages: readonly ChatMessage[], opts: { addGenerationPrompt?: boolean } = {}): string | undefined {
    if (this.template === undefined) return undefined;
    try {
      return this.template.render({
        ...this.specials,
        messages: messages.map((m) => ({ role: m.role, content: m.content })),
        add_generation_prompt: opts.addGenerationPrompt ?? false,
      });
    } catch (err) {
      throw new InputError("INPUT_INVALID", `the chat template rejected the messages: ${(err as Error).message}`);
    }
  }
}

function parseJson(text: string, path: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw tokenizerError(path, `${what} is not valid JSON (${(err as Error).message}); re-download it`, err);
  }
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return undefined;
  }
}

/**
 * Loads `<dir>/tokenizer.json` (+ tokenizer_config.json and chat_template.jinja when present).
 * Returns undefined when there is no tokenizer.json (callers then need token ids).
 * @throws ModelError TOKENIZER_INVALID when a file is malformed
 */
export async function loadTokenizer(dir: string): Promise<ApbTokenizer | undefined> {
  const tokPath = join(dir, "tokenizer.json");
  const tokText = await readOptional(tokPath);
  if (tokText === undefined) return undefined;
  const tokenizerJson = parseJson(tokText, tokPath, "tokenizer.json");
  const cfgPath = join(dir, "tokenizer_config.json");
  const cfgText = await readOptional(cfgPath);
  const cfg = cfgText === undefined ? {} : parseJson(cfgText, cfgPath, "tokenizer_config.json");
  if (typeof cfg !== "object" || cfg === null || Array.isArray(cfg)) throw tokenizerError(cfgPath, "expected a JSON object");
  const chatTemplate = await readOptional(join(dir, "chat_template.jinja"));
  return ApbTokenizer.fromJson(tokenizerJson, cfg as Record<string, unknown>, { chatTemplate, source: tokPath });
}
