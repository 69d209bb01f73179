// Watches the heartbeats of some hosts of a group (the leader watches its members, members their leader) and
// reports each change: a host that appeared, vanished, or restarted (a new instance id).

import { EventEmitter } from "node:events";
import type { Redis } from "ioredis";
import type { JobKeys } from "../keys/index.js";

/** One observation: the instance id per watched host (undefined = no heartbeat). */
export type Instances = readonly (string | undefined)[];

/** Events of GroupWatch (STYLE.md G8). */
export interface GroupWatchEvents {
  /** Some watched host appeared, vanished or restarted; `instances` is in the order of `hosts`. */
  change: [instances: Instances];
}

/** Polls the heartbeats of `hosts` every intervalMs with one MGET. */
export class GroupWatch extends EventEmitter<GroupWatchEvents> {
  private timer: NodeJS.Timeout | undefined;
  private last: Instances;
  private polling = false;

  private readonly keyList: string[];

  /** Watches `hosts` of `group`, polling every intervalMs (default 250). */
  constructor(
    private readonly redis: Redis,
    keys: JobKeys,
    w: { readonly group: string; readonly hosts: readonly number[]; readonly intervalMs?: number },
  ) {
    super();
    this.hosts = w.hosts;
    this.intervalMs = w.intervalMs ?? 250;
    this.keyList = w.hosts.map((h) => keys.heartbeat(w.group, h));
    this.last = w.hosts.map(() => undefined);
  }

  readonly hosts: readonly number[];
  private readonly intervalMs: number;

  /** The last observation. */
  get instances(): Instances {
    return this.last;
  }

  /** True when every watched host has a heartbeat. */
  get isWhole(): boolean {
    return this.last.every((i) => i !== undefined);
  }

  /** Reads once now, then polls. */
  async start(): Promise<void> {
    await this.poll();
    this.timer ??= setInterval(() => void this.poll(), this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Resolves when every watched host is alive; false after timeoutMs (or when `signal` fires). */
  waitWhole(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (this.isWhole) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        this.off("change", onChange);
        signal?.removeEventListener("abort", onAbort);
        resolve(ok);
      };
      const onChange = (): void => void (this.isWhole && done(true));
      const onAbort = (): void => done(false);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.on("change", onChange);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  private async poll(): Promise<void> {
    if (this.polling || this.hosts.length === 0) return;
    this.polling = true;
    try {
      const values = await this.redis.mget(...this.keyList);
      const now = values.map((v) => v ?? undefined);
      if (now.some((v, i) => v !== this.last[i])) {
        this.last = now;
        this.emit("change", now);
      }
    } catch {
      // Redis unreachable: keep the last observation; requests fail through their own timeouts.
    } finally {
      this.polling = false;
    }
  }
}
