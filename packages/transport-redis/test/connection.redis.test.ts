// Connecting: a password-protected server accepts the URL's user:password (AUTH); wrong or missing credentials are
// RedisConfigError (CONFIG_INVALID), an unreachable server is TRANSPORT_CLOSED; passwords never reach messages.
// A server restart mid-request ends the wait with a typed error, and ioredis reconnects for the next request.

import type { ApbError } from "@apb/core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { RedisConnection, RedisRequestScope } from "../src/index.js";
import { describeRedis, expectApbError, freePort, startPasswordRedis, startTlsRedis, testPrefix } from "./redis-test-env.js";
import type { TestServer } from "./redis-test-env.js";

const PASSWORD = "s3cret/with:odd@chars";
let server: TestServer;

describeRedis("Redis AUTH", () => {
  beforeAll(async () => {
    server = await startPasswordRedis(PASSWORD);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it.each([":", "default:"])("connects with redis://%s<password>@host and runs a put/take", async (user) => {
    const url = `redis://${user}${encodeURIComponent(PASSWORD)}@127.0.0.1:${server.port}/0`;
    const conn = await RedisConnection.connect({ url, keyPrefix: testPrefix() });
    try {
      const scope = new RedisRequestScope(conn, { group: "g", request: "a1", numHosts: 2 });
      await scope.transport(0).put("t:0", Uint8Array.of(7), 1);
      expect(Array.from((await scope.transport(1).take("t:0", [0], { timeoutMs: 2000 }))[0]!)).toEqual([7]);
      expect(await scope.cleanup()).toBeGreaterThan(0);
    } finally {
      await conn.close();
    }
  });

  it("a wrong or missing password is CONFIG_INVALID and the message hides the password", async () => {
    const wrong = await expectApbError(RedisConnection.connect({ url: `redis://:nope-secret@127.0.0.1:${server.port}` }), "CONFIG_INVALID", /check the user and password/);
    expect(wrong.message).not.toContain("nope-secret");
    expect(wrong.message).toContain("redis://:***@127.0.0.1");
    await expectApbError(RedisConnection.connect({ url: `redis://127.0.0.1:${server.port}` }), "CONFIG_INVALID", /NOAUTH/);
  });

  it("an unreachable server is TRANSPORT_CLOSED, quickly", async () => {
    const port = await freePort();
    const t0 = performance.now();
    await expectApbError(RedisConnection.connect({ url: `redis://127.0.0.1:${port}` }), "TRANSPORT_CLOSED", /ECONNREFUSED/);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it("a server restart mid-take ends the take with a typed error; ioredis reconnects and the next request works", async () => {
    const url = `redis://:${encodeURIComponent(PASSWORD)}@127.0.0.1:${server.port}`;
    const conn = await RedisConnection.connect({ url, keyPrefix: testPrefix(), blockMs: 200 });
    const events: string[] = [];
    const errors: ApbError[] = [];
    conn.on("reconnecting", () => events.push("reconnecting"));
    conn.on("ready", () => events.push("ready"));
    conn.on("error", (e) => errors.push(e));
    try {
      const first = new RedisRequestScope(conn, { group: "g", request: "before", numHosts: 2 });
      const pending = expectApbError(first.transport(1).take("kv:0", [0], { timeoutMs: 2500 }), "TRANSPORT_TIMEOUT");
      await new Promise((r) => setTimeout(r, 100));
      await server.stop();
      server = await startPasswordRedis(PASSWORD, server.port);
      await pending; // the restarted server has no data: the wait ends by its timeout, not a hang
      const next = new RedisRequestScope(conn, { group: "g", request: "after", numHosts: 2 });
      await next.transport(0).put("t:0", Uint8Array.of(3), 1);
      expect(Array.from((await next.transport(1).take("t:0", [0], { timeoutMs: 5000 }))[0]!)).toEqual([3]);
      await next.transport(1).drain(); // the ack script was flushed with the restart: EVALSHA falls back to EVAL
      expect(await conn.commands().xlen(next.keys.stream("t:0"))).toBe(0); // the last reader deleted the entry
      expect(events).toContain("reconnecting");
      expect(events.at(-1)).toBe("ready");
      expect(errors.every((e) => e.code === "TRANSPORT_CLOSED")).toBe(true);
      await next.cleanup();
      await first.cleanup();
    } finally {
      await conn.close();
    }
  }, 30_000);
});

describeRedis("Redis over TLS (rediss://)", () => {
  let tls: TestServer & { ca: string };
  beforeAll(async () => {
    tls = await startTlsRedis();
  });
  afterAll(async () => {
    await tls?.stop();
  });

  it("connects with the server's CA and moves frames; an unknown CA is refused", async () => {
    const url = `rediss://localhost:${tls.port}`;
    const conn = await RedisConnection.connect({ url, keyPrefix: testPrefix(), tls: { ca: tls.ca } });
    try {
      const scope = new RedisRequestScope(conn, { group: "g", request: "tls1", numHosts: 2 });
      const frame = Uint8Array.from({ length: 300_000 }, (_, i) => i % 251);
      await scope.transport(0).put("kv:0", frame, 1);
      expect(Buffer.compare(Buffer.from((await scope.transport(1).take("kv:0", [0], { timeoutMs: 5000 }))[0]!), Buffer.from(frame))).toBe(0);
      await scope.cleanup();
      expect(await scope.listKeys()).toEqual([]);
    } finally {
      await conn.close();
    }
    await expectApbError(RedisConnection.connect({ url }), "TRANSPORT_CLOSED", /self-signed certificate/);
  });
});
