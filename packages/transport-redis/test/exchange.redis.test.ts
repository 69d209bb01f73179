// Core's KvExchange over RedisTransport: blocks, partials and tokens cross intact, and frame bytes corrupted in
// the stream surface as FRAME_INVALID from the engine-level exchange (the transport passes bytes, the engine decodes).

import { KvExchange } from "@apb/core";
import type { Redis } from "ioredis";
import { afterEach, beforeEach, expect, it } from "vitest";
import { RedisConnection, RedisKeys, RedisRequestScope } from "../src/index.js";
import { REDIS_URL, describeRedis, expectApbError, rawClient, scanKeys, testPrefix } from "./redis-test-env.js";

const SHAPE = { kvRowSize: 4, numHeads: 2, headDim: 2 };
let prefix: string;
let conn: RedisConnection;
let raw: Redis;
let scope: RedisRequestScope;

function exchange(host: number, timeoutMs = 5000): KvExchange {
  return new KvExchange(scope.transport(host), SHAPE, { signal: new AbortController().signal, timeoutMs });
}

/** Flips one byte of every frame in a stream by rewriting its entries (as a faulty network or a bug would). */
async function corruptStream(key: string, at: number): Promise<void> {
  const entries = (await raw.xrangeBuffer(key, "-", "+")) as [Buffer, Buffer[]][];
  await raw.del(key);
  for (const [, fields] of entries) {
    const i = fields.findIndex((f, j) => j % 2 === 0 && f.toString() === "frame");
    const frame = Buffer.from(fields[i + 1]!);
    frame[at % frame.length]! ^= 0x40;
    fields[i + 1] = frame;
    await raw.xadd(key, "*", ...fields);
  }
}

describeRedis("KvExchange over Redis", () => {
  beforeEach(async () => {
    prefix = testPrefix();
    raw = rawClient();
    await raw.connect();
    conn = await RedisConnection.connect({ url: REDIS_URL!, keyPrefix: prefix });
    scope = new RedisRequestScope(conn, { group: "g", request: "x1", numHosts: 3 });
  });

  afterEach(async () => {
    await scope.cleanup();
    expect(await scanKeys(raw, new RedisKeys(prefix).matchAll)).toEqual([]);
    await conn.close();
    raw.disconnect();
  });

  it("publishes and gathers KV blocks, all-gathers partials and shares the token", async () => {
    const k = (h: number): Float32Array => Float32Array.from({ length: 8 }, (_, i) => h * 100 + i);
    await Promise.all([0, 1].map((h) => exchange(h).publishBlock(0, k(h), k(h).map((x) => -x), 2)));
    const got = await exchange(2).gatherBlocks(0, 2);
    expect(Array.from(got.k)).toEqual([...k(0), ...k(1)]);
    expect(Array.from(got.v)).toEqual([...k(0), ...k(1)].map((x) => -x));
    const own = (h: number) => ({ out: Float32Array.from([h, h, h, h]), lse: Float32Array.from([h, -h]) });
    const parts = await Promise.all([0, 1, 2].map((h) => exchange(h).allGatherPartials(0, 1, own(h), 1)));
    parts.forEach((ps) => expect(ps.map((p) => p.lse[0])).toEqual([0, 1, 2]));
    const tokens = await Promise.all([0, 1, 2].map((h) => exchange(h).shareToken(0, h === 2 ? { id: 42, done: true } : undefined)));
    expect(tokens).toEqual([0, 1, 2].map(() => ({ id: 42, done: true })));
  });

  it.each([3, 20, 40])("a KV block corrupted at byte %i in the stream is FRAME_INVALID, not a hang", async (at) => {
    await exchange(0).publishBlock(2, new Float32Array(8).fill(1), new Float32Array(8).fill(2), 2);
    await corruptStream(scope.keys.stream("kv:2"), at);
    await expectApbError(exchange(1).gatherBlocks(2, 2), "FRAME_INVALID", /^bad frame: /);
  });

  it("a corrupted token frame is FRAME_INVALID on the receiving hosts", async () => {
    await exchange(2).shareToken(7, { id: 5, done: false });
    await corruptStream(scope.keys.stream("t:7"), 29);
    await expectApbError(exchange(0).shareToken(7, undefined), "FRAME_INVALID", /checksum mismatch/);
  });

  it("a frame of the wrong shape or origin is FRAME_INVALID", async () => {
    await exchange(0).publishBlock(4, new Float32Array(12), new Float32Array(12), 3);
    await expectApbError(exchange(1).gatherBlocks(4, 2), "FRAME_INVALID", /KV block 3x4, expected 2x4/);
  });
});
