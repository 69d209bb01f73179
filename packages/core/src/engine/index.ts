// Public names of the engine concept.
export { ApbEngine } from "./apb-engine.js";
export type { EngineOptions, GenerateRequest, GenerateResult, RequestProfile, RunOptions, SessionRequest, StrategyOptions } from "./apb-engine.js";
export { ApbSession } from "./apb-session.js";
export type { AskRequest } from "./apb-session.js";
export { HostEngine } from "./host-engine.js";
export type { LayerCache, StepInput } from "./host-engine.js";
export { runHostRequest } from "./host-request.js";
export type { FinishReason, HostRequestArgs, HostRequestResult, HostTimings } from "./host-request.js";
export { HostThread } from "./host-thread.js";
export { InProcessGroup, loadSharedModel } from "./in-process-group.js";
export type { GroupOptions, GroupRunOptions, GroupRunResult } from "./in-process-group.js";
export { KvExchange } from "./kv-exchange.js";
export type { ExchangeOptions, ExchangeShape } from "./kv-exchange.js";
export type { BackendInfo, BackendSpec, FromHost, HostDone, HostInit, HostProgress, RunMode, RunRequest, SharedModel, ToHost, TransportSpec } from "./messages.js";
export { buildContext, buildQuestion, buildTokens, checkTokens, decodeAnswer, planRequest } from "./request-tokens.js";
export type { RequestStrategy, RequestTokens } from "./request-tokens.js";
