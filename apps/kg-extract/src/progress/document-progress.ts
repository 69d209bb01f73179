// The run's progress bar on stderr: documents done of total, tokens prefilled and generated, and the rate. Redrawn
// in place (throttled) on a TTY (the toolkit's ProgressLine); one plain line per finished document otherwise.

import { ProgressLine } from "@apb/cli/toolkit";

const compact = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(0)}K` : String(n));

/** Counts finished documents (and failed ones) and the tokens their questions used. */
export class DocumentProgress extends ProgressLine {
  private failed = 0;
  private promptTokens = 0;
  private generatedTokens = 0;

  /** Counts tokens of an answered question (redraws on a TTY). */
  tokens(prompt: number, generated: number): void {
    this.promptTokens += prompt;
    this.generatedTokens += generated;
    if (this.isTTY) this.draw(false);
  }

  /** Counts one finished document (`failed` for one that failed) and shows its name. */
  tick(note: string, failed = false): void {
    this.done = Math.min(this.o.total, this.done + 1);
    if (failed) this.failed++;
    this.note = note;
    if (this.isTTY) this.draw(true);
    else this.sink.write(`${this.line()}\n`);
  }

  protected line(): string {
    const secs = this.elapsedSeconds;
    const rate = secs > 0 ? ((this.promptTokens + this.generatedTokens) / secs).toFixed(0) : "0";
    const failed = this.failed > 0 ? ` ${this.failed} failed` : "";
    const tokens = `tokens ${compact(this.promptTokens)} in ${compact(this.generatedTokens)} out (${rate}/s)`;
    return `${this.o.label ?? "docs"} ${this.bar(20)} ${this.done}/${this.o.total}${failed} | ${tokens} | ${secs.toFixed(0)}s ${this.note}`.trimEnd();
  }
}
