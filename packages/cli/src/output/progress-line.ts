// The base of progress bars on stderr: steps done of a known total and a note, redrawn in place on a TTY (throttled,
// cut to the terminal width) and cleared at the end. Subclasses decide the text and what to print off a TTY.

import type { TextSink } from "./cli-io.js";

export interface ProgressOptions {
  readonly total: number;
  readonly label?: string;
  /** Minimum time between redraws on a TTY. */
  readonly throttleMs?: number;
  readonly width?: number;
}

/** `#####-----`: `done` out of `total` in `width` characters (full when total is 0). */
export function formatBar(done: number, total: number, width: number): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return "#".repeat(filled) + "-".repeat(width - filled);
}

/** Counts steps of known number on one status line; `line()` is the text a subclass shows. */
export abstract class ProgressLine {
  protected done = 0;
  protected note = "";
  private lastDraw = 0;
  private drawn = false;
  private readonly started = performance.now();

  constructor(
    protected readonly sink: TextSink,
    protected readonly o: ProgressOptions,
  ) {}

  /** Clears the bar (TTY) so that following output starts on a clean line. */
  finish(): void {
    if (this.isTTY && this.drawn) this.sink.write("\r\x1b[K");
    this.drawn = false;
  }

  /** The text of the line (without the redraw escapes). */
  protected abstract line(): string;

  /** True when the sink is a terminal (redraws), false for logs and pipes (plain lines). */
  protected get isTTY(): boolean {
    return this.sink.isTTY === true;
  }

  /** Seconds since the bar was created. */
  protected get elapsedSeconds(): number {
    return (performance.now() - this.started) / 1000;
  }

  /** `[#####-----]` with the given default width. */
  protected bar(defaultWidth: number): string {
    return `[${formatBar(this.done, this.o.total, this.o.width ?? defaultWidth)}]`;
  }

  /** Redraws the line unless the last redraw was under `throttleMs` ago and `force` is false. */
  protected draw(force: boolean): void {
    const now = performance.now();
    if (!force && now - this.lastDraw < (this.o.throttleMs ?? 100)) return;
    this.lastDraw = now;
    this.drawn = true;
    let text = this.line();
    const cols = this.sink.columns;
    if (cols !== undefined && text.length >= cols) text = text.slice(0, cols - 1);
    this.sink.write(`\r\x1b[K${text}`);
  }
}
