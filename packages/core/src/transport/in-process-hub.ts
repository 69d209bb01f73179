// The in-process exchange: a hub on the main thread holds each request's frames and answers the takes of the
// host worker threads. Frames cross as transferred ArrayBuffers; the last reader gets the original, others copies.

import type { SerializedApbError } from "../errors/index.js";

interface Stored {
  frame: Uint8Array;
  remaining: number;
}

interface Waiting {
  readonly host: number;
  readonly id: number;
  readonly tag: string;
  readonly from: readonly number[];
}

/** How the hub answers a host: a callback per host (posting to its worker). */
export interface HubReplies {
  frames(host: number, id: number, frames: Uint8Array[]): void;
  failed(host: number, id: number, error: SerializedApbError): void;
}

/** One request's mailbox. */
export class RequestHub {
  private readonly store = new Map<string, Map<number, Stored>>();
  private waiting: Waiting[] = [];
  private failure: SerializedApbError | undefined;

  constructor(private readonly replies: HubReplies) {}

  get failed(): SerializedApbError | undefined {
    return this.failure;
  }

  /** Number of frames still held (for leak checks). */
  get numHeld(): number {
    let n = 0;
    for (const m of this.store.values()) n += m.size;
    return n;
  }

  put(host: number, tag: string, frame: Uint8Array, numReaders: number): void {
    if (this.failure !== undefined || numReaders <= 0) return;
    let byHost = this.store.get(tag);
    if (byHost === undefined) this.store.set(tag, (byHost = new Map()));
    if (byHost.has(host)) {
      this.fail({ code: "FRAME_INVALID", message: `host ${host} put tag ${tag} twice` });
      return;
    }
    byHost.set(host, { frame, remaining: numReaders });
    this.waiting = this.waiting.filter((w) => !this.tryServe(w));
  }

  take(host: number, id: number, tag: string, from: readonly number[]): void {
    if (this.failure !== undefined) {
      this.replies.failed(host, id, this.failure);
      return;
    }
    const w = { host, id, tag, from };
    if (!this.tryServe(w)) this.waiting.push(w);
  }

  /** Fails every pending and later take of this request. The first failure wins. */
  fail(error: SerializedApbError): void {
    if (this.failure !== undefined) return;
    this.failure = { code: "HOST_FAILED", message: error.message, data: { cause: error } };
    for (const w of this.waiting) this.replies.failed(w.host, w.id, this.failure);
    this.waiting = [];
    this.store.clear();
  }

  /** Drops everything (the request ended). */
  clear(): void {
    this.store.clear();
    this.waiting = [];
  }

  private tryServe(w: Waiting): boolean {
    const byHost = this.store.get(w.tag);
    if (byHost === undefined || !w.from.every((h) => byHost.has(h))) return false;
    const frames = w.from.map((h) => {
      const s = byHost.get(h)!;
      s.remaining -= 1;
      if (s.remaining > 0) return s.frame.slice();
      byHost.delete(h);
      return s.frame;
    });
    if (byHost.size === 0) this.store.delete(w.tag);
    this.replies.frames(w.host, w.id, frames);
    return true;
  }
}
