// Public names of the output concept: streams, progress bars, tables, streamed text and error reporting.
export { DEFAULT_PROGRAM, processIo } from "./cli-io.js";
export type { CliIo, TextSink } from "./cli-io.js";
export { ProgressBar } from "./progress-bar.js";
export { ProgressLine, formatBar } from "./progress-line.js";
export type { ProgressOptions } from "./progress-line.js";
export { EXIT, exitCodeOf, reportError } from "./report-error.js";
export type { ReportOptions } from "./report-error.js";
export { formatTable } from "./table.js";
export type { Column } from "./table.js";
export { TokenStreamer } from "./token-streamer.js";
export type { TokenStreamerOptions } from "./token-streamer.js";
