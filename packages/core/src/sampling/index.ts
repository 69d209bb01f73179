// Public names of the sampling concept.
export { Sampler, argmax, parseSampling, samplingSchema } from "./sampling.js";
export type { SamplingInput, SamplingParams } from "./sampling.js";
