// A host's liveness key: SET <heartbeat> <instance> PX ttl, refreshed every interval, so the group sees who is
// alive and notices a restart (a new instance id) even when the old key had not yet expired.

import { randomUUID } from "node:crypto";
import { ApbError } from "@apb/core";
import type { Redis } from "ioredis";

export interface HeartbeatOptions {
  /** Refresh period (default 500 ms). */
  readonly intervalMs?: number;
  /** Expiry of the key (default 2 s): a host silent for this long counts as gone. */
  readonly ttlMs?: number;
}

/** This process's heartbeat for one (group, host). */
export class Heartbeat {
  /** Unique per process start. */
  readonly instance = randomUUID();
  readonly intervalMs: number;
  readonly ttlMs: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: Redis,
    readonly key: string,
    o: HeartbeatOptions = {},
  ) {
    this.intervalMs = o.intervalMs ?? 500;
    this.ttlMs = o.ttlMs ?? 2000;
  }

  /**
   * Claims the key (SET NX): waits while another process holds it (a killed one's key expires within ttlMs).
   * @throws ApbError CONFIG_INVALID when another live process keeps it for `timeoutMs` (two processes for one host).
   */
  async acquire(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      if ((await this.redis.set(this.key, this.instance, "PX", this.ttlMs, "NX")) === "OK") return;
      if (performance.now() > deadline) {
        throw new ApbError("CONFIG_INVALID", `${this.key} is held by another running process (instance ${await this.redis.get(this.key)}); each host index of a group runs once`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Refreshes the key every intervalMs until stop(); Redis errors are skipped (the next beat retries). */
  start(): void {
    this.timer ??= setInterval(() => {
      this.redis.set(this.key, this.instance, "PX", this.ttlMs).catch(() => undefined);
    }, this.intervalMs);
  }

  /** Stops beating and deletes the key if it is still ours. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    try {
      if ((await this.redis.get(this.key)) === this.instance) await this.redis.del(this.key);
    } catch {
      // Redis gone: the key expires on its own.
    }
  }
}
