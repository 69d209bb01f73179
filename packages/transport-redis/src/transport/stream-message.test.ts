// Stream entries: round trips of both kinds, and every malformed entry is FRAME_INVALID.
import { ApbError } from "@apb/core";
import { describe, expect, it } from "vitest";
import { decodeStreamMessage, encodeStreamMessage } from "./stream-message.js";

const asReply = (fields: (string | Buffer)[]): Buffer[] => fields.map((f) => (typeof f === "string" ? Buffer.from(f) : f));

function code(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ApbError);
    return (e as ApbError).code;
  }
  return undefined;
}

describe("stream messages", () => {
  it("round-trip frame and fail entries, frames as plain Uint8Array views", () => {
    const frame = Uint8Array.from([1, 2, 3, 4, 5]).subarray(1);
    const m = decodeStreamMessage(asReply(encodeStreamMessage({ v: 1, kind: "frame", host: 3, readers: 2, frame })), 1024);
    expect(m).toMatchObject({ v: 1, kind: "frame", host: 3, readers: 2 });
    expect(Array.from(m.frame)).toEqual([2, 3, 4, 5]);
    expect(Buffer.isBuffer(m.frame)).toBe(false);
    const f = decodeStreamMessage(asReply(encodeStreamMessage({ v: 1, kind: "fail", host: 0, frame })), 1024);
    expect(f).toMatchObject({ kind: "fail", host: 0 });
  });

  it("encodes the frame as a Buffer view without copying", () => {
    const frame = new Uint8Array(16);
    const last = encodeStreamMessage({ v: 1, kind: "frame", host: 0, readers: 1, frame }).at(-1) as Buffer;
    expect(last.buffer).toBe(frame.buffer);
  });

  it.each([
    ["odd field count", ["v", "1", "kind"]],
    ["unknown version", ["v", "2", "kind", "frame", "host", "0", "readers", "1", "frame", "x"]],
    ["missing version", ["kind", "frame", "host", "0", "readers", "1", "frame", "x"]],
    ["unknown kind", ["v", "1", "kind", "blob", "host", "0", "frame", "x"]],
    ["missing frame", ["v", "1", "kind", "frame", "host", "0", "readers", "1"]],
    ["bad host", ["v", "1", "kind", "frame", "host", "-1", "readers", "1", "frame", "x"]],
    ["host too large", ["v", "1", "kind", "frame", "host", "70000", "readers", "1", "frame", "x"]],
    ["zero readers", ["v", "1", "kind", "frame", "host", "0", "readers", "0", "frame", "x"]],
    ["frame over the cap", ["v", "1", "kind", "frame", "host", "0", "readers", "1", "frame", "x".repeat(2000)]],
  ])("rejects %s with FRAME_INVALID", (_, fields) => {
    expect(code(() => decodeStreamMessage(asReply(fields), 1024))).toBe("FRAME_INVALID");
  });
});
