// The Transport contract: moves frames between the hosts of one group for one request (ARCHITECTURE.md).

import type { SerializedApbError } from "../errors/index.js";

export interface TakeOptions {
  readonly signal?: AbortSignal;
  /** Reject with TRANSPORT_TIMEOUT when the frames have not all arrived by then. */
  readonly timeoutMs: number;
}

/**
 * A keyed mailbox per request. Each host puts at most one frame per tag; readers take the frames of chosen
 * hosts under a tag. The engine builds its exchanges on it: per layer `kv:<layer>` (compressed blocks,
 * read by later hosts), per step and layer `p:<step>:<layer>` (partial attentions, read by all), per step
 * `t:<step>` (the sampled token, from the last host).
 */
export interface Transport {
  readonly host: number;
  readonly numHosts: number;
  /** Publishes this host's frame under `tag`; `numReaders` hosts will take it (lets the transport free it). */
  put(tag: string, frame: Uint8Array, numReaders: number): Promise<void>;
  /**
   * The frames under `tag` from each host in `from`, in that order.
   * @throws TransportError TRANSPORT_TIMEOUT, ABORTED, HOST_FAILED (a peer failed the request), TRANSPORT_CLOSED.
   */
  take(tag: string, from: readonly number[], opts: TakeOptions): Promise<Uint8Array[]>;
  /** Fails the request on every host: their pending and later takes reject with HOST_FAILED. */
  fail(error: SerializedApbError): Promise<void>;
}

/** A transport that holds connections for one request and must be closed after it. */
export interface ClosableTransport extends Transport {
  close(): Promise<void>;
}

/** What a transport module is given per request and host. `options` is the module's own (validated there). */
export interface TransportInit {
  /** Names the request across every host of the group (the same string on each). */
  readonly requestKey: string;
  readonly host: number;
  readonly numHosts: number;
  readonly options: unknown;
}

/** A transport module (e.g. @apb/transport-redis) exports `createTransport` of this type, for host threads to load. */
export type TransportFactory = (init: TransportInit) => Promise<ClosableTransport>;
