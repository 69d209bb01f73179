// The streams and environment a command writes to: process.stdout/stderr in the bin, buffers in tests; and the
// default program name that help and error messages print.

/** The program named in help and error messages unless a command or report says otherwise. */
export const DEFAULT_PROGRAM = "apb";

/** A writable text stream; `isTTY` decides between a redrawn progress bar and plain lines. */
export interface TextSink {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** What a command may touch besides its options. */
export interface CliIo {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborted on Ctrl-C: long commands stop, clean up and exit 130. */
  readonly signal?: AbortSignal;
}

/** The real process streams. */
export function processIo(signal?: AbortSignal): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, signal };
}
