// Streams generated tokens to stdout as they arrive: decoded text (holding back what could still turn into a stop
// string or an incomplete character) or space-separated ids.

import type { TextSink } from "./cli-io.js";

export interface TokenStreamerOptions {
  readonly sink: TextSink;
  /** Decodes all tokens so far; undefined streams ids instead of text. */
  readonly decode?: (tokens: readonly number[]) => string;
  readonly stopStrings?: readonly string[];
}

/** Writes each token's new text as soon as it is certain; `finish` writes the rest of the final text. */
export class TokenStreamer {
  private readonly tokens: number[] = [];
  private emitted = "";
  private diverged = false;
  private readonly holdBack: number;

  constructor(private readonly o: TokenStreamerOptions) {
    this.holdBack = Math.max(0, ...(o.stopStrings ?? []).map((s) => s.length - 1));
  }

  push(token: number): void {
    this.tokens.push(token);
    if (this.o.decode === undefined) {
      this.o.sink.write(this.tokens.length === 1 ? String(token) : ` ${token}`);
      return;
    }
    if (this.diverged) return;
    let text = this.o.decode(this.tokens);
    for (const s of this.o.stopStrings ?? []) {
      const at = text.indexOf(s);
      if (at >= 0) text = text.slice(0, at);
    }
    text = text.slice(0, Math.max(0, text.length - this.holdBack)).replace(/\uFFFD+$/, "");
    if (!text.startsWith(this.emitted)) {
      // Decoding is not always prefix-stable (merged spaces, byte fallbacks): wait for the final text.
      this.diverged = true;
      return;
    }
    this.write(text.slice(this.emitted.length));
  }

  /** Ends the stream with the engine's final text (ids mode: just a newline). */
  finish(finalText: string | undefined): void {
    if (this.o.decode !== undefined && finalText !== undefined) {
      if (finalText.startsWith(this.emitted)) this.write(finalText.slice(this.emitted.length));
      else this.write(`\n${finalText}`);
    }
    this.o.sink.write("\n");
  }

  private write(s: string): void {
    if (s === "") return;
    this.o.sink.write(s);
    this.emitted += s;
  }
}
