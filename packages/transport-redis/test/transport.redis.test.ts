// RedisTransport against a real Redis: ordering across hosts and tags, byte-exact large frames, timeouts, aborts,
// a peer's failure, closing, malformed entries, last-reader deletion and cleanup that leaves no key behind.

import { randomBytes } from "node:crypto";
import { TransportError, encodeToken } from "@apb/core";
import type { Redis } from "ioredis";
import { afterEach, beforeEach, expect, it } from "vitest";
import { RedisConnection, RedisKeys, RedisRequestScope } from "../src/index.js";
import type { RedisTransportOptionsInput } from "../src/index.js";
import { REDIS_URL, describeRedis, expectApbError, rawClient, scanKeys, testPrefix } from "./redis-test-env.js";

let prefix: string;
let conn: RedisConnection;
let raw: Redis;
const opened: RedisConnection[] = [];

async function connect(extra: Partial<RedisTransportOptionsInput> = {}): Promise<RedisConnection> {
  const c = await RedisConnection.connect({ url: REDIS_URL!, keyPrefix: prefix, ...extra });
  opened.push(c);
  return c;
}

function scope(numHosts: number, request = "r1", c: RedisConnection = conn): RedisRequestScope {
  return new RedisRequestScope(c, { group: "g", request, numHosts });
}

const bytes = (...xs: number[]): Uint8Array => Uint8Array.from(xs);
const T = { timeoutMs: 5000 };

describeRedis("RedisTransport", () => {
  beforeEach(async () => {
    prefix = testPrefix();
    raw = rawClient();
    await raw.connect();
    conn = await connect();
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((c) => c.close())); // first, so nothing of this test writes afterwards
    for (const k of await scanKeys(raw, new RedisKeys(prefix).matchAll)) await raw.unlink(k);
    raw.disconnect();
  });

  it("takes frames in the asked host order, per tag, whatever the put order", async () => {
    const s = scope(3);
    const [h0, h1, h2] = [s.transport(0), s.transport(1), s.transport(2)];
    const pending = h2.take("kv:0", [1, 0], T);
    await h1.put("kv:0", bytes(1, 1), 1);
    await h0.put("kv:1", bytes(0, 9), 1);
    await h0.put("kv:0", bytes(0, 0), 2);
    expect((await pending).map((f) => Array.from(f))).toEqual([[1, 1], [0, 0]]);
    expect(Array.from((await h1.take("kv:0", [0], T))[0]!)).toEqual([0, 0]);
    expect(Array.from((await h2.take("kv:1", [0], T))[0]!)).toEqual([0, 9]);
    expect(await h0.take("kv:0", [], T)).toEqual([]);
  });

  it("all-gathers between every pair of hosts over many tags", async () => {
    const H = 4;
    const s = scope(H);
    const run = async (h: number): Promise<number[][]> => {
      const t = s.transport(h);
      const got: number[][] = [];
      for (let step = 0; step < 5; step++) {
        await t.put(`p:${step}:0`, bytes(h, step), H - 1);
        const others = [0, 1, 2, 3].filter((x) => x !== h);
        got.push((await t.take(`p:${step}:0`, others, T)).map((f) => f[0]! * 10 + f[1]!));
      }
      return got;
    };
    const results = await Promise.all([0, 1, 2, 3].map(run));
    results.forEach((got, h) => got.forEach((row, step) => expect(row).toEqual([0, 1, 2, 3].filter((x) => x !== h).map((x) => x * 10 + step))));
    // every entry had all its readers, so every stream is empty
    for (let step = 0; step < 5; step++) expect(await raw.xlen(s.keys.stream(`p:${step}:0`))).toBe(0);
  });

  it("round-trips 8 MB binary frames byte-exact", async () => {
    const s = scope(3);
    const a = randomBytes(8 * 1024 * 1024);
    const b = randomBytes(8 * 1024 * 1024 + 3);
    await Promise.all([s.transport(0).put("kv:5", a, 1), s.transport(1).put("kv:5", b.subarray(1), 1)]);
    const [fa, fb] = await s.transport(2).take("kv:5", [0, 1], T);
    expect(Buffer.compare(Buffer.from(fa!), a)).toBe(0);
    expect(Buffer.compare(Buffer.from(fb!), b.subarray(1))).toBe(0);
  });

  it("rejects a frame over maxFrameBytes with FRAME_INVALID", async () => {
    const small = await connect({ maxFrameBytes: 1024 });
    const t = scope(2, "r1", small).transport(0);
    await expectApbError(t.put("kv:0", new Uint8Array(2000), 1), "FRAME_INVALID", /^frame of 2000 bytes exceeds the cap 1024; raise maxFrameBytes$/);
  });

  it("times out with TRANSPORT_TIMEOUT naming the missing hosts", async () => {
    const s = scope(3);
    await s.transport(0).put("kv:0", bytes(1), 1);
    const t0 = performance.now();
    await expectApbError(s.transport(2).take("kv:0", [0, 1], { timeoutMs: 300 }), "TRANSPORT_TIMEOUT", /no frames for kv:0 from hosts \[1\] within 300 ms/);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it("aborts a pending take with ABORTED promptly, and an already aborted signal at once", async () => {
    const t = scope(2).transport(1);
    const ac = new AbortController();
    const p = t.take("t:0", [0], { timeoutMs: 60_000, signal: ac.signal });
    setTimeout(() => ac.abort(), 100);
    const t0 = performance.now();
    await expectApbError(p, "ABORTED", /aborted while waiting for t:0/);
    expect(performance.now() - t0).toBeLessThan(500);
    await expectApbError(t.take("t:1", [0], { timeoutMs: 60_000, signal: AbortSignal.abort() }), "ABORTED");
  });

  it("a peer's fail() rejects pending and later takes on every host with HOST_FAILED carrying the cause", async () => {
    const s = scope(4);
    const pending = [0, 1, 3].map((h) => expectApbError(s.transport(h).take("kv:1", [h === 0 ? 1 : 0], { timeoutMs: 30_000 }), "HOST_FAILED", /^boom on host 2$/));
    await new Promise((r) => setTimeout(r, 50));
    const t0 = performance.now();
    await s.transport(2).fail({ code: "BACKEND_FAILED", message: "boom on host 2" });
    for (const e of await Promise.all(pending)) {
      expect(e.data).toMatchObject({ cause: { code: "BACKEND_FAILED", message: "boom on host 2" }, host: 2 });
    }
    expect(performance.now() - t0).toBeLessThan(1000);
    // later takes, also of frames already there, and the failing host's own takes
    await s.transport(0).put("kv:2", bytes(1), 1);
    await expectApbError(s.transport(1).take("kv:2", [0], T), "HOST_FAILED");
    await expectApbError(s.transport(2).take("kv:2", [0], T), "HOST_FAILED");
    // a host of another process (a fresh transport) learns it from the control stream
    const other = scope(4, "r1", await connect());
    await expectApbError(other.transport(3).take("kv:2", [0], T), "HOST_FAILED", /boom on host 2/);
  });

  it("the scope's fail() (a process running no host) reaches every host's pending take at once", async () => {
    const hosts = scope(3, "rf", await connect());
    const pending = [0, 1, 2].map((h) => expectApbError(hosts.transport(h).take("kv:0", [(h + 1) % 3], { timeoutMs: 30_000 }), "HOST_FAILED", /^member 2 stopped$/));
    await new Promise((r) => setTimeout(r, 50));
    const t0 = performance.now();
    await scope(3, "rf").fail(new TransportError("HOST_FAILED", "member 2 stopped", { data: { host: 2 } }), { host: 0 });
    for (const e of await Promise.all(pending)) expect(e.data).toMatchObject({ cause: { code: "HOST_FAILED", message: "member 2 stopped", data: { host: 2 } }, host: 0 });
    expect(performance.now() - t0).toBeLessThan(1000);
    await scope(3, "rf").fail({ code: "INTERNAL", message: "second" }); // the first failure wins
    await expectApbError(scope(3, "rf", await connect()).transport(1).take("kv:9", [0], T), "HOST_FAILED", /^member 2 stopped$/);
  });

  it("close() rejects pending and later calls with TRANSPORT_CLOSED; so does closing the connection", async () => {
    const s = scope(2);
    const t = s.transport(1);
    const p = expectApbError(t.take("kv:0", [0], { timeoutMs: 30_000 }), "TRANSPORT_CLOSED");
    await t.close();
    await p;
    await expectApbError(t.put("kv:0", bytes(1), 1), "TRANSPORT_CLOSED");
    await expectApbError(t.take("kv:0", [0], T), "TRANSPORT_CLOSED");
    const c2 = await connect();
    const t2 = scope(2, "r1", c2).transport(1);
    const p2 = expectApbError(t2.take("kv:9", [0], { timeoutMs: 30_000 }), "TRANSPORT_CLOSED");
    await new Promise((r) => setTimeout(r, 50));
    await c2.close();
    await p2;
    await expectApbError(t2.put("kv:9", bytes(1), 1), "TRANSPORT_CLOSED");
  });

  it("ignores a duplicate entry of a host (a resent XADD) and serves a host it read past earlier", async () => {
    const s = scope(3);
    await s.transport(1).put("t:0", bytes(1, 0), 1);
    await raw.xadd(s.keys.stream("t:0"), "*", "v", "1", "kind", "frame", "host", "1", "readers", "1", "frame", Buffer.from([1, 99]));
    await s.transport(0).put("t:0", bytes(0, 0), 1);
    const t2 = s.transport(2);
    expect(Array.from((await t2.take("t:0", [0], T))[0]!)).toEqual([0, 0]); // read past host 1's entries
    expect(Array.from((await t2.take("t:0", [1], T))[0]!)).toEqual([1, 0]); // fetched by id, first entry wins
    await expectApbError(t2.take("t:0", [1], T), "INTERNAL", /twice/);
  });

  it("rejects a malformed stream entry with FRAME_INVALID instead of hanging", async () => {
    const s = scope(2);
    await raw.xadd(s.keys.stream("t:3"), "*", "v", "9", "kind", "frame", "host", "0", "readers", "1", "frame", "x");
    await expectApbError(s.transport(1).take("t:3", [0], T), "FRAME_INVALID", /version 9/);
    await raw.xadd(s.keys.stream("t:4"), "*", "v", "1", "kind", "frame", "host", "zero", "readers", "1", "frame", "x");
    await expectApbError(s.transport(1).take("t:4", [0], T), "FRAME_INVALID", /field host/);
  });

  it("a frame over the reader's cap is FRAME_INVALID on take too", async () => {
    const s = scope(2);
    await s.transport(0).put("kv:0", new Uint8Array(4096), 1);
    const small = await connect({ maxFrameBytes: 1024 });
    await expectApbError(scope(2, "r1", small).transport(1).take("kv:0", [0], T), "FRAME_INVALID", /frame of 4096 bytes exceeds the cap 1024/);
  });

  it("cleanup() deletes every key of the request and nothing else; keys carry a TTL", async () => {
    const a = scope(2, "ra");
    const b = scope(2, "rb");
    for (const s of [a, b]) {
      await s.transport(0).put("kv:0", encodeToken({ host: 0, tag: 0, token: 1, done: false }), 1);
      await s.transport(0).put("kv:1", bytes(1), 1);
      await s.transport(1).take("kv:0", [0], T);
    }
    await a.transport(1).fail({ code: "INTERNAL", message: "x" });
    for (const k of await a.listKeys()) expect(await raw.ttl(k)).toBeGreaterThan(0);
    // kv:0's only reader took it, so its entry (and its acks field) are gone; the empty stream stays until cleanup
    expect((await a.listKeys()).sort()).toEqual([a.keys.control, a.keys.registry, a.keys.stream("kv:0"), a.keys.stream("kv:1")].sort());
    expect(await raw.xlen(a.keys.stream("kv:0"))).toBe(0);
    expect(await a.cleanup()).toBe(4);
    const left = await scanKeys(raw, conn.keys.matchAll);
    expect(left.length).toBeGreaterThan(0);
    expect(left.every((k) => k.includes(b.keys.hashTag))).toBe(true);
    await b.cleanup();
    expect(await scanKeys(raw, conn.keys.matchAll)).toEqual([]);
    await expectApbError(a.transport(0).put("kv:2", bytes(1), 1), "TRANSPORT_CLOSED", /cleaned up/);
  });

  it("works the same over RESP3", async () => {
    const c3 = await connect({ protocol: 3 });
    const s = scope(2, "r3", c3);
    const frame = randomBytes(100_000);
    await s.transport(0).put("kv:0", frame, 1);
    expect(Buffer.compare(Buffer.from((await s.transport(1).take("kv:0", [0], T))[0]!), frame)).toBe(0);
    await s.cleanup();
    expect(await scanKeys(raw, new RedisKeys(prefix).matchAll)).toEqual([]);
  });
});
