// The entries of the transport's streams (STYLE.md G8): a versioned, discriminated union, encoded as XADD fields
// and decoded from xreadBuffer replies with every check before use. The frame itself is checked by the engine.

import { TransportError } from "@apb/core";

export const STREAM_MESSAGE_VERSION = 1;

/** One stream entry. `frame` entries live in a tag's stream; `fail` entries in the request's control stream. */
export type StreamMessage =
  | {
      readonly v: typeof STREAM_MESSAGE_VERSION;
      readonly kind: "frame";
      readonly host: number;
      /** How many hosts will take this frame; the last one deletes the entry. */
      readonly readers: number;
      readonly frame: Uint8Array;
    }
  | {
      readonly v: typeof STREAM_MESSAGE_VERSION;
      readonly kind: "fail";
      readonly host: number;
      /** core's encodeError frame. */
      readonly frame: Uint8Array;
    };

const MAX_HOST = 0xffff; // the frame header's host field is a u16

function bad(message: string): TransportError {
  return new TransportError("FRAME_INVALID", `bad stream entry: ${message}`);
}

/** The typed error for a frame over the size cap (on put and on read). */
export function frameTooLarge(numBytes: number, maxFrameBytes: number): TransportError {
  return new TransportError("FRAME_INVALID", `frame of ${numBytes} bytes exceeds the cap ${maxFrameBytes}; raise maxFrameBytes`, { data: { numBytes, maxFrameBytes } });
}

/** XADD field/value pairs; the frame goes last and as a Buffer view (no copy). */
export function encodeStreamMessage(m: StreamMessage): (string | Buffer)[] {
  const fields: (string | Buffer)[] = ["v", String(m.v), "kind", m.kind, "host", String(m.host)];
  if (m.kind === "frame") fields.push("readers", String(m.readers));
  fields.push("frame", Buffer.from(m.frame.buffer, m.frame.byteOffset, m.frame.byteLength));
  return fields;
}

function intField(fields: Map<string, Buffer>, name: string, min: number, max: number): number {
  const raw = fields.get(name)?.toString("latin1");
  const n = raw === undefined || !/^\d{1,10}$/.test(raw) ? Number.NaN : Number(raw);
  if (!(n >= min && n <= max)) throw bad(`field ${name} is ${raw === undefined ? "missing" : JSON.stringify(raw)}, expected an integer in [${min}, ${max}]`);
  return n;
}

/**
 * Decodes one entry's fields as xreadBuffer returns them ([name, value, name, value, ...]).
 * @throws TransportError FRAME_INVALID for a missing or malformed field, an unknown version or kind, or a frame over the cap.
 */
export function decodeStreamMessage(raw: readonly Buffer[], maxFrameBytes: number): StreamMessage {
  if (raw.length % 2 !== 0) throw bad(`${raw.length} field items, expected name/value pairs`);
  const fields = new Map<string, Buffer>();
  for (let i = 0; i < raw.length; i += 2) fields.set(raw[i]!.toString("latin1"), raw[i + 1]!);
  const v = fields.get("v")?.toString("latin1");
  if (v !== String(STREAM_MESSAGE_VERSION)) throw bad(`version ${v ?? "missing"}, this build reads version ${STREAM_MESSAGE_VERSION}`);
  const frameBuf = fields.get("frame");
  if (frameBuf === undefined) throw bad("no frame field");
  if (frameBuf.length > maxFrameBytes) throw frameTooLarge(frameBuf.length, maxFrameBytes);
  const host = intField(fields, "host", 0, MAX_HOST);
  // A plain Uint8Array view, not the Buffer: Buffer#slice() returns a view where core's decoder expects a copy.
  const frame = new Uint8Array(frameBuf.buffer, frameBuf.byteOffset, frameBuf.byteLength);
  const kind = fields.get("kind")?.toString("latin1");
  switch (kind) {
    case "frame":
      return { v: STREAM_MESSAGE_VERSION, kind, host, readers: intField(fields, "readers", 1, MAX_HOST), frame };
    case "fail":
      return { v: STREAM_MESSAGE_VERSION, kind, host, frame };
    default:
      throw bad(`unknown kind ${JSON.stringify(kind ?? null)}`);
  }
}
