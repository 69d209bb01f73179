// @apb/langchain public API: ChatAPB (a LangChain.js chat model on APB), its options schema and its typed errors.
export { ChatAPB } from "./chat_models.js";
export type { ChatAPBSessionInput } from "./chat_models.js";
export { chatApbFieldsSchema, callOverridesSchema } from "./types.js";
export type { ChatAPBCallOptions, ChatAPBFields, ChatAPBInput } from "./types.js";
export { ChatAPBAbortError, ChatAPBConfigError, StructuredOutputError } from "./errors.js";
export type { TargetKind } from "./utils/targets.js";
