// One process's connections to Redis for the transport: a command connection (puts, acks, cleanup) and a pool of
// blocking connections duplicated from it, since an XREAD BLOCK holds its connection until it returns.

import { EventEmitter } from "node:events";
import { TransportError } from "@apb/core";
import { Redis } from "ioredis";
import { RedisKeys } from "../keys/index.js";
import { parseRedisTransportOptions, redactUrl, toIoredisOptions } from "../options/index.js";
import type { RedisTransportOptions, RedisTransportOptionsInput } from "../options/index.js";
import { ackFrame2, defineScript } from "../scripts/index.js";
import type { LoadedScript } from "../scripts/index.js";
import type { RedisConnectionEvents } from "./connection-events.js";
import { redisFailure } from "./redis-errors.js";

type ScriptCall = (...args: (string | number)[]) => Promise<unknown>;

/**
 * Shared by every request scope and transport of a process. Reconnects are ioredis's: commands queue while the
 * connection is down, blocking reads (maxRetriesPerRequest: null) are resent after a reconnect.
 */
export class RedisConnection extends EventEmitter<RedisConnectionEvents> {
  readonly keys: RedisKeys;
  private readonly idle: Redis[] = [];
  private readonly blocking = new Set<Redis>();
  private readonly ackScript: LoadedScript;
  private closing: Promise<void> | undefined;

  private constructor(
    readonly options: RedisTransportOptions,
    private readonly client: Redis,
  ) {
    super();
    this.keys = new RedisKeys(options.keyPrefix);
    this.ackScript = defineScript(client, ackFrame2);
    client.on("error", (err: unknown) => this.report(err, "connection"));
    client.on("reconnecting", (delayMs: number) => this.emit("reconnecting", delayMs));
    client.on("ready", () => this.emit("ready"));
  }

  /**
   * Validates the options and connects (AUTH and TLS included) before returning.
   * @throws RedisConfigError for bad options or refused credentials; TransportError TRANSPORT_CLOSED when Redis
   * cannot be reached within connectTimeoutMs.
   */
  static async connect(input: RedisTransportOptionsInput): Promise<RedisConnection> {
    const options = parseRedisTransportOptions(input);
    const client = new Redis(toIoredisOptions(options));
    let first: unknown; // connect() only says "Connection is closed."; the error event has the cause (NOAUTH, ECONNREFUSED)
    const onError = (err: unknown): void => void (first ??= err);
    client.on("error", onError);
    try {
      await client.connect();
      await client.ping();
    } catch (err) {
      client.disconnect(); // stops ioredis's reconnect attempts
      throw redisFailure(first ?? err, `connect to ${redactUrl(options.url)}`);
    }
    client.off("error", onError);
    return new RedisConnection(options, client);
  }

  get isClosed(): boolean {
    return this.closing !== undefined;
  }

  /** @internal The command connection. @throws TransportError TRANSPORT_CLOSED after close(). */
  commands(): Redis {
    this.assertOpen();
    return this.client;
  }

  /** @internal A blocking connection for one XREAD; give it back with releaseBlocking. */
  acquireBlocking(): Redis {
    this.assertOpen();
    const reused = this.idle.pop();
    if (reused !== undefined) return reused;
    const c = this.client.duplicate({ maxRetriesPerRequest: null, lazyConnect: true });
    c.on("error", (err: unknown) => this.report(err, "blocking connection"));
    this.blocking.add(c);
    return c;
  }

  /** @internal */
  releaseBlocking(c: Redis): void {
    if (this.closing === undefined) this.idle.push(c);
  }

  /** @internal Runs the ack script: 0 stream gone, 1 counted, 2 last reader (entry deleted). */
  async ackFrame(keys: readonly [stream: string, acks: string], args: readonly [field: string, entryId: string, readers: number]): Promise<number> {
    const call = (this.commands() as unknown as Record<string, ScriptCall>)[this.ackScript.name]!;
    return Number(await call.call(this.client, ...keys, ...args, this.options.ttlSeconds));
  }

  /** @internal Emits a background failure to `error` listeners (never throws when nobody listens). */
  report(err: unknown, what: string): void {
    if (this.closing !== undefined || this.listenerCount("error") === 0) return;
    this.emit("error", redisFailure(err, what));
  }

  /** Closes every connection; pending reads reject, and transports over it reject with TRANSPORT_CLOSED. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const c of this.blocking) c.disconnect();
      this.idle.length = 0;
      if (this.client.status === "ready") await this.client.quit().catch(() => this.client.disconnect());
      else this.client.disconnect();
      this.emit("closed");
    })();
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closing !== undefined) throw new TransportError("TRANSPORT_CLOSED", "the Redis connection is closed");
  }
}
