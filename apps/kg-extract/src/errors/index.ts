// Public names of the errors concept.
export { CorpusError, StoreError, TemplateError, UsageError } from "./kg-errors.js";
