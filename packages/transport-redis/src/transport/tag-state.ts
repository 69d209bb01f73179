// What one host knows about one tag's stream: its read cursor, frames read but not yet taken, entries it read
// past because nobody wanted them then, and the hosts it already took. Pure bookkeeping, no I/O.

/** A frame read from a tag's stream, with what the last-reader acknowledgement needs. */
export interface StoredFrame {
  readonly entryId: string;
  readonly host: number;
  readonly readers: number;
  readonly frame: Uint8Array;
}

/** Orders stream ids (`<ms>-<seq>`); -1, 0 or 1. */
export function compareStreamIds(a: string, b: string): number {
  const [am, as] = a.split("-").map(BigInt) as [bigint, bigint];
  const [bm, bs] = b.split("-").map(BigInt) as [bigint, bigint];
  if (am !== bm) return am < bm ? -1 : 1;
  return as === bs ? 0 : as < bs ? -1 : 1;
}

/** How an entry was received. */
export type Accepted = "buffered" | "skipped" | "duplicate";

/** One host's view of one tag. Frames are buffered only for hosts some pending take wants (8 MB blocks add up). */
export class TagState {
  /** Last entry id read; XREAD continues after it. */
  cursor = "0-0";
  private readonly buffered = new Map<number, StoredFrame>();
  /** Entries read past while nobody wanted their host: host → entry id, fetched with XRANGE when wanted. */
  private readonly skipped = new Map<number, string>();
  private readonly consumed = new Set<number>();
  private readonly wanted = new Map<number, number>();

  /** Registers a pending take of these hosts. */
  want(from: readonly number[]): void {
    for (const h of from) this.wanted.set(h, (this.wanted.get(h) ?? 0) + 1);
  }

  /** Unregisters a pending take (it finished, failed or was abandoned). */
  unwant(from: readonly number[]): void {
    for (const h of from) {
      const n = (this.wanted.get(h) ?? 0) - 1;
      if (n > 0) this.wanted.set(h, n);
      else this.wanted.delete(h);
    }
  }

  /** Moves the cursor past an entry (also one that turned out malformed). */
  advance(entryId: string): void {
    if (compareStreamIds(entryId, this.cursor) > 0) this.cursor = entryId;
  }

  /** Records one entry read from the stream; the first entry of a host wins, later ones are duplicates. */
  accept(f: StoredFrame): Accepted {
    this.advance(f.entryId);
    if (this.buffered.has(f.host) || this.consumed.has(f.host)) return "duplicate";
    const skippedId = this.skipped.get(f.host);
    if (skippedId !== undefined && skippedId !== f.entryId) return "duplicate";
    if (!this.wanted.has(f.host)) {
      this.skipped.set(f.host, f.entryId);
      return "skipped";
    }
    this.skipped.delete(f.host);
    this.buffered.set(f.host, f);
    return "buffered";
  }

  /** Skipped entries of these hosts, to fetch by id. */
  skippedOf(from: readonly number[]): { host: number; entryId: string }[] {
    return from.flatMap((host) => {
      const entryId = this.skipped.get(host);
      return entryId === undefined ? [] : [{ host, entryId }];
    });
  }

  /** Forgets a skipped entry that is gone from the stream. */
  dropSkipped(host: number): void {
    this.skipped.delete(host);
  }

  /** Hosts of `from` whose frame has not been read yet. */
  missing(from: readonly number[]): number[] {
    return from.filter((h) => !this.buffered.has(h));
  }

  /** A host of `from` that this host already took or is taking (each frame is taken once per reader), if any. */
  conflict(from: readonly number[]): number | undefined {
    return from.find((h) => this.consumed.has(h) || this.wanted.has(h));
  }

  /** Hands out the frames of `from` in that order and releases them. Call only when missing(from) is empty. */
  take(from: readonly number[]): StoredFrame[] {
    return from.map((h) => {
      const f = this.buffered.get(h)!;
      this.buffered.delete(h);
      this.consumed.add(h);
      return f;
    });
  }
}
