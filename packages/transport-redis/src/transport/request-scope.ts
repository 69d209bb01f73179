// One request's Redis footprint: creates the transports of its hosts, knows its keys through the registry set,
// and deletes every one of them when the request ends (any process of the group may clean up).

import { ApbError, TransportError } from "@apb/core";
import type { SerializedApbError } from "@apb/core";
import type { RedisConnection } from "../connection/index.js";
import { redisFailure } from "../connection/index.js";
import type { RequestKeys } from "../keys/index.js";
import { RedisTransport } from "./redis-transport.js";

/** Which request of which group, and its size. */
export interface RequestScopeInit {
  /** The worker group (letters, digits, `_.-`). */
  readonly group: string;
  /** Unique per group while its keys exist (letters, digits, `_.-`); e.g. the job id. */
  readonly request: string;
  readonly numHosts: number;
}

/** Streams are deleted in batches of this many keys per UNLINK. */
const UNLINK_BATCH = 512;

/** The keys and transports of one request. */
export class RedisRequestScope {
  readonly keys: RequestKeys;
  readonly numHosts: number;
  private readonly transports = new Map<number, RedisTransport>();

  /** @throws InputError for a group or request id that cannot be part of a key. */
  constructor(
    private readonly connection: RedisConnection,
    init: RequestScopeInit,
  ) {
    this.keys = connection.keys.request(init.group, init.request);
    this.numHosts = init.numHosts;
  }

  /** The transport of `host` (one per host and scope). @throws InputError for a host outside the group. */
  transport(host: number): RedisTransport {
    let t = this.transports.get(host);
    if (t === undefined) {
      t = new RedisTransport({ connection: this.connection, keys: this.keys, host, numHosts: this.numHosts });
      this.transports.set(host, t);
    }
    return t;
  }

  /**
   * Fails the request on every host at once: `reason` goes to the request's control stream, so every pending and
   * later take of every host (in any process) rejects with HOST_FAILED carrying it, instead of waiting for its
   * timeout. The same as `transport(host).fail(reason)`, for a process that runs no host of the request (a leader
   * that aborts, a supervisor). The first failure of a request wins on every host.
   * @throws TransportError TRANSPORT_CLOSED when the scope's connection is closed; InputError for a bad host.
   */
  async fail(reason: ApbError | SerializedApbError, o: { readonly host?: number } = {}): Promise<void> {
    await this.transport(o.host ?? 0).fail(reason instanceof ApbError ? reason.toJSON() : reason);
  }

  /** Every key of this request that exists now, the registry included. */
  async listKeys(): Promise<string[]> {
    const c = this.connection.commands();
    try {
      const members = await c.smembers(this.keys.registry);
      const all = [...new Set([...members, this.keys.registry, this.keys.control, this.keys.acks])];
      const exists = await Promise.all(all.map((k) => c.exists(k)));
      return all.filter((_, i) => exists[i] === 1);
    } catch (err) {
      throw redisFailure(err, "list request keys");
    }
  }

  /** Closes this scope's transports (pending takes reject); keys stay until cleanup() or their TTL. */
  async close(reason?: TransportError): Promise<void> {
    await Promise.all([...this.transports.values()].map((t) => t.close(reason)));
  }

  /**
   * Closes this scope's transports and deletes every key of the request: the tag streams first, then the acks
   * hash, the control stream and the registry (so a late acknowledgement finds no stream and writes nothing).
   * A host that puts after cleanup re-creates keys that expire after ttlSeconds.
   * @returns the number of keys deleted. @throws TransportError TRANSPORT_CLOSED when Redis is gone.
   */
  async cleanup(): Promise<number> {
    await this.close(new TransportError("TRANSPORT_CLOSED", `request ${this.keys.request}: its keys were cleaned up`));
    const c = this.connection.commands();
    const last = [this.keys.acks, this.keys.control, this.keys.registry];
    try {
      const streams = (await c.smembers(this.keys.registry)).filter((k) => !last.includes(k));
      let deleted = 0;
      for (let i = 0; i < streams.length; i += UNLINK_BATCH) deleted += await c.unlink(...streams.slice(i, i + UNLINK_BATCH));
      return deleted + (await c.unlink(...last));
    } catch (err) {
      throw redisFailure(err, `clean up request ${this.keys.request}`);
    }
  }
}
