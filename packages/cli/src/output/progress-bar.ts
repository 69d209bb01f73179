// A tiny progress bar on stderr: redrawn in place (throttled) on a TTY, one plain line per step otherwise.

import type { TextSink } from "./cli-io.js";

export interface ProgressOptions {
  readonly total: number;
  readonly label?: string;
  /** Minimum time between redraws on a TTY. */
  readonly throttleMs?: number;
  readonly width?: number;
}

/** Counts steps of known number; `step(note)` announces what runs next, `tick()` counts one done. */
export class ProgressBar {
  private done = 0;
  private note = "";
  private lastDraw = 0;
  private drawn = false;
  private readonly started = performance.now();

  constructor(
    private readonly sink: TextSink,
    private readonly o: ProgressOptions,
  ) {}

  /** Starts the next step: a plain line when not a TTY, a redraw otherwise. */
  step(note: string): void {
    this.note = note;
    if (this.sink.isTTY) this.draw(true);
    else this.sink.write(`${this.o.label ?? "progress"} [${this.done + 1}/${this.o.total}] ${note}\n`);
  }

  /** Marks one step finished. */
  tick(): void {
    this.done = Math.min(this.o.total, this.done + 1);
    if (this.sink.isTTY) this.draw(this.done === this.o.total);
  }

  /** Clears the bar (TTY) so that following output starts on a clean line. */
  finish(): void {
    if (this.sink.isTTY && this.drawn) this.sink.write("\r\x1b[K");
    this.drawn = false;
  }

  private draw(force: boolean): void {
    const now = performance.now();
    if (!force && now - this.lastDraw < (this.o.throttleMs ?? 100)) return;
    this.lastDraw = now;
    this.drawn = true;
    const width = this.o.width ?? 24;
    const filled = this.o.total === 0 ? width : Math.round((this.done / this.o.total) * width);
    const bar = "#".repeat(filled) + "-".repeat(width - filled);
    const secs = ((now - this.started) / 1000).toFixed(0);
    let line = `${this.o.label ?? ""} [${bar}] ${this.done}/${this.o.total} ${secs}s ${this.note}`.trimStart();
    const cols = this.sink.columns;
    if (cols !== undefined && line.length >= cols) line = line.slice(0, cols - 1);
    this.sink.write(`\r\x1b[K${line}`);
  }
}
