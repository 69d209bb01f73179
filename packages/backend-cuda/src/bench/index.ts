// Public names of the bench concept: the GPU prefill bench against PyTorch (issue 6), its pieces and its report.
export { main, runPrefillBench } from "./prefill-bench.js";
export type { PrefillBenchDeps } from "./prefill-bench.js";
export { PHASES, parsePrefillBenchArgs, parsePrefillBenchOptions, prefillBenchOptionsSchema } from "./prefill-options.js";
export type { Phase, PrefillBenchInput, PrefillBenchOptions } from "./prefill-options.js";
export type { CorrectnessResult, CorrectnessRun, ForcedCheck, FullRow, HostTiming, MemoryPeak, PrefillBenchResult, StrategyRow, TokenAgreement } from "./prefill-result.js";
export { NEAR_TIE_FACTOR, SPEED_BAR, forcedCheck, formatSummary, logitsRelL2, tokenAgreement } from "./prefill-report.js";
export { median, planReps, predictMs, secondsLeft } from "./deadline.js";
export { BlockStore, DirectKvExchange } from "./direct-exchange.js";
export { forwardLogits, runVirtualRequest, timeHostPrefills } from "./virtual-hosts.js";
export type { VirtualHosts } from "./virtual-hosts.js";
export { readTorchBench, readTorchPrompt, readTorchReference } from "./torch-results.js";
export type { ReferenceStep, TorchBench, TorchBenchRow, TorchPrompt, TorchReference } from "./torch-results.js";
