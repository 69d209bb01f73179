// The leader's context sessions: a record per session in Redis (group, context length, expiry, state) that any
// client can look up, and the context tokens in the leader's memory (the KV itself stays on the hosts).

import { SessionError } from "@apb/core";
import type { StrategyOptions } from "@apb/core";
import type { Redis } from "ioredis";
import type { JobKeys } from "../keys/index.js";

/** A session as the leader keeps it. */
export interface LocalSession {
  readonly id: string;
  readonly context: Int32Array;
  readonly strategy: StrategyOptions;
  readonly ttlMs: number;
  expiresAt: number;
}

/** The record's state: open, expired (TTL ran out; kept as a tombstone), lost (its group restarted). */
export type SessionState = "open" | "expired" | "lost";

/** What a client reads to find a session's group. */
export interface SessionRecord {
  readonly group: string;
  readonly numContext: number;
  readonly ttlMs: number;
  readonly expiresAt: number;
  readonly state: SessionState;
}

/** Reads a session record. @returns undefined when there is none. */
export async function readSessionRecord(redis: Redis, keys: JobKeys, id: string): Promise<SessionRecord | undefined> {
  const h = await redis.hgetall(keys.session(id));
  if (h.group === undefined) return undefined;
  const state: SessionState = h.state === "expired" || h.state === "lost" ? h.state : "open";
  return { group: h.group, numContext: Number(h.numContext), ttlMs: Number(h.ttlMs), expiresAt: Number(h.expiresAt), state };
}

export class SessionRegistry {
  private readonly local = new Map<string, LocalSession>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: JobKeys,
    readonly group: string,
    /** How long an expired session's record stays to answer SESSION_EXPIRED (then SESSION_NOT_FOUND). */
    private readonly tombstoneMs: number,
  ) {}

  async record(id: string): Promise<SessionRecord | undefined> {
    return readSessionRecord(this.redis, this.keys, id);
  }

  async exists(id: string): Promise<boolean> {
    return (await this.redis.exists(this.keys.session(id))) === 1;
  }

  /** Records a session just prefilled on this group. */
  async add(s: Omit<LocalSession, "expiresAt">): Promise<void> {
    const expiresAt = Date.now() + s.ttlMs;
    this.local.set(s.id, { ...s, expiresAt });
    const key = this.keys.session(s.id);
    const fields = { group: this.group, numContext: s.context.length, ttlMs: s.ttlMs, expiresAt, state: "open" };
    await this.redis.multi().hset(key, fields).pexpire(key, s.ttlMs + this.tombstoneMs).exec();
  }

  /**
   * The open session `id` of this group.
   * @throws SessionError SESSION_NOT_FOUND (never opened, closed, lost, another group's), SESSION_EXPIRED.
   */
  async get(id: string): Promise<LocalSession> {
    const rec = await readSessionRecord(this.redis, this.keys, id);
    if (rec === undefined) throw new SessionError("SESSION_NOT_FOUND", `no session ${id}: it was never opened, or it was closed`, { session: id });
    if (rec.group !== this.group) throw new SessionError("SESSION_NOT_FOUND", `session ${id} lives on group ${rec.group}, not ${this.group}`, { session: id, group: rec.group });
    const s = this.local.get(id);
    if (rec.state === "expired" || (s !== undefined && s.expiresAt <= Date.now())) {
      throw new SessionError("SESSION_EXPIRED", `session ${id} expired after ${rec.ttlMs} ms without questions; open it again`, { session: id });
    }
    if (rec.state === "lost" || s === undefined) throw new SessionError("SESSION_NOT_FOUND", `session ${id} was lost when its group restarted a host; open it again`, { session: id });
    return s;
  }

  /** Restarts a session's time to live (after each question). */
  async touch(s: LocalSession): Promise<void> {
    s.expiresAt = Date.now() + s.ttlMs;
    const key = this.keys.session(s.id);
    await this.redis.multi().hset(key, "expiresAt", s.expiresAt).pexpire(key, s.ttlMs + this.tombstoneMs).exec();
  }

  /** Deletes the record. @returns whether this leader held the session's cache (the hosts must drop it). */
  async close(id: string): Promise<boolean> {
    const held = this.local.delete(id);
    await this.redis.del(this.keys.session(id));
    return held;
  }

  /** Sessions whose time ran out: marked expired (tombstones), forgotten here. @returns their ids. */
  async sweep(now = Date.now()): Promise<string[]> {
    const gone = [...this.local.values()].filter((s) => s.expiresAt <= now);
    for (const s of gone) {
      this.local.delete(s.id);
      const key = this.keys.session(s.id);
      await this.redis.multi().hset(key, "state", "expired").pexpire(key, this.tombstoneMs).exec();
    }
    return gone.map((s) => s.id);
  }

  /** Every session of this leader is lost (a host restarted): marked so, forgotten. @returns their ids. */
  async loseAll(): Promise<string[]> {
    const ids = [...this.local.keys()];
    this.local.clear();
    for (const id of ids) {
      const key = this.keys.session(id);
      await this.redis.multi().hset(key, "state", "lost").pexpire(key, this.tombstoneMs).exec().catch(() => undefined);
    }
    return ids;
  }

  get size(): number {
    return this.local.size;
  }
}
