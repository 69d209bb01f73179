// Public names of the engine concept.
export { ApbEngine } from "./apb-engine.js";
export type { EngineOptions, GenerateRequest, GenerateResult, RequestProfile } from "./apb-engine.js";
export { HostEngine } from "./host-engine.js";
export type { LayerCache, StepInput } from "./host-engine.js";
export { runHostRequest } from "./host-request.js";
export type { FinishReason, HostRequestArgs, HostRequestResult, HostTimings } from "./host-request.js";
export { InProcessGroup } from "./in-process-group.js";
export type { GroupOptions, GroupRunOptions, GroupRunResult } from "./in-process-group.js";
export { KvExchange } from "./kv-exchange.js";
export type { ExchangeOptions, ExchangeShape } from "./kv-exchange.js";
export type { BackendSpec, HostDone } from "./messages.js";
export { buildTokens, checkTokens } from "./request-tokens.js";
export type { RequestTokens } from "./request-tokens.js";
