// A tiny progress bar on stderr: redrawn in place (throttled) on a TTY, one plain line per step otherwise.

import { ProgressLine } from "./progress-line.js";

/** Counts steps of known number; `step(note)` announces what runs next, `tick()` counts one done. */
export class ProgressBar extends ProgressLine {
  /** Starts the next step: a plain line when not a TTY, a redraw otherwise. */
  step(note: string): void {
    this.note = note;
    if (this.isTTY) this.draw(true);
    else this.sink.write(`${this.o.label ?? "progress"} [${this.done + 1}/${this.o.total}] ${note}\n`);
  }

  /** Marks one step finished. */
  tick(): void {
    this.done = Math.min(this.o.total, this.done + 1);
    if (this.isTTY) this.draw(this.done === this.o.total);
  }

  protected line(): string {
    const secs = this.elapsedSeconds.toFixed(0);
    return `${this.o.label ?? ""} ${this.bar(24)} ${this.done}/${this.o.total} ${secs}s ${this.note}`.trimStart();
  }
}
