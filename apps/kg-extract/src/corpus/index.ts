// Public names of the corpus concept: reading a corpus folder (and writing one).
export { CORPUS_EXTENSIONS, contentHash, jsonlLineSchema, parseJsonl, readCorpus } from "./read-corpus.js";
export type { CorpusDocument } from "./read-corpus.js";
export { corpusKey, writeCorpus } from "./corpus-writer.js";
