// Shared set-up of the job-layer Redis tests: the transport tests' REDIS_URL handling and key scans, plus the leak check run
// after each file (only BullMQ bookkeeping may stay).

import { JobKeys } from "@apb/jobs";
import { Redis } from "ioredis";
import { expect } from "vitest";
import { REDIS_URL, scanKeys } from "../../../packages/transport-redis/test/redis-test-env.js";

// REDIS_URL handling (fail under CI=true, skip otherwise), prefixes, scans and typed-error checks are the transport's.
export { REDIS_URL, describeRedis, expectApbError, testPrefix } from "../../../packages/transport-redis/test/redis-test-env.js";

/** A plain client for the leak checks (no retry limit: the workers may still be closing). */
export function rawClient(): Redis {
  return new Redis(REDIS_URL!, { maxRetriesPerRequest: null });
}

/**
 * BullMQ's own bookkeeping that may stay after the suite: per queue `meta`, `id`, `events`, `marker`, `stalled-check`, the
 * `completed` / `failed` sets, the finished jobs' hashes and a corpus parent's `processed` hash of its children's values
 * (removed with their jobs by age: removeOnComplete 1 h, removeOnFail 24 h).
 */
const BULL_BOOKKEEPING = /^[^:]+:bull:[A-Za-z0-9_.-]+:(meta|id|events|marker|stalled-check|completed|failed|([0-9a-f-]{36}|[0-9]+)(:processed)?)$/;

/**
 * After the workers stopped: no transient key (transport streams, status streams, heartbeats, announcement streams,
 * cancel keys, session records) remains under `prefix`; only BullMQ's bookkeeping may. With `expiringWithinMs`, transient
 * keys may remain if each expires within that time (what a late write after cleanup leaves). Then deletes everything.
 * @returns the BullMQ keys that were left (for the report).
 */
export async function expectNoTransientKeys(client: Redis, prefix: string, o: { expiringWithinMs?: number } = {}): Promise<string[]> {
  const keys = new JobKeys(prefix);
  const all = await scanKeys(client, keys.matchAll);
  const bull = all.filter((k) => k.startsWith(`${keys.bullPrefix}:`));
  const transient = all.filter((k) => !k.startsWith(`${keys.bullPrefix}:`));
  if (o.expiringWithinMs === undefined) expect(transient).toEqual([]);
  else {
    // Where a late writer may re-create a request's keys after its cleanup (a Redis restart), they must still expire.
    const ttls = await Promise.all(transient.map(async (k) => [k, await client.pttl(k)] as const));
    expect(ttls.filter(([, ms]) => ms !== -2 && !(ms > 0 && ms <= o.expiringWithinMs!))).toEqual([]); // -2: gone since the scan
  }
  expect(bull.filter((k) => !BULL_BOOKKEEPING.test(k))).toEqual([]);
  for (let i = 0; i < all.length; i += 500) await client.unlink(...all.slice(i, i + 500));
  return bull;
}
