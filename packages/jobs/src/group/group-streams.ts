// A group's Redis streams: the announcement stream (leader → members) and each request's status stream
// (hosts → leader). Blocking reads use their own connection, since XREAD BLOCK holds it.

import type { Redis } from "ioredis";
import type { JobKeys } from "../keys/index.js";
import { MESSAGE_FIELD, announcementSchema, decodeMessage, hostReportSchema } from "./group-messages.js";
import type { Announcement, HostReport } from "./group-messages.js";

/** Streams of a group live this long after their last write even if nobody deletes them. */
const STREAM_TTL_MS = 3600_000;
/** The announcement stream keeps about this many entries (members only read new ones). */
const MAX_ANNOUNCEMENTS = 256;

type XReadReply = [key: string, items: [id: string, fields: string[]][]][] | null;

/** One entry read from a stream, or an error for a malformed one (reported, never thrown out of the read). */
export type Read<T> = { readonly id: string; readonly message: T } | { readonly id: string; readonly error: Error };

export class GroupStreams {
  constructor(
    private readonly redis: Redis,
    private readonly blocking: Redis,
    private readonly keys: JobKeys,
    readonly group: string,
  ) {}

  /** Appends an announcement for the members. */
  async announce(m: Announcement): Promise<void> {
    const key = this.keys.announce(this.group);
    await this.redis.multi().xadd(key, "MAXLEN", "~", MAX_ANNOUNCEMENTS, "*", MESSAGE_FIELD, JSON.stringify(m)).pexpire(key, STREAM_TTL_MS).exec();
  }

  /** The id of the newest announcement ("0-0" when there is none): a member reads only what comes after. */
  async latestAnnouncement(): Promise<string> {
    const last = await this.redis.xrevrange(this.keys.announce(this.group), "+", "-", "COUNT", 1);
    return last[0]?.[0] ?? "0-0";
  }

  /** Announcements after `afterId`, waiting at most blockMs. */
  async readAnnouncements(afterId: string, blockMs: number): Promise<Read<Announcement>[]> {
    return this.read(this.keys.announce(this.group), afterId, blockMs, (f) => decodeMessage(announcementSchema, f, "announcement"));
  }

  /** Appends a host's report to the request's status stream. */
  async report(requestKey: string, r: HostReport): Promise<void> {
    const key = this.keys.status(this.group, requestKey);
    await this.redis.multi().xadd(key, "*", MESSAGE_FIELD, JSON.stringify(r)).pexpire(key, STREAM_TTL_MS).exec();
  }

  /** Reports after `afterId`, waiting at most blockMs. */
  async readReports(requestKey: string, afterId: string, blockMs: number): Promise<Read<HostReport>[]> {
    return this.read(this.keys.status(this.group, requestKey), afterId, blockMs, (f) => decodeMessage(hostReportSchema, f, "host report"));
  }

  async deleteStatus(requestKey: string): Promise<void> {
    await this.redis.unlink(this.keys.status(this.group, requestKey));
  }

  /** Deletes the announcement stream (the leader, at shutdown). */
  async deleteAnnouncements(): Promise<void> {
    await this.redis.unlink(this.keys.announce(this.group));
  }

  private async read<T>(key: string, afterId: string, blockMs: number, decode: (fields: string[]) => T): Promise<Read<T>[]> {
    const reply = (await this.blocking.xread("COUNT", 64, "BLOCK", blockMs, "STREAMS", key, afterId)) as XReadReply;
    const out: Read<T>[] = [];
    for (const [, items] of reply ?? []) {
      for (const [id, fields] of items) {
        try {
          out.push({ id, message: decode(fields) });
        } catch (err) {
          out.push({ id, error: err as Error });
        }
      }
    }
    return out;
  }
}
