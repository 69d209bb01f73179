// Connection and transport options of the Redis transport, declared once with zod (STYLE.md G14), and their
// mapping onto ioredis options (URL with AUTH and TLS, pinned RESP version, lazy connect).

import type { RedisOptions } from "ioredis";
import { z } from "zod";
import { KEY_PREFIX_PATTERN } from "../keys/index.js";
import { RedisConfigError } from "./errors.js";

const MiB = 1024 * 1024;
/** Redis's default proto-max-bulk-len: one bulk string (one frame) can never be larger. */
export const REDIS_MAX_BULK_BYTES = 512 * MiB;

/** Every option of the Redis transport, its default and its validation. */
export const redisTransportOptionsSchema = z.object({
  /** `redis://[user:password@]host[:port][/db]`, or `rediss://` for TLS. */
  url: z.string().refine((u) => /^rediss?:\/\//.test(u), "must start with redis:// or rediss://"),
  /** Namespaces every key: `<keyPrefix>:<concept>:...`. */
  keyPrefix: z.string().regex(KEY_PREFIX_PATTERN).default("apb"),
  /** Largest frame put or accepted; bigger ones are FRAME_INVALID. */
  maxFrameBytes: z.number().int().min(1024).max(REDIS_MAX_BULK_BYTES).default(64 * MiB),
  /** Every key of a request expires this long after its last write, even if nobody cleans up. */
  ttlSeconds: z.number().int().min(1).max(30 * 24 * 3600).default(3600),
  /** Longest single XREAD BLOCK; takes loop, so aborts and timeouts never wait for a read longer than this. */
  blockMs: z.number().int().min(10).max(1000).default(1000),
  /** XADD MAXLEN ~ guard per stream; a request puts at most one entry per host and tag. */
  maxStreamEntries: z.number().int().min(16).default(1024),
  /** RESP version. 2 pins ioredis 5 reply shapes; 3 (legacy reply mapping) reads streams identically. */
  protocol: z.union([z.literal(2), z.literal(3)]).default(2),
  connectTimeoutMs: z.number().int().min(1).default(10_000),
  /** Extra TLS settings for rediss:// (a private CA, a server name). */
  tls: z.object({ ca: z.string().optional(), servername: z.string().optional(), rejectUnauthorized: z.boolean().default(true) }).optional(),
  /** CLIENT SETNAME of the connections (visible in CLIENT LIST). */
  connectionName: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/).optional(),
});

export type RedisTransportOptionsInput = z.input<typeof redisTransportOptionsSchema>;
export type RedisTransportOptions = z.output<typeof redisTransportOptionsSchema>;

/** The URL with its password replaced, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^:@/]*:)[^/]*@/, "$1***@");
}

/**
 * Validates options.
 * @throws RedisConfigError naming the first bad field.
 */
export function parseRedisTransportOptions(input: RedisTransportOptionsInput): RedisTransportOptions {
  const r = redisTransportOptionsSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const field = issue.path.join(".");
    const shown = field === "url" && typeof input.url === "string" ? ` (got ${redactUrl(input.url)})` : "";
    throw new RedisConfigError(`Redis transport option ${field}: ${issue.message}${shown}`, { field });
  }
  const url = parseUrl(r.data.url);
  if (r.data.tls !== undefined && !url.tls) throw new RedisConfigError("Redis transport option tls: TLS settings need a rediss:// URL", { field: "tls" });
  return r.data;
}

interface ParsedUrl {
  readonly tls: boolean;
  readonly host: string;
  readonly port: number;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly db: number;
}

function parseUrl(url: string): ParsedUrl {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new RedisConfigError(`Redis URL ${redactUrl(url)} is not a URL; use redis://[user:password@]host[:port][/db]`, { field: "url" });
  }
  const dbText = u.pathname.replace(/^\//, "");
  const db = dbText === "" ? 0 : Number(dbText);
  const port = u.port === "" ? 6379 : Number(u.port);
  if (u.hostname === "" || !Number.isInteger(db) || db < 0 || !Number.isInteger(port)) {
    throw new RedisConfigError(`Redis URL ${redactUrl(url)} needs a host and an optional integer /db; use redis://[user:password@]host[:port][/db]`, { field: "url" });
  }
  return {
    tls: u.protocol === "rediss:",
    host: u.hostname.replace(/^\[(.*)\]$/, "$1"),
    port,
    username: u.username === "" ? undefined : decodeURIComponent(u.username),
    password: u.password === "" ? undefined : decodeURIComponent(u.password),
    db,
  };
}

/** ioredis options for the command connection (blocking ones are duplicated from it). */
export function toIoredisOptions(o: RedisTransportOptions): RedisOptions {
  const u = parseUrl(o.url);
  // Node derives the TLS server name from the host unless told otherwise (and refuses IP addresses as names).
  const tls = u.tls ? { ...(o.tls ?? {}) } : undefined;
  return {
    host: u.host,
    port: u.port,
    db: u.db,
    ...(u.username === undefined ? {} : { username: u.username }),
    ...(u.password === undefined ? {} : { password: u.password }),
    ...(tls === undefined ? {} : { tls }),
    ...(o.connectionName === undefined ? {} : { connectionName: o.connectionName }),
    protocol: o.protocol,
    connectTimeout: o.connectTimeoutMs,
    lazyConnect: true,
  };
}
