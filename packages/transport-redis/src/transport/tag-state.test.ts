// Tag bookkeeping: cursor order, buffering only wanted hosts, skipped entries, duplicates, take-once.
import { describe, expect, it } from "vitest";
import { TagState, compareStreamIds } from "./tag-state.js";

const entry = (entryId: string, host: number) => ({ entryId, host, readers: 1, frame: Uint8Array.of(host) });

describe("TagState", () => {
  it("orders stream ids numerically, not as text", () => {
    expect(compareStreamIds("9-0", "10-0")).toBe(-1);
    expect(compareStreamIds("10-2", "10-10")).toBe(-1);
    expect(compareStreamIds("10-10", "10-10")).toBe(0);
    expect(compareStreamIds("1795875448725-1", "1795875448725-0")).toBe(1);
  });

  it("buffers wanted hosts, skips the others, ignores duplicates, and hands out in the asked order", () => {
    const s = new TagState();
    s.want([2, 0]);
    expect(s.accept(entry("5-0", 0))).toBe("buffered");
    expect(s.accept(entry("6-0", 1))).toBe("skipped");
    expect(s.accept(entry("7-0", 0))).toBe("duplicate");
    expect(s.missing([2, 0])).toEqual([2]);
    expect(s.accept(entry("8-0", 2))).toBe("buffered");
    expect(s.cursor).toBe("8-0");
    expect(s.conflict([1])).toBeUndefined();
    expect(s.conflict([0])).toBe(0); // wanted by a pending take
    expect(s.take([2, 0]).map((f) => f.host)).toEqual([2, 0]);
    s.unwant([2, 0]);
    expect(s.conflict([0])).toBe(0); // taken already
    expect(s.accept(entry("9-0", 2))).toBe("duplicate");
  });

  it("remembers skipped entries so a later take fetches them by id", () => {
    const s = new TagState();
    s.accept(entry("3-0", 1));
    s.want([1]);
    expect(s.skippedOf([0, 1])).toEqual([{ host: 1, entryId: "3-0" }]);
    expect(s.accept(entry("4-0", 1))).toBe("duplicate"); // a second entry of host 1 is not the one we skipped
    expect(s.accept(entry("3-0", 1))).toBe("buffered");
    expect(s.skippedOf([1])).toEqual([]);
    expect(s.cursor).toBe("4-0");
  });

  it("keeps the cursor when an older entry is fetched", () => {
    const s = new TagState();
    s.advance("10-0");
    s.want([0]);
    s.accept(entry("2-0", 0));
    expect(s.cursor).toBe("10-0");
  });
});
