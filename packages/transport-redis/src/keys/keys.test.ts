// Key names: one form, a shared hash tag per request, and ids that could break a key or a pattern are refused.
import { describe, expect, it } from "vitest";
import { RedisKeys } from "./keys.js";

describe("RedisKeys", () => {
  const keys = new RedisKeys("apb").request("g1", "job-42");

  it("builds <prefix>:<concept>:<group>:{<request>}[:<tag>]", () => {
    expect(keys.registry).toBe("apb:keys:g1:{job-42}");
    expect(keys.control).toBe("apb:control:g1:{job-42}");
    expect(keys.acks).toBe("apb:acks:g1:{job-42}");
    expect(keys.stream("p:3:7")).toBe("apb:stream:g1:{job-42}:p:3:7");
    expect(new RedisKeys("tenant:apb").matchAll).toBe("tenant:apb:*");
  });

  it("puts every key of a request in one cluster slot (one {hash tag})", () => {
    for (const k of [keys.registry, keys.control, keys.acks, keys.stream("kv:0")]) expect(k.match(/\{[^}]*\}/g)).toEqual(["{job-42}"]);
  });

  it.each([
    ["prefix", () => new RedisKeys("a{b}")],
    ["prefix", () => new RedisKeys("")],
    ["group", () => new RedisKeys("apb").request("g 1", "r")],
    ["request", () => new RedisKeys("apb").request("g", "r}x")],
    ["request", () => new RedisKeys("apb").request("g", "r*")],
    ["tag", () => keys.stream("kv 0")],
  ])("refuses a bad %s with INPUT_INVALID", (_, f) => {
    expect(f).toThrow(expect.objectContaining({ code: "INPUT_INVALID" }));
  });
});
