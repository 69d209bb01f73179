// Generated token ids → streamed text deltas: decodes the whole answer each time and emits only text that can no
// longer change (no half UTF-8 character, no possible start of a stop string), cut before the first stop string.

/** What the assembler needs of a tokenizer. */
export interface TokenDecoder {
  decode(ids: ArrayLike<number>, opts: { skipSpecialTokens: boolean }): string;
}

const REPLACEMENT = "\uFFFD";

/** The text of an answer so far, and how much of it has been streamed. */
export class TextAssembler {
  private emitted = "";
  private cut = false;

  constructor(
    private readonly decoder: TokenDecoder,
    private readonly opts: { readonly stop: readonly string[]; readonly stripLeadingSpace: boolean },
  ) {}

  /** True once the text contains a stop string (later tokens add nothing). */
  get stopped(): boolean {
    return this.cut;
  }

  /** The text streamed so far. */
  get text(): string {
    return this.emitted;
  }

  /** The new text to stream for all tokens so far ("" when nothing is certain yet). */
  update(tokens: readonly number[]): string {
    if (this.cut) return "";
    const { text, stoppedAt } = this.render(tokens);
    let safe = text;
    if (stoppedAt === undefined) {
      safe = safe.endsWith(REPLACEMENT) ? safe.replace(/\uFFFD+$/, "") : safe;
      safe = safe.slice(0, safe.length - this.heldBack(safe));
    } else this.cut = true;
    return this.advance(safe);
  }

  /** The rest of the text once generation ended (a trailing half character stays as decoded). */
  finish(tokens: readonly number[]): string {
    if (this.cut) return "";
    const { text, stoppedAt } = this.render(tokens);
    if (stoppedAt !== undefined) this.cut = true;
    return this.advance(text);
  }

  private render(tokens: readonly number[]): { text: string; stoppedAt: number | undefined } {
    let text = this.decoder.decode(tokens, { skipSpecialTokens: true });
    if (this.opts.stripLeadingSpace && text.startsWith(" ")) text = text.slice(1);
    let stoppedAt: number | undefined;
    for (const s of this.opts.stop) {
      const at = text.indexOf(s);
      if (at >= 0 && (stoppedAt === undefined || at < stoppedAt)) stoppedAt = at;
    }
    return { text: stoppedAt === undefined ? text : text.slice(0, stoppedAt), stoppedAt };
  }

  /** Length of the longest tail of `text` that starts some stop string (it may become one). */
  private heldBack(text: string): number {
    let keep = 0;
    for (const s of this.opts.stop) {
      for (let n = Math.min(s.length - 1, text.length); n > keep; n--) {
        if (text.endsWith(s.slice(0, n))) {
          keep = n;
          break;
        }
      }
    }
    return keep;
  }

  /** Emits the part of `safe` past what was streamed (a decoder may re-render earlier text; never re-emit it). */
  private advance(safe: string): string {
    if (!safe.startsWith(this.emitted) || safe.length <= this.emitted.length) return "";
    const delta = safe.slice(this.emitted.length);
    this.emitted = safe;
    return delta;
  }
}
