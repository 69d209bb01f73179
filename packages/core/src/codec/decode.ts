// Frame decoding with every check before any use: size, magic, version, kind, declared length, checksum, payload shape.

import { TransportError } from "../errors/index.js";
import type { SerializedApbError } from "../errors/index.js";
import { crc32 } from "./crc32.js";
import { FRAME_HEADER_BYTES, FRAME_MAGIC, FRAME_VERSION, FrameKind } from "./frame.js";
import type { Frame } from "./frame.js";

function bad(message: string): TransportError {
  return new TransportError("FRAME_INVALID", `bad frame: ${message}`);
}

/** Float32 values at a byte offset of `bytes`: a view when aligned, else a copy. */
function floats(bytes: Uint8Array, offset: number, count: number): Float32Array {
  const abs = bytes.byteOffset + offset;
  if (abs % 4 === 0) return new Float32Array(bytes.buffer, abs, count);
  // A real copy: on a Node Buffer, slice() is a view over the whole pool, not a copy.
  return new Float32Array(new Uint8Array(bytes.subarray(offset, offset + 4 * count)).buffer);
}

function checkedProduct(...xs: number[]): number {
  let p = 1;
  for (const x of xs) {
    p *= x;
    if (!Number.isSafeInteger(p)) throw bad("payload dimensions overflow");
  }
  return p;
}

function decodeKv(bytes: Uint8Array, view: DataView, head: { host: number; tag: number; payloadLen: number }): Frame {
  if (head.payloadLen < 8) throw bad("KV block payload shorter than its 8-byte shape");
  const rows = view.getUint32(FRAME_HEADER_BYTES, true);
  const rowSize = view.getUint32(FRAME_HEADER_BYTES + 4, true);
  const n = checkedProduct(rows, rowSize);
  if (8 + 8 * n !== head.payloadLen) throw bad(`KV block of ${rows}x${rowSize} needs ${8 + 8 * n} payload bytes, frame has ${head.payloadLen}`);
  const f = floats(bytes, FRAME_HEADER_BYTES + 8, 2 * n);
  return { kind: FrameKind.KvBlock, host: head.host, tag: head.tag, rows, rowSize, k: f.subarray(0, n), v: f.subarray(n) };
}

function decodePartial(bytes: Uint8Array, view: DataView, head: { host: number; tag: number; payloadLen: number }): Frame {
  if (head.payloadLen < 12) throw bad("partial payload shorter than its 12-byte shape");
  const rows = view.getUint32(FRAME_HEADER_BYTES, true);
  const heads = view.getUint32(FRAME_HEADER_BYTES + 4, true);
  const headDim = view.getUint32(FRAME_HEADER_BYTES + 8, true);
  const nOut = checkedProduct(rows, heads, headDim);
  const nLse = checkedProduct(rows, heads);
  if (12 + 4 * (nOut + nLse) !== head.payloadLen) throw bad(`partial ${rows}x${heads}x${headDim} does not match payload of ${head.payloadLen} bytes`);
  const f = floats(bytes, FRAME_HEADER_BYTES + 12, nOut + nLse);
  return { kind: FrameKind.Partial, host: head.host, tag: head.tag, rows, heads, headDim, out: f.subarray(0, nOut), lse: f.subarray(nOut) };
}

function decodeError(bytes: Uint8Array, head: { host: number; tag: number; payloadLen: number }): Frame {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(FRAME_HEADER_BYTES)));
  } catch {
    throw bad("error payload is not UTF-8 JSON");
  }
  const e = parsed as Partial<SerializedApbError> | null;
  if (e === null || typeof e !== "object" || typeof e.code !== "string" || typeof e.message !== "string") throw bad("error payload lacks code/message");
  return { kind: FrameKind.Error, host: head.host, tag: head.tag, error: { code: e.code, message: e.message, ...(e.data === undefined ? {} : { data: e.data }) } };
}

/**
 * Decodes and validates one frame.
 * @throws TransportError FRAME_INVALID for anything malformed: short, wrong magic/version/kind, length or checksum mismatch.
 */
export function decodeFrame(bytes: Uint8Array): Frame {
  if (bytes.length < FRAME_HEADER_BYTES) throw bad(`${bytes.length} bytes is shorter than the ${FRAME_HEADER_BYTES}-byte header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== FRAME_MAGIC) throw bad("wrong magic");
  const version = view.getUint8(4);
  if (version !== FRAME_VERSION) throw bad(`version ${version}, this build reads version ${FRAME_VERSION}`);
  const kind = view.getUint8(5);
  const head = { host: view.getUint16(6, true), tag: view.getUint32(8, true), payloadLen: view.getUint32(12, true) };
  if (head.payloadLen !== bytes.length - FRAME_HEADER_BYTES) throw bad(`declared payload ${head.payloadLen} bytes, got ${bytes.length - FRAME_HEADER_BYTES}`);
  const crc = crc32(bytes.subarray(FRAME_HEADER_BYTES), crc32(bytes.subarray(0, 16)));
  if (crc !== view.getUint32(16, true)) throw bad("checksum mismatch");
  if (view.getUint32(20, true) !== 0 || view.getUint32(24, true) !== 0) throw bad("reserved header bytes are not zero");
  switch (kind) {
    case FrameKind.KvBlock:
      return decodeKv(bytes, view, head);
    case FrameKind.Partial:
      return decodePartial(bytes, view, head);
    case FrameKind.Token:
      if (head.payloadLen !== 8) throw bad("token payload must be 8 bytes");
      return { kind: FrameKind.Token, host: head.host, tag: head.tag, token: view.getInt32(FRAME_HEADER_BYTES, true), done: view.getUint32(FRAME_HEADER_BYTES + 4, true) === 1 };
    case FrameKind.Error:
      return decodeError(bytes, head);
    default:
      throw bad(`unknown kind ${kind}`);
  }
}

/** Decodes a frame and checks it is of the expected kind. */
export function expectFrame<K extends Frame["kind"]>(bytes: Uint8Array, kind: K): Extract<Frame, { kind: K }> {
  const f = decodeFrame(bytes);
  if (f.kind !== kind) throw bad(`expected kind ${kind}, got ${f.kind}`);
  return f as Extract<Frame, { kind: K }>;
}
