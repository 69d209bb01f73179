// Public names of the synthetic concept: fact corpora with exact ground truth, and their scoring.
export { generateFactCorpus } from "./fact-corpus.js";
export type { CorpusSpec, SyntheticDocument } from "./fact-corpus.js";
export { harvestFactPools } from "./fact-pools.js";
export type { FactPools, FillerSentence } from "./fact-pools.js";
export { scoreFacts } from "./score.js";
export type { FactScore, FactSet } from "./score.js";
