// Public names of the commands concept: the dispatcher and the commands' option schemas.
export { COMMANDS, runKgExtract } from "./main.js";
export { benchOptions } from "./bench-command.js";
export { runOptions } from "./run-command.js";
export type { RunCommandOptions } from "./run-command.js";
export { exportOptions } from "./export-command.js";
export { viewOptions } from "./view-command.js";
export { SELECTIONS, STRATEGIES, engineShape } from "./engine-options.js";
export type { EngineOptions } from "./engine-options.js";
export { openExtractors, resolveTemplate } from "./extractor-setup.js";
export type { ExtractorSetup } from "./extractor-setup.js";
