// Public names of the answer concept: the Answerer contract and its local (engine) form. Worker groups are reached
// through corpus flows instead (src/flow), which take a whole batch of documents at once.
export { ASK_MODES, resolveAskMode, samplingOf, strategyOf } from "./answerer.js";
export type { Answer, AnswerRequest, AnswerSettings, Answerer, AskMode } from "./answerer.js";
export { EngineAnswerer } from "./engine-answerer.js";
