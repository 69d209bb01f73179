// Public names of the bench concept: the benchmark's workload (the entry points are jobs-bench.js and bench-worker.js).
export { benchText, corpusDocuments, median, overheadRequest } from "./bench-workload.js";
export { BenchFleet } from "./bench-fleet.js";
