#!/usr/bin/env node
// Exec probe for an `apb worker` container, which serves no port: is this host's heartbeat key in Redis?
// `ready`: 0 only when Redis answers and the key exists. `live`: 1 only when Redis answers and the key is missing.

// Why these semantics: the worker refreshes <prefix>:heartbeat:<group>:<host> every 500 ms from its main event loop
// (expiry 2 s) once it has loaded the model and joined its group, so the key's presence means "started, joined, and
// its event loop is turning". A Redis outage is not the worker's fault (restarting it would not help, and would
// drop the whole group's sessions), so `live` passes when Redis cannot be reached; `ready` does not.
// A crashed host thread needs no probe: `apb worker` exits 1 and the container restarts.
//
// Configuration comes from the container's environment, the same values its `apb worker` flags are built from:
//   APB_REDIS_URL (redis:// or rediss://), APB_GROUP, APB_HOST, APB_PREFIX (default "apb").
// Exit codes: 0 healthy, 1 unhealthy, 2 bad configuration. One line on stdout says why (kubectl describe shows it).

import { JobKeys } from "@apb/jobs";
import { Redis } from "ioredis";
import { z } from "zod";

const CONNECT_TIMEOUT_MS = 3000;

const envSchema = z.object({
  APB_REDIS_URL: z.string().regex(/^rediss?:\/\//, "must start with redis:// or rediss://"),
  APB_GROUP: z.string().min(1),
  APB_HOST: z.string().regex(/^\d{1,2}$/, "must be the host index (0..63)"),
  APB_PREFIX: z.string().min(1).default("apb"),
});

/** @returns the exit code and the line to print. */
async function probe(mode, env) {
  const keys = new JobKeys(env.APB_PREFIX);
  const key = keys.heartbeat(env.APB_GROUP, Number(env.APB_HOST));
  const redis = new Redis(env.APB_REDIS_URL, { lazyConnect: true, protocol: 2, connectTimeout: CONNECT_TIMEOUT_MS, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    const present = (await redis.exists(key)) === 1;
    return present ? { code: 0, line: `ok: ${key} is present` } : { code: 1, line: `${key} is missing: the worker has not joined its group or its event loop is stuck` };
  } catch (err) {
    const why = `Redis unreachable (${err instanceof Error ? err.message : String(err)})`;
    return mode === "live" ? { code: 0, line: `${why}: not the worker's fault, passing` } : { code: 1, line: `${why}: not ready` };
  } finally {
    redis.disconnect();
  }
}

async function main() {
  const mode = process.argv[2];
  if (mode !== "ready" && mode !== "live") {
    console.log("usage: worker-probe.mjs ready|live (env: APB_REDIS_URL, APB_GROUP, APB_HOST, APB_PREFIX)");
    return 2;
  }
  const env = envSchema.safeParse(process.env);
  if (!env.success) {
    const issue = env.error.issues[0];
    console.log(`bad probe configuration: ${issue.path.join(".")}: ${issue.message}`);
    return 2;
  }
  const r = await probe(mode, env.data).catch((err) => ({ code: 2, line: `bad probe configuration: ${err instanceof Error ? err.message : String(err)}` }));
  console.log(r.line);
  return r.code;
}

process.exitCode = await main();
