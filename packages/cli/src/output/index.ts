// Public names of the output concept: streams, progress bar, tables, streamed text and error reporting.
export { processIo } from "./cli-io.js";
export type { CliIo, TextSink } from "./cli-io.js";
export { ProgressBar } from "./progress-bar.js";
export type { ProgressOptions } from "./progress-bar.js";
export { EXIT, reportError } from "./report-error.js";
export { formatTable } from "./table.js";
export type { Column } from "./table.js";
export { TokenStreamer } from "./token-streamer.js";
export type { TokenStreamerOptions } from "./token-streamer.js";
