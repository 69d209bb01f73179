// The transport module as core's host threads use it: createTransport per request and host (options as plain
// data), close() releasing the connection, cleanupRequest run by the leader; bad options are typed errors.

import type { ClosableTransport } from "@apb/core";
import type { Redis } from "ioredis";
import { afterEach, beforeEach, expect, it } from "vitest";
import { RedisKeys, cleanupRequest, createTransport } from "../src/index.js";
import { REDIS_URL, describeRedis, expectApbError, rawClient, scanKeys, testPrefix } from "./redis-test-env.js";

let prefix: string;
let raw: Redis;
let made: ClosableTransport[] = [];

const options = (): Record<string, unknown> => ({ url: REDIS_URL, keyPrefix: prefix, group: "g7" });

async function hosts(requestKey: string, numHosts: number): Promise<ClosableTransport[]> {
  const ts = await Promise.all(Array.from({ length: numHosts }, (_, host) => createTransport({ requestKey, host, numHosts, options: options() })));
  made.push(...ts);
  return ts;
}

describeRedis("createTransport / cleanupRequest", () => {
  beforeEach(async () => {
    prefix = testPrefix();
    raw = rawClient();
    await raw.connect();
  });

  afterEach(async () => {
    await Promise.all(made.map((t) => t.close()));
    made = [];
    for (const k of await scanKeys(raw, new RedisKeys(prefix).matchAll)) await raw.unlink(k);
    raw.disconnect();
  });

  it("gives each host of a request its transport; close() ends it; cleanupRequest deletes the keys", async () => {
    const [h0, h1, h2] = await hosts("job-1", 3);
    await h0!.put("kv:0", Uint8Array.of(1, 2), 2);
    await h1!.put("kv:0", Uint8Array.of(3), 1);
    expect((await h2!.take("kv:0", [0, 1], { timeoutMs: 5000 })).map((f) => Array.from(f))).toEqual([[1, 2], [3]]);
    expect(Array.from((await h1!.take("kv:0", [0], { timeoutMs: 5000 }))[0]!)).toEqual([1, 2]);
    const pending = expectApbError(h0!.take("t:0", [2], { timeoutMs: 30_000 }), "HOST_FAILED", /worker lost/);
    await h2!.fail({ code: "HOST_FAILED", message: "worker lost" });
    await pending;
    await h1!.close();
    await expectApbError(h1!.take("t:1", [2], { timeoutMs: 1000 }), "TRANSPORT_CLOSED");
    expect((await scanKeys(raw, new RedisKeys(prefix).matchAll)).every((k) => k.includes(":g7:{job-1}"))).toBe(true);
    expect(await cleanupRequest({ url: REDIS_URL!, keyPrefix: prefix, group: "g7" }, "job-1")).toBeGreaterThan(0);
    expect(await scanKeys(raw, new RedisKeys(prefix).matchAll)).toEqual([]);
  });

  it("refuses bad options and request keys with typed errors (and leaves no connection open)", async () => {
    const init = { requestKey: "job-2", host: 0, numHosts: 2 };
    await expectApbError(createTransport({ ...init, options: { url: REDIS_URL, maxFrameBytes: "big" } }), "CONFIG_INVALID", /option maxFrameBytes/);
    await expectApbError(createTransport({ ...init, options: { url: REDIS_URL, group: "a b" } }), "CONFIG_INVALID", /option group/);
    await expectApbError(createTransport({ ...init, options: null }), "CONFIG_INVALID");
    await expectApbError(createTransport({ ...init, requestKey: "job:2", options: options() }), "INPUT_INVALID", /request id/);
    await expectApbError(createTransport({ ...init, host: 2, options: options() }), "INPUT_INVALID", /host must be/);
  });
});
