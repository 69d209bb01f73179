// Unit tests of key names: one place, `<prefix>:<concept>:<id>`, bad parts refused.

import { describe, expect, it } from "vitest";
import { JobKeys } from "./index.js";

describe("JobKeys", () => {
  it("builds every key under the prefix", () => {
    const k = new JobKeys("t:apb");
    expect([k.bullPrefix, k.groupQueue("g1"), k.heartbeat("g1", 2), k.announce("g1"), k.status("g1", "g7.0"), k.session("s-1"), k.cancel("group-g1", "7")]).toEqual([
      "t:apb:bull",
      "group-g1",
      "t:apb:heartbeat:g1:2",
      "t:apb:announce:g1",
      "t:apb:status:g1:{g7.0}",
      "t:apb:session:s-1",
      "t:apb:cancel:group-g1:7",
    ]);
    expect(k.matchAll).toBe("t:apb:*");
  });

  it("refuses parts that would break hash tags or patterns", () => {
    expect(() => new JobKeys("a b")).toThrow(/key prefix/);
    expect(() => new JobKeys("t").groupQueue("a:b")).toThrow(/group id/);
    expect(() => new JobKeys("t").session("s*")).toThrow(/session id/);
    expect(() => new JobKeys("t").status("g", "{x}")).toThrow(/request id/);
  });
});
