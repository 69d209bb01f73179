// The run's progress bar on stderr: documents done of total, tokens prefilled and generated, and the rate. Redrawn
// in place (throttled) on a TTY; one plain line per finished document otherwise (logs, CI, tests).

import type { TextSink } from "./cli-io.js";

export interface ProgressOptions {
  readonly total: number;
  readonly label?: string;
  /** Minimum time between redraws on a TTY. */
  readonly throttleMs?: number;
  readonly width?: number;
}

const compact = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(0)}K` : String(n));

export class ProgressBar {
  private done = 0;
  private failed = 0;
  private promptTokens = 0;
  private generatedTokens = 0;
  private note = "";
  private lastDraw = 0;
  private drawn = false;
  private readonly started = performance.now();

  constructor(
    private readonly sink: TextSink,
    private readonly o: ProgressOptions,
  ) {}

  /** Counts tokens of an answered question (redraws on a TTY). */
  tokens(prompt: number, generated: number): void {
    this.promptTokens += prompt;
    this.generatedTokens += generated;
    if (this.sink.isTTY) this.draw(false);
  }

  /** Counts one finished document (`failed` for one that failed) and shows its name. */
  tick(note: string, failed = false): void {
    this.done = Math.min(this.o.total, this.done + 1);
    if (failed) this.failed++;
    this.note = note;
    if (this.sink.isTTY) this.draw(true);
    else this.sink.write(`${this.line()}\n`);
  }

  /** Clears the bar (TTY) so that following output starts on a clean line. */
  finish(): void {
    if (this.sink.isTTY && this.drawn) this.sink.write("\r\x1b[K");
    this.drawn = false;
  }

  private line(): string {
    const width = this.o.width ?? 20;
    const filled = this.o.total === 0 ? width : Math.round((this.done / this.o.total) * width);
    const secs = (performance.now() - this.started) / 1000;
    const rate = secs > 0 ? ((this.promptTokens + this.generatedTokens) / secs).toFixed(0) : "0";
    const failed = this.failed > 0 ? ` ${this.failed} failed` : "";
    return `${this.o.label ?? "docs"} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${this.done}/${this.o.total}${failed} | tokens ${compact(this.promptTokens)} in ${compact(this.generatedTokens)} out (${rate}/s) | ${secs.toFixed(0)}s ${this.note}`.trimEnd();
  }

  private draw(force: boolean): void {
    const now = performance.now();
    if (!force && now - this.lastDraw < (this.o.throttleMs ?? 100)) return;
    this.lastDraw = now;
    this.drawn = true;
    let line = this.line();
    const cols = this.sink.columns;
    if (cols !== undefined && line.length >= cols) line = line.slice(0, cols - 1);
    this.sink.write(`\r\x1b[K${line}`);
  }
}
