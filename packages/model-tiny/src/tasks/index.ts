// Public names of the tasks concept: the data format v3 generator, the token layout and scoring.
export { generateSample, sampleSeed } from "./build-sample.js";
export type { SampleOptions } from "./build-sample.js";
export { engineInputs, sampleLayout } from "./layout.js";
export type { EngineInputs, SampleLayout } from "./layout.js";
export { Rng, fnv1a32 } from "./rng.js";
export { firstAnswerIndex, scoreGeneration, whitespaceTokenIds } from "./scoring.js";
export type { Score, TokenDecoder } from "./scoring.js";
export { BOS_ID, EOS_ID, FORMAT_VERSION, QUERY_PREFIX, QUERY_START, QUERY_SUFFIX, TASKS } from "./types.js";
export type { Sample, Split, Task, TokenEncoder } from "./types.js";
