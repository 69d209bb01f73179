// Public names of the answer concept: the Answerer contract and its local (engine) and distributed (jobs) forms.
export { ASK_MODES, resolveAskMode, samplingOf, strategyOf } from "./answerer.js";
export type { Answer, AnswerRequest, AnswerSettings, Answerer, AskMode } from "./answerer.js";
export { EngineAnswerer } from "./engine-answerer.js";
export { JobsAnswerer } from "./jobs-answerer.js";
