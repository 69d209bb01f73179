// Public names of the errors concept.
export { CorpusError, FlowError, StoreError, TemplateError, UsageError } from "./kg-errors.js";
