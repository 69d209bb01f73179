// Shared set-up of the job-layer Redis tests: REDIS_URL (fail under CI=true when missing, skip with a message
// otherwise), a fresh `test-<uuid>` prefix per file, key scans, and the leak check run after each file.

import { randomUUID } from "node:crypto";
import { ApbError } from "@apb/core";
import type { ApbErrorCode } from "@apb/core";
import { JobKeys } from "@apb/jobs";
import { Redis } from "ioredis";
import { describe, expect } from "vitest";

function redisUrl(): string | undefined {
  const url = process.env.REDIS_URL;
  if (url !== undefined && url !== "") return url;
  if (process.env.CI === "true") throw new Error("REDIS_URL is not set but CI=true: the job-layer tests must run; use `make test` (it starts a throwaway redis-server)");
  console.warn("jobs: REDIS_URL is not set, skipping the job-layer Redis tests (run `make test`, or start redis-server and set REDIS_URL)");
  return undefined;
}

export const REDIS_URL = redisUrl();
/** `describe`, or `describe.skip` (with the message above) when there is no server. */
export const describeRedis: ReturnType<typeof describe.skipIf> = describe.skipIf(REDIS_URL === undefined);

export function testPrefix(): string {
  return `test-${randomUUID()}`;
}

export function rawClient(): Redis {
  return new Redis(REDIS_URL!, { maxRetriesPerRequest: null });
}

export async function scanKeys(client: Redis, pattern: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await client.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    found.push(...keys);
    cursor = next;
  } while (cursor !== "0");
  return found.sort();
}

/**
 * BullMQ's own bookkeeping that may stay after the suite: per queue `meta`, `id`, `events`, `marker`, `stalled-check`, the
 * `completed` / `failed` sets, the finished jobs' hashes and a corpus parent's `processed` hash of its children's values
 * (removed with their jobs by age: removeOnComplete 1 h, removeOnFail 24 h).
 */
const BULL_BOOKKEEPING = /^[^:]+:bull:[A-Za-z0-9_.-]+:(meta|id|events|marker|stalled-check|completed|failed|([0-9a-f-]{36}|[0-9]+)(:processed)?)$/;

/**
 * After the workers stopped: no transient key (transport streams, status streams, heartbeats, announcement streams,
 * cancel keys, session records) remains under `prefix`; only BullMQ's bookkeeping may. Then deletes everything.
 * @returns the BullMQ keys that were left (for the report).
 */
export async function expectNoTransientKeys(client: Redis, prefix: string): Promise<string[]> {
  const keys = new JobKeys(prefix);
  const all = await scanKeys(client, keys.matchAll);
  const bull = all.filter((k) => k.startsWith(`${keys.bullPrefix}:`));
  expect(all.filter((k) => !k.startsWith(`${keys.bullPrefix}:`))).toEqual([]);
  expect(bull.filter((k) => !BULL_BOOKKEEPING.test(k))).toEqual([]);
  for (let i = 0; i < all.length; i += 500) await client.unlink(...all.slice(i, i + 500));
  return bull;
}

/** Awaits `action`, which must fail with an ApbError of `code`; returns it. */
export async function expectApbError(action: Promise<unknown>, code: ApbErrorCode, pattern?: RegExp): Promise<ApbError> {
  const caught = await action.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(caught, "expected an ApbError").toBeInstanceOf(ApbError);
  const e = caught as ApbError;
  expect(e.code, e.message).toBe(code);
  if (pattern !== undefined) expect(e.message).toMatch(pattern);
  return e;
}
