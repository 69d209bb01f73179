// Public names of the flow concept: extraction on worker groups through `@apb/jobs` corpus flows (a batch of
// documents per flow, any group takes any document), the children of a batch and how their results come back.
export { FlowExecutor } from "./flow-executor.js";
export type { FlowExecutorOptions, FlowPort } from "./flow-executor.js";
export { answersOf, batchChildren, checkChildren, childCount, documentResultSchema, questionsPerChild } from "./flow-batch.js";
export type { BatchDocument, ChildSpan, FlowMode } from "./flow-batch.js";
export { flowContextWithBos } from "./flow-context.js";
