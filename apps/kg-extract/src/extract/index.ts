// Public names of the extract concept: normalisation, the prompt template and the per-document extractor.
export { DocumentExtractor, documentCandidates } from "./document-extractor.js";
export type { Candidate, DocumentPlan, ExtractorOptions } from "./document-extractor.js";
export { VERIFY_LEVELS } from "./extraction-types.js";
export type { DocumentExtraction, MentionRecord, TripleRecord, VerifyLevel } from "./extraction-types.js";
export { cleanName, entityKey, findMentions, relationKey, tripleKey } from "./normalise.js";
export { DEFAULT_TEMPLATE, loadPromptTemplate, parsePromptTemplate, promptTemplateSchema, renderContext, renderQuestion } from "./prompt-template.js";
export type { PromptTemplate, PromptTemplateInput } from "./prompt-template.js";
export { filterTriples } from "./triple-filter.js";
export type { FilterContext } from "./triple-filter.js";
