// Options: defaults, URL forms (AUTH, TLS, db), typed errors that name the field and never show a password.
import { describe, expect, it } from "vitest";
import { parseRedisTransportOptions, redactUrl, toIoredisOptions } from "./options.js";

describe("Redis transport options", () => {
  it("fills defaults", () => {
    expect(parseRedisTransportOptions({ url: "redis://localhost" })).toMatchObject({ keyPrefix: "apb", maxFrameBytes: 64 * 1024 * 1024, ttlSeconds: 3600, blockMs: 1000, protocol: 2 });
  });

  it("maps user, password, db and TLS onto ioredis options", () => {
    const o = toIoredisOptions(parseRedisTransportOptions({ url: "rediss://me:p%40ss%3Aword@cache.example:6380/3", tls: { rejectUnauthorized: false } }));
    expect(o).toMatchObject({ host: "cache.example", port: 6380, db: 3, username: "me", password: "p@ss:word", tls: { rejectUnauthorized: false }, protocol: 2, lazyConnect: true });
    const plain = toIoredisOptions(parseRedisTransportOptions({ url: "redis://:secret@[::1]" }));
    expect(plain).toMatchObject({ host: "::1", port: 6379, db: 0, password: "secret" });
    expect(plain.username).toBeUndefined();
    expect(plain.tls).toBeUndefined();
  });

  it.each([
    [{ url: "http://localhost" }, /option url: must start with redis:\/\/ or rediss:\/\//],
    [{ url: "redis://localhost/x" }, /integer \/db/],
    [{ url: "redis://localhost", maxFrameBytes: 10 }, /option maxFrameBytes/],
    [{ url: "redis://localhost", blockMs: 5000 }, /option blockMs/],
    [{ url: "redis://localhost", keyPrefix: "a b" }, /option keyPrefix/],
    [{ url: "redis://localhost", tls: {} }, /TLS settings need a rediss:\/\/ URL/],
  ])("rejects %j with CONFIG_INVALID", (input, pattern) => {
    expect(() => parseRedisTransportOptions(input)).toThrow(expect.objectContaining({ code: "CONFIG_INVALID", message: expect.stringMatching(pattern) }));
  });

  it("redacts passwords", () => {
    expect(redactUrl("redis://user:hunter2@h:1/0")).toBe("redis://user:***@h:1/0");
    expect(redactUrl("rediss://:hunter2@h")).toBe("rediss://:***@h");
    expect(redactUrl("redis://h:6379")).toBe("redis://h:6379");
    expect(() => parseRedisTransportOptions({ url: "ftp://:hunter2@h" })).toThrow(expect.objectContaining({ message: expect.not.stringContaining("hunter2") }));
  });
});
