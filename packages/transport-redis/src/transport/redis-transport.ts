// The Transport contract over Redis Streams for one host of one request: a stream per tag (XADD of binary frames),
// gathered with short XREAD BLOCK loops that also watch the request's control stream for a peer's failure.

import { ApbError, FrameKind, InputError, TransportError, deserializeError, encodeError, expectFrame, toApbError } from "@apb/core";
import type { SerializedApbError, TakeOptions, Transport } from "@apb/core";
import type { RedisConnection } from "../connection/index.js";
import { redisFailure } from "../connection/index.js";
import type { RequestKeys } from "../keys/index.js";
import { decodeStreamMessage, encodeStreamMessage, frameTooLarge } from "./stream-message.js";
import type { StreamMessage } from "./stream-message.js";
import { TagState, compareStreamIds } from "./tag-state.js";
import type { StoredFrame } from "./tag-state.js";

/** What xreadBuffer returns (RESP2 shape; RESP3 with ioredis's legacy reply mapping reads the same). */
type XReadReply = [key: Buffer, items: [id: Buffer, fields: Buffer[]][]][] | null;

export interface RedisTransportInit {
  readonly connection: RedisConnection;
  readonly keys: RequestKeys;
  readonly host: number;
  readonly numHosts: number;
}

interface TakeRun {
  stopped: boolean;
  readonly deadline: number;
}

/** The HOST_FAILED error every take rejects with once some host failed the request (as core's hub words it). */
function hostFailed(cause: SerializedApbError, host: number | undefined): TransportError {
  return new TransportError("HOST_FAILED", cause.message, { cause: deserializeError(cause), data: { cause, ...(host === undefined ? {} : { host }) } });
}

/**
 * One host's Transport for one request. Each host puts at most one frame per tag; each reader takes a given
 * (tag, host) frame once, and the last of its `numReaders` readers deletes the entry. Keys are registered in the
 * request's registry set (see RedisRequestScope.cleanup) and expire after ttlSeconds.
 */
export class RedisTransport implements Transport {
  readonly host: number;
  readonly numHosts: number;
  private readonly connection: RedisConnection;
  private readonly keys: RequestKeys;
  private readonly tags = new Map<string, TagState>();
  private controlCursor = "0-0";
  private failure: TransportError | undefined;
  private closedWith: TransportError | undefined;
  private readonly waiters = new Set<(err: ApbError) => void>();
  private readonly acks = new Set<Promise<void>>();

  constructor(init: RedisTransportInit) {
    ({ host: this.host, numHosts: this.numHosts, connection: this.connection, keys: this.keys } = init);
    if (!Number.isInteger(this.numHosts) || this.numHosts < 1 || this.numHosts > 0xffff) throw new InputError("INPUT_INVALID", `numHosts must be an integer in [1, 65535], got ${this.numHosts}`);
    if (!Number.isInteger(this.host) || this.host < 0 || this.host >= this.numHosts) throw new InputError("INPUT_INVALID", `host must be an integer in [0, ${this.numHosts}), got ${this.host}`);
  }

  /** The failure that ended this request (HOST_FAILED), once one is known. */
  get failed(): TransportError | undefined {
    return this.failure;
  }

  /**
   * XADDs this host's frame to the tag's stream (atomically with its TTL and registry entry).
   * @throws TransportError FRAME_INVALID over maxFrameBytes, TRANSPORT_CLOSED; ApbError INTERNAL when Redis refuses.
   */
  async put(tag: string, frame: Uint8Array, numReaders: number): Promise<void> {
    this.assertOpen();
    const key = this.keys.stream(tag);
    if (this.failure !== undefined || numReaders <= 0) return; // as the in-process hub: nobody will read it
    const max = this.connection.options.maxFrameBytes;
    if (frame.byteLength > max) throw frameTooLarge(frame.byteLength, max);
    await this.append(key, { v: 1, kind: "frame", host: this.host, readers: numReaders, frame }, `XADD ${tag}`);
  }

  /**
   * The frames under `tag` from each host in `from`, in that order.
   * @throws TransportError TRANSPORT_TIMEOUT, ABORTED, HOST_FAILED (cause in data.cause), TRANSPORT_CLOSED,
   * FRAME_INVALID (a malformed stream entry); InputError for hosts outside the group.
   */
  async take(tag: string, from: readonly number[], opts: TakeOptions): Promise<Uint8Array[]> {
    this.assertOpen();
    const key = this.keys.stream(tag);
    if (from.length === 0) return [];
    if (opts.signal?.aborted) throw this.aborted(tag, opts.signal);
    if (this.failure !== undefined) throw this.failure;
    const outside = from.find((h) => !Number.isInteger(h) || h < 0 || h >= this.numHosts);
    if (outside !== undefined) throw new InputError("INPUT_INVALID", `take ${tag}: host ${outside} is outside the group of ${this.numHosts}`);
    const state = this.tagState(tag);
    const again = state.conflict(from);
    if (again !== undefined) throw new ApbError("INTERNAL", `host ${this.host} takes ${tag} from host ${again} twice; each frame is taken once per reader`);
    return this.wait({ tag, key, from, state }, opts);
  }

  /**
   * Fails the request on every host: writes core's error frame to the control stream, which every pending and
   * later take reads, so they reject with HOST_FAILED. This host's own takes reject at once.
   * @throws TransportError TRANSPORT_CLOSED.
   */
  async fail(error: SerializedApbError): Promise<void> {
    this.assertOpen();
    this.setFailure(hostFailed(error, this.host));
    const frame = encodeError({ host: this.host, tag: 0, error });
    await this.append(this.keys.control, { v: 1, kind: "fail", host: this.host, frame }, "XADD control");
  }

  /**
   * Rejects every pending take with `reason` (default TRANSPORT_CLOSED); later calls reject with it too. Resolves
   * once the read acknowledgements sent so far have finished. Keys stay (see RedisRequestScope.cleanup).
   */
  async close(reason?: TransportError): Promise<void> {
    if (this.closedWith === undefined) {
      this.closedWith = reason ?? new TransportError("TRANSPORT_CLOSED", `host ${this.host}: the Redis transport is closed`);
      for (const reject of [...this.waiters]) reject(this.closedWith);
    }
    await this.drain();
  }

  /** Resolves when the read acknowledgements sent so far have finished. */
  async drain(): Promise<void> {
    while (this.acks.size > 0) await Promise.all([...this.acks]);
  }

  private assertOpen(): void {
    if (this.closedWith !== undefined) throw this.closedWith;
    if (this.connection.isClosed) throw new TransportError("TRANSPORT_CLOSED", `host ${this.host}: the Redis connection is closed`);
  }

  private tagState(tag: string): TagState {
    let s = this.tags.get(tag);
    if (s === undefined) this.tags.set(tag, (s = new TagState()));
    return s;
  }

  private setFailure(err: TransportError): void {
    if (this.failure !== undefined) return;
    this.failure = err;
    for (const reject of [...this.waiters]) reject(err);
  }

  private aborted(tag: string, signal: AbortSignal): TransportError {
    return new TransportError("ABORTED", `host ${this.host}: request aborted while waiting for ${tag}`, { cause: signal.reason });
  }

  /** XADD with MAXLEN guard, TTL and registry membership in one MULTI: no key exists without expiry or registration. */
  private async append(key: string, message: StreamMessage, what: string): Promise<void> {
    const o = this.connection.options;
    const registry = this.keys.registry;
    let replies: [Error | null, unknown][] | null;
    try {
      replies = await this.connection
        .commands()
        .multi()
        .xadd(key, "MAXLEN", "~", o.maxStreamEntries, "*", ...encodeStreamMessage(message))
        .expire(key, o.ttlSeconds)
        .sadd(registry, key, this.keys.acks)
        .expire(registry, o.ttlSeconds)
        .exec();
    } catch (err) {
      throw this.closedWith ?? redisFailure(err, what);
    }
    const failed = replies?.find(([e]) => e !== null)?.[0] ?? undefined;
    if (replies === null || failed !== undefined) throw redisFailure(failed ?? new Error("MULTI was discarded"), what);
  }

  private wait(t: { tag: string; key: string; from: readonly number[]; state: TagState }, opts: TakeOptions): Promise<Uint8Array[]> {
    const run: TakeRun = { stopped: false, deadline: performance.now() + opts.timeoutMs };
    t.state.want(t.from);
    return new Promise<Uint8Array[]>((resolve, reject) => {
      const settle = (err: ApbError | undefined): void => {
        if (run.stopped) return;
        run.stopped = true;
        clearTimeout(timer);
        opts.signal?.removeEventListener("abort", onAbort);
        this.waiters.delete(settle);
        t.state.unwant(t.from);
        if (err !== undefined) return reject(err);
        const frames = t.state.take(t.from);
        this.acknowledge(t.tag, frames);
        resolve(frames.map((f) => f.frame));
      };
      const onAbort = (): void => settle(this.aborted(t.tag, opts.signal!));
      const timer = setTimeout(() => {
        const missing = t.state.missing(t.from);
        settle(new TransportError("TRANSPORT_TIMEOUT", `host ${this.host}: no frames for ${t.tag} from hosts [${missing.join(", ")}] within ${opts.timeoutMs} ms`, { data: { tag: t.tag, missing } }));
      }, opts.timeoutMs);
      opts.signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.add(settle);
      this.readUntil(t, run).then(
        () => settle(undefined),
        (err: unknown) => settle(this.closedWith ?? toApbError(err)),
      );
    });
  }

  /** Reads until every host of `from` is buffered; each XREAD blocks at most blockMs (or what is left). */
  private async readUntil(t: { tag: string; key: string; from: readonly number[]; state: TagState }, run: TakeRun): Promise<void> {
    for (;;) {
      if (run.stopped) return;
      if (this.failure !== undefined) throw this.failure;
      await this.fetchSkipped(t);
      if (t.state.missing(t.from).length === 0) return;
      const blockMs = Math.max(1, Math.min(this.connection.options.blockMs, Math.ceil(run.deadline - performance.now())));
      const c = this.connection.acquireBlocking();
      let reply: XReadReply;
      try {
        reply = (await c.xreadBuffer("COUNT", this.numHosts, "BLOCK", blockMs, "STREAMS", this.keys.control, t.key, this.controlCursor, t.state.cursor)) as XReadReply;
      } catch (err) {
        throw this.closedWith ?? redisFailure(err, `XREAD ${t.tag}`);
      } finally {
        this.connection.releaseBlocking(c);
      }
      this.ingest(t, reply);
    }
  }

  /** Control entries first (a failure wins over frames that arrived with it), then the tag's entries. */
  private ingest(t: { tag: string; key: string; state: TagState }, reply: XReadReply): void {
    const streams = reply ?? [];
    const control = this.keys.control;
    for (const [k, items] of streams) if (k.toString() === control) for (const [id, fields] of items) this.onControl(id.toString(), fields);
    for (const [k, items] of streams) {
      if (k.toString() !== t.key) continue;
      for (const [id, fields] of items) this.onEntry(t.state, id.toString(), fields);
    }
  }

  private onEntry(state: TagState, entryId: string, fields: Buffer[]): void {
    state.advance(entryId);
    const m = decodeStreamMessage(fields, this.connection.options.maxFrameBytes);
    if (m.kind !== "frame") throw new TransportError("FRAME_INVALID", `bad stream entry: a ${m.kind} entry in a tag stream`);
    state.accept({ entryId, host: m.host, readers: m.readers, frame: m.frame });
  }

  private onControl(entryId: string, fields: Buffer[]): void {
    if (compareStreamIds(entryId, this.controlCursor) > 0) this.controlCursor = entryId;
    try {
      const m = decodeStreamMessage(fields, this.connection.options.maxFrameBytes);
      if (m.kind !== "fail") throw new TransportError("FRAME_INVALID", `bad stream entry: a ${m.kind} entry in the control stream`);
      this.setFailure(hostFailed(expectFrame(m.frame, FrameKind.Error).error, m.host));
    } catch (err) {
      this.setFailure(hostFailed(toApbError(err).toJSON(), undefined));
    }
  }

  /** Entries read past before anyone wanted them: fetched by id now that a take does. */
  private async fetchSkipped(t: { tag: string; key: string; from: readonly number[]; state: TagState }): Promise<void> {
    for (const { host, entryId } of t.state.skippedOf(t.from)) {
      let items: [id: Buffer, fields: Buffer[]][];
      try {
        items = (await this.connection.commands().xrangeBuffer(t.key, entryId, entryId)) as [Buffer, Buffer[]][];
      } catch (err) {
        throw this.closedWith ?? redisFailure(err, `XRANGE ${t.tag}`);
      }
      if (items.length === 0) t.state.dropSkipped(host);
      for (const [id, fields] of items) this.onEntry(t.state, id.toString(), fields);
    }
  }

  /** Counts this host's read of each frame; the last reader deletes the entry (background, reported on error). */
  private acknowledge(tag: string, frames: readonly StoredFrame[]): void {
    const key = this.keys.stream(tag);
    for (const f of frames) {
      const p: Promise<void> = this.connection
        .ackFrame([key, this.keys.acks], [this.keys.ackField(tag, f.entryId), f.entryId, f.readers])
        .then(
          () => undefined,
          (err: unknown) => this.connection.report(err, `acknowledge ${tag}`),
        )
        .finally(() => this.acks.delete(p));
      this.acks.add(p);
    }
  }
}
