// ioredis clients for the job layer: one URL (AUTH, TLS via rediss://), RESP2 replies, no per-command retry limit
// (BullMQ's requirement for workers), and a connect that fails fast with a typed error.

import { TransportError } from "@apb/core";
import { redactUrl } from "@apb/transport-redis";
import { Redis } from "ioredis";

export interface RedisClientOptions {
  /** CLIENT SETNAME (visible in CLIENT LIST). */
  readonly name?: string;
  readonly connectTimeoutMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * Connects to `url` and waits for PING.
 * @throws TransportError TRANSPORT_CLOSED when Redis cannot be reached; ABORTED when `signal` fires first.
 */
export async function connectRedis(url: string, o: RedisClientOptions = {}): Promise<Redis> {
  if (o.signal?.aborted) throw new TransportError("ABORTED", "connecting to Redis was aborted", { cause: o.signal.reason });
  if (!/^rediss?:\/\//.test(url)) throw new TransportError("TRANSPORT_CLOSED", `Redis URL ${redactUrl(url)} must start with redis:// or rediss://`);
  const client = new Redis(url, {
    maxRetriesPerRequest: null,
    lazyConnect: true,
    protocol: 2,
    connectTimeout: o.connectTimeoutMs ?? 10_000,
    ...(o.name === undefined ? {} : { connectionName: o.name }),
  });
  let first: unknown;
  const onError = (err: unknown): void => void (first ??= err);
  client.on("error", onError);
  const onAbort = (): void => client.disconnect();
  o.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    client.disconnect();
    if (o.signal?.aborted) throw new TransportError("ABORTED", "connecting to Redis was aborted", { cause: o.signal.reason });
    const cause = first ?? err;
    throw new TransportError("TRANSPORT_CLOSED", `cannot connect to Redis at ${redactUrl(url)}: ${(cause as Error).message ?? String(cause)}`, { cause });
  } finally {
    o.signal?.removeEventListener("abort", onAbort);
    client.off("error", onError);
  }
  // Reconnects are ioredis's; errors while reconnecting are reported by the owners' own listeners.
  client.on("error", () => undefined);
  return client;
}

/** Closes a client: QUIT when connected, else drop the socket. Never throws. */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === "ready") await client.quit().catch(() => client.disconnect());
  else client.disconnect();
}
