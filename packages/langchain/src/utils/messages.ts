// LangChain messages → APB's inputs, as pure functions: a long context (system messages, documents, earlier turns) and
// a question (the last human message), either in the tokenizer's chat template or in the model's data format.

import { InputError } from "@apb/core";
import type { ApbTokenizer, ChatMessage } from "@apb/core";
import type { BaseMessage } from "@langchain/core/messages";

/** Text or token ids (the chat-template path encodes itself, since templates write their own special tokens). */
export type Segment = { readonly text: string } | { readonly ids: Int32Array };

/** What one call sends to the engine. */
export interface ApbPrompt {
  /** The long context; undefined for a session-bound model (the session holds it). */
  readonly context: Segment | undefined;
  /** The question segment: it goes into APB's anchor (one-off calls) and is the query of the answer pass. */
  readonly question: Segment;
  /** The data format's answers come back after a space; drop it from the text. */
  readonly stripLeadingSpace: boolean;
}

/** How to lay out a prompt. */
export interface PromptOptions {
  readonly tokenizer: ApbTokenizer | undefined;
  readonly format: "auto" | "chat-template" | "data";
  readonly queryPrefix: string;
  readonly querySuffix: string;
  /** The long context's documents (the call's first, then the model's). */
  readonly documents: readonly string[];
  /** A session-bound model: the context is already prefilled, so system messages and documents are refused. */
  readonly bound: boolean;
}

type Role = "system" | "user" | "assistant";

/** A message's text: string content, or its text blocks. @throws InputError for images, tool calls and the like. */
export function messageText(m: BaseMessage): string {
  if (typeof m.content === "string") return m.content;
  return m.content
    .map((block) => {
      if (block.type === "text" && typeof block["text"] === "string") return block["text"];
      throw new InputError("INPUT_INVALID", `ChatAPB reads text only; a ${m.getType()} message has a "${block.type}" content block`);
    })
    .join("");
}

/** The chat role of a message. @throws InputError for tool and function messages (the model has no tool calling). */
export function messageRole(m: BaseMessage): Role {
  const t = m.getType();
  if (t === "system" || t === "developer") return "system";
  if (t === "human") return "user";
  if (t === "ai") return "assistant";
  if (t === "generic") {
    const role = (m as BaseMessage & { role?: unknown }).role;
    if (role === "user" || role === "human") return "user";
    if (role === "assistant" || role === "ai") return "assistant";
    if (role === "system") return "system";
  }
  throw new InputError("INPUT_INVALID", `ChatAPB has no tool calling and takes system, human and AI messages only; got a ${t} message`);
}

/** The conversation as role/text pairs, checked: at least one message, the last one human (the question). */
export function toChatMessages(messages: readonly BaseMessage[]): ChatMessage[] {
  const out = messages.map((m) => ({ role: messageRole(m), content: messageText(m) }));
  if (out.length === 0 || out[out.length - 1]!.role !== "user") {
    throw new InputError("INPUT_INVALID", "the last message must be a human message: ChatAPB answers it against the context");
  }
  return out;
}

/** Builds the engine's inputs. @throws InputError for messages ChatAPB cannot take, or a template that cannot split. */
export function toApbPrompt(messages: readonly BaseMessage[], o: PromptOptions): ApbPrompt {
  const chat = toChatMessages(messages);
  if (o.bound && (o.documents.length > 0 || chat.some((m) => m.role === "system"))) {
    throw new InputError("INPUT_INVALID", "a session-bound ChatAPB answers against its prefilled context; put instructions in the question, or open a session that includes them (no system messages or documents here)");
  }
  const useTemplate = o.format === "chat-template" || (o.format === "auto" && o.tokenizer?.applyChatTemplate([]) !== undefined);
  return useTemplate ? templatePrompt(chat, o) : dataPrompt(chat, o);
}

/** Data format: context = system texts + documents + earlier turns; question = queryPrefix + question + querySuffix. */
function dataPrompt(chat: readonly ChatMessage[], o: PromptOptions): ApbPrompt {
  const systems = chat.filter((m) => m.role === "system").map((m) => m.content);
  const turns = chat.filter((m) => m.role !== "system");
  const last = turns[turns.length - 1]!;
  let history = "";
  for (const m of turns.slice(0, -1)) history += m.role === "user" ? `${o.queryPrefix}${m.content}${o.querySuffix}` : ` ${m.content}`;
  const question = `${o.queryPrefix}${last.content}${o.querySuffix}`;
  if (o.bound) return { context: undefined, question: { text: history + question }, stripLeadingSpace: true };
  const context = [...systems, ...o.documents].join("\n\n") + history;
  return { context: { text: context }, question: { text: question }, stripLeadingSpace: true };
}

/**
 * Chat template: the conversation without its last message is the context, the rest of the full rendering (the last
 * user turn and the generation prompt) is the question. Documents join the system message.
 */
function templatePrompt(chat: readonly ChatMessage[], o: PromptOptions): ApbPrompt {
  const tok = o.tokenizer;
  if (tok === undefined || tok.applyChatTemplate([]) === undefined) {
    throw new InputError("INPUT_INVALID", "promptFormat chat-template needs a tokenizer with a chat template (tokenizer_config.json chat_template or chat_template.jinja)");
  }
  const systems = [...chat.filter((m) => m.role === "system").map((m) => m.content), ...o.documents];
  const turns = chat.filter((m) => m.role !== "system");
  const all: ChatMessage[] = [...(systems.length > 0 ? [{ role: "system", content: systems.join("\n\n") }] : []), ...turns];
  const full = tok.applyChatTemplate(all, { addGenerationPrompt: true })!;
  const head = tok.applyChatTemplate(all.slice(0, -1), { addGenerationPrompt: false })!;
  if (!full.startsWith(head)) {
    throw new InputError("INPUT_INVALID", "the chat template does not render the conversation before the last message as a prefix of the whole; ChatAPB cannot separate the question (use promptFormat \"data\")");
  }
  const enc = (s: string): Int32Array => tok.encode(s, { addSpecialTokens: false });
  const question = { ids: enc(full.slice(head.length)) };
  return { context: o.bound ? undefined : { ids: enc(head) }, question, stripLeadingSpace: false };
}
