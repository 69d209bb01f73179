// Binary frames for everything that crosses between hosts (threads, processes, Redis): versioned header,
// length-checked payload, CRC-32 checksum. A bad frame is a typed FRAME_INVALID error, never a hang.

import { TransportError } from "../errors/index.js";
import type { SerializedApbError } from "../errors/index.js";
import { crc32 } from "./crc32.js";

/** "APBF" little-endian. */
export const FRAME_MAGIC = 0x46425041;
export const FRAME_VERSION = 1;
/** magic u32 | version u8 | kind u8 | host u16 | tag u32 | payloadLen u32 | crc u32 | reserved u32 x2 (must be 0) */
export const FRAME_HEADER_BYTES = 28;

export const FrameKind = { KvBlock: 1, Partial: 2, Token: 3, Error: 4 } as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

/** A decoded frame, discriminated by kind. Float arrays are views or copies aligned to 4 bytes. */
export type Frame =
  | { readonly kind: typeof FrameKind.KvBlock; readonly host: number; readonly tag: number; readonly rows: number; readonly rowSize: number; readonly k: Float32Array; readonly v: Float32Array }
  | { readonly kind: typeof FrameKind.Partial; readonly host: number; readonly tag: number; readonly rows: number; readonly heads: number; readonly headDim: number; readonly out: Float32Array; readonly lse: Float32Array }
  | { readonly kind: typeof FrameKind.Token; readonly host: number; readonly tag: number; readonly token: number; readonly done: boolean }
  | { readonly kind: typeof FrameKind.Error; readonly host: number; readonly tag: number; readonly error: SerializedApbError };

function frameBuffer(kind: FrameKind, host: number, tag: number, payloadLen: number): { bytes: Uint8Array; view: DataView } {
  const bytes = new Uint8Array(FRAME_HEADER_BYTES + payloadLen);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, FRAME_MAGIC, true);
  view.setUint8(4, FRAME_VERSION);
  view.setUint8(5, kind);
  view.setUint16(6, host, true);
  view.setUint32(8, tag >>> 0, true);
  view.setUint32(12, payloadLen, true);
  return { bytes, view };
}

function seal(bytes: Uint8Array, view: DataView): Uint8Array {
  const crc = crc32(bytes.subarray(FRAME_HEADER_BYTES), crc32(bytes.subarray(0, 16)));
  view.setUint32(16, crc, true);
  return bytes;
}

/** A compressed KV block: k and v each [rows, rowSize] float32. */
export function encodeKvBlock(a: { host: number; tag: number; rows: number; rowSize: number; k: Float32Array; v: Float32Array }): Uint8Array {
  const n = a.rows * a.rowSize;
  if (a.k.length !== n || a.v.length !== n) throw new TransportError("FRAME_INVALID", `KV block: expected ${n} values in k and v, got ${a.k.length} and ${a.v.length}`);
  const { bytes, view } = frameBuffer(FrameKind.KvBlock, a.host, a.tag, 8 + 8 * n);
  view.setUint32(FRAME_HEADER_BYTES, a.rows, true);
  view.setUint32(FRAME_HEADER_BYTES + 4, a.rowSize, true);
  const f = new Float32Array(bytes.buffer, FRAME_HEADER_BYTES + 8, 2 * n);
  f.set(a.k, 0);
  f.set(a.v, n);
  return seal(bytes, view);
}

/** A partial attention: out [rows, heads*headDim] and lse [rows, heads]. */
export function encodePartial(a: { host: number; tag: number; rows: number; heads: number; headDim: number; out: Float32Array; lse: Float32Array }): Uint8Array {
  const nOut = a.rows * a.heads * a.headDim;
  const nLse = a.rows * a.heads;
  if (a.out.length !== nOut || a.lse.length !== nLse) throw new TransportError("FRAME_INVALID", "partial: out/lse sizes do not match rows x heads x headDim");
  const { bytes, view } = frameBuffer(FrameKind.Partial, a.host, a.tag, 12 + 4 * (nOut + nLse));
  view.setUint32(FRAME_HEADER_BYTES, a.rows, true);
  view.setUint32(FRAME_HEADER_BYTES + 4, a.heads, true);
  view.setUint32(FRAME_HEADER_BYTES + 8, a.headDim, true);
  const f = new Float32Array(bytes.buffer, FRAME_HEADER_BYTES + 12, nOut + nLse);
  f.set(a.out, 0);
  f.set(a.lse, nOut);
  return seal(bytes, view);
}

/** A sampled token, with `done` set when generation ends after it. */
export function encodeToken(a: { host: number; tag: number; token: number; done: boolean }): Uint8Array {
  const { bytes, view } = frameBuffer(FrameKind.Token, a.host, a.tag, 8);
  view.setInt32(FRAME_HEADER_BYTES, a.token, true);
  view.setUint32(FRAME_HEADER_BYTES + 4, a.done ? 1 : 0, true);
  return seal(bytes, view);
}

/** A failure report in its wire form. */
export function encodeError(a: { host: number; tag: number; error: SerializedApbError }): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(a.error));
  const { bytes, view } = frameBuffer(FrameKind.Error, a.host, a.tag, json.length);
  bytes.set(json, FRAME_HEADER_BYTES);
  return seal(bytes, view);
}
