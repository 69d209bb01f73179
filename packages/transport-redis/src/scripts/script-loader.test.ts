// The script loader: names are versioned, and a header that disagrees with the file name's key count is refused.
import { describe, expect, it } from "vitest";
import { ackFrame2 } from "./ack-frame-2.js";
import { checkScript } from "./script-loader.js";

describe("script loader", () => {
  it("checks the shipped scripts and names them with their version", () => {
    expect(checkScript(ackFrame2)).toEqual({ name: "apbAckFrameV1", numKeys: 2 });
  });

  it("refuses a key count that disagrees with the header, a bad name or a missing header", () => {
    expect(() => checkScript({ ...ackFrame2, file: "ack-frame-3" })).toThrow(/says 3 keys, the header declares 2/);
    expect(() => checkScript({ ...ackFrame2, file: "ackFrame" })).toThrow(/<command>-<numKeys>/);
    expect(() => checkScript({ file: "noop-0", version: 1, lua: "return 1" })).toThrow(/ARGV and Returns/);
  });
});
