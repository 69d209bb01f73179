// The typed events of RedisConnection (STYLE.md G8): a misspelt event name or a wrong listener fails to compile.

import type { ApbError } from "@apb/core";

/** Event name → listener arguments. */
export interface RedisConnectionEvents {
  /**
   * A Redis connection failed or a background call (a read acknowledgement) was refused. ioredis reconnects on its
   * own; waits still end with typed errors. Emitted only while someone listens, so it never throws.
   */
  error: [err: ApbError];
  /** The connection was lost; ioredis tries again after `delayMs`. */
  reconnecting: [delayMs: number];
  /** The command connection is (again) connected and ready. */
  ready: [];
  /** close() finished: every connection of this object is gone. */
  closed: [];
}
