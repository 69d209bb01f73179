// Writes a .safetensors file from float32 arrays, storing each tensor as F32, BF16 or F16 (round to nearest even).
// Used by tests and the random-checkpoint builder; tensors are encoded and written one at a time.

import { open } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { ModelError } from "../errors/apb-error.js";
import { f32ToBf16Bits, f32ToF16Bits } from "./half-float.js";

export type WritableDtype = "F32" | "BF16" | "F16";

/** One tensor to write: float32 values in row-major order, stored as `dtype`. */
export interface TensorToWrite {
  readonly dtype: WritableDtype;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

const BYTES: Readonly<Record<WritableDtype, number>> = { F32: 4, BF16: 2, F16: 2 };

/** Little-endian bytes of one tensor in its stored dtype. */
function encode(t: TensorToWrite): Uint8Array {
  if (t.dtype === "F32") {
    const copy = new Float32Array(t.data);
    return new Uint8Array(copy.buffer);
  }
  const toBits = t.dtype === "BF16" ? f32ToBf16Bits : f32ToF16Bits;
  const bits = new Uint16Array(t.data.length);
  for (let i = 0; i < t.data.length; i++) bits[i] = toBits(t.data[i]!);
  return new Uint8Array(bits.buffer);
}

/** The header bytes (JSON padded with spaces to a multiple of 8, as the format recommends). */
function buildHeader(tensors: Record<string, TensorToWrite>, metadata: Record<string, string> | undefined): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) header["__metadata__"] = metadata;
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const numel = t.shape.reduce((a, b) => a * b, 1);
    if (numel !== t.data.length) {
      throw new ModelError("TENSOR_SHAPE", `tensor "${name}": shape [${t.shape.join(", ")}] has ${numel} elements but its data has ${t.data.length}`, {
        data: { name },
      });
    }
    const size = numel * BYTES[t.dtype];
    header[name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [offset, offset + size] };
    offset += size;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = new Uint8Array(Math.ceil(json.length / 8) * 8).fill(0x20);
  padded.set(json);
  return padded;
}

/** Writes all of `bytes` (a single write may be partial for very large buffers). */
async function writeAll(fh: FileHandle, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await fh.write(bytes, done, Math.min(bytes.length - done, 1 << 30));
    done += bytesWritten;
  }
}

/**
 * Writes `tensors` (in key order) to `path`, replacing any existing file.
 * @throws ModelError TENSOR_SHAPE when a tensor's data length does not match its shape
 */
export async function writeSafetensors(
  path: string,
  tensors: Record<string, TensorToWrite>,
  metadata?: Record<string, string>,
): Promise<void> {
  const header = buildHeader(tensors, metadata);
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(header.length), true);
  const fh = await open(path, "w");
  try {
    await writeAll(fh, prefix);
    await writeAll(fh, header);
    for (const t of Object.values(tensors)) await writeAll(fh, encode(t));
  } finally {
    await fh.close();
  }
}
