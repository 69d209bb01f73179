// Reads one .safetensors file: [u64 LE header length][JSON header][raw little-endian tensor bytes].
// The header is fully validated before any tensor byte is read; tensors are then read one at a time, in chunks,
// so checkpoints far larger than a Node buffer (4 GiB) or than memory load tensor by tensor.

import { open } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { z } from "zod";
import { ModelError } from "../errors/apb-error.js";
import { bf16ToF32Into, f16ToF32Into } from "./half-float.js";

/** Header JSON above this size is refused (the format's own reference implementation uses the same bound). */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;
/** Element bytes of every dtype the format defines; only F32, F16 and BF16 can be read into float32. */
const DTYPE_BYTES: Readonly<Record<string, number>> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1, BOOL: 1, F8_E4M3: 1, F8_E5M2: 1,
};
const READABLE_DTYPES: ReadonlySet<string> = new Set(["F32", "F16", "BF16"]);
/** Elements per read for 16-bit tensors; 1 GiB per read for F32 (fs reads are capped at 2 GiB). */
const CHUNK_ELEMENTS = 1 << 22;
const MAX_READ_BYTES = 1 << 30;

/** Where weights come from: SafetensorsFile, SafetensorsCheckpoint and any test double implement this. */
export interface TensorSource {
  /** Shown in error messages (a path). */
  readonly source: string;
  names(): string[];
  has(name: string): boolean;
  shape(name: string): readonly number[] | undefined;
  read(name: string): Promise<Float32Array>;
}

/** One tensor's header entry; offsets are relative to the start of the data section. */
export interface TensorInfo {
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly begin: number;
  readonly end: number;
}

const entrySchema = z.object({
  dtype: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  data_offsets: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
});

function invalid(path: string, message: string, cause?: unknown): ModelError {
  return new ModelError("SAFETENSORS_INVALID", `${path}: ${message}`, { cause, data: { path } });
}

/** Validates every entry of a parsed header against the data section's size. Pure; exported for tests. */
export function parseSafetensorsHeader(json: unknown, dataBytes: number, path: string): { tensors: Map<string, TensorInfo>; metadata: Record<string, string> } {
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw invalid(path, "header is not a JSON object");
  const tensors = new Map<string, TensorInfo>();
  let metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(json as Record<string, unknown>)) {
    if (name === "__metadata__") {
      const m = z.record(z.string(), z.string()).safeParse(value);
      if (!m.success) throw invalid(path, "__metadata__ must map strings to strings");
      metadata = m.data;
      continue;
    }
    const e = entrySchema.safeParse(value);
    if (!e.success) throw invalid(path, `header entry "${name}" needs dtype, shape (non-negative ints) and data_offsets [begin, end]`);
    const { dtype, shape, data_offsets: [begin, end] } = e.data;
    if (begin > end || end > dataBytes) {
      throw invalid(path, `tensor "${name}" has data_offsets [${begin}, ${end}] outside the ${dataBytes}-byte data section (truncated or corrupt file)`);
    }
    const bytes = DTYPE_BYTES[dtype];
    const numel = shape.reduce((a, b) => a * b, 1);
    if (bytes !== undefined && end - begin !== numel * bytes) {
      throw invalid(path, `tensor "${name}" (${dtype}, shape [${shape.join(", ")}]) needs ${numel * bytes} bytes but data_offsets span ${end - begin}`);
    }
    tensors.set(name, { dtype, shape, begin, end });
  }
  return { tensors, metadata };
}

/** Reads exactly buf.length bytes at `position`, in reads of at most 1 GiB. */
async function readFully(fh: FileHandle, buf: Uint8Array, position: number, path: string): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const want = Math.min(buf.length - done, MAX_READ_BYTES);
    const { bytesRead } = await fh.read(buf, done, want, position + done);
    if (bytesRead === 0) throw invalid(path, `unexpected end of file at byte ${position + done} (file truncated?)`);
    done += bytesRead;
  }
}

/** Reads and validates the length prefix and the header of an open file. */
async function readHeader(fh: FileHandle, path: string): Promise<{ dataStart: number; tensors: Map<string, TensorInfo>; metadata: Record<string, string> }> {
  const size = (await fh.stat()).size;
  if (size < 8) throw invalid(path, `file is ${size} bytes, too short for the 8-byte header length`);
  const lenBuf = new Uint8Array(8);
  await readFully(fh, lenBuf, 0, path);
  const headerLen = new DataView(lenBuf.buffer).getBigUint64(0, true);
  if (headerLen > BigInt(size - 8)) throw invalid(path, `header length ${headerLen} exceeds the file size ${size} (not a safetensors file, or truncated)`);
  if (headerLen > BigInt(MAX_HEADER_BYTES)) throw invalid(path, `header length ${headerLen} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  const headerBytes = new Uint8Array(Number(headerLen));
  await readFully(fh, headerBytes, 8, path);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(headerBytes));
  } catch (err) {
    throw invalid(path, `header is not valid UTF-8 JSON (${(err as Error).message})`, err);
  }
  const dataStart = 8 + headerBytes.length;
  return { dataStart, ...parseSafetensorsHeader(json, size - dataStart, path) };
}

/** An open safetensors file. Close it when done; reads are independent and may run concurrently. */
export class SafetensorsFile implements TensorSource {
  readonly path: string;
  /** The header's `__metadata__` map (empty when absent). */
  readonly metadata: Readonly<Record<string, string>>;
  private readonly fh: FileHandle;
  private readonly dataStart: number;
  private readonly tensors: ReadonlyMap<string, TensorInfo>;

  private constructor(init: { path: string; fh: FileHandle; dataStart: number; tensors: Map<string, TensorInfo>; metadata: Record<string, string> }) {
    this.path = init.path;
    this.fh = init.fh;
    this.dataStart = init.dataStart;
    this.tensors = init.tensors;
    this.metadata = init.metadata;
  }

  /**
   * Opens a file and validates its header (lengths, JSON, every entry's shape, dtype size and offsets).
   * @throws ModelError SAFETENSORS_INVALID when the file cannot be opened or its header is malformed
   */
  static async open(path: string): Promise<SafetensorsFile> {
    let fh: FileHandle;
    try {
      fh = await open(path, "r");
    } catch (err) {
      throw invalid(path, `cannot open (${(err as Error).message})`, err);
    }
    try {
      return new SafetensorsFile({ path, fh, ...(await readHeader(fh, path)) });
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  get source(): string {
    return this.path;
  }

  /** Tensor names, in header order. */
  names(): string[] {
    return [...this.tensors.keys()];
  }

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  /** The tensor's shape, or undefined if there is no such tensor. */
  shape(name: string): readonly number[] | undefined {
    return this.tensors.get(name)?.shape;
  }

  /** The tensor's dtype as written (e.g. "BF16"), or undefined if there is no such tensor. */
  dtype(name: string): string | undefined {
    return this.tensors.get(name)?.dtype;
  }

  /**
   * Reads one tensor, converting F16/BF16 to float32 (F32 is read straight into the result).
   * @throws ModelError TENSOR_MISSING for an unknown name, SAFETENSORS_INVALID for other dtypes or a truncated file
   */
  async read(name: string): Promise<Float32Array> {
    const info = this.tensors.get(name);
    if (info === undefined) throw new ModelError("TENSOR_MISSING", `${this.path} has no tensor "${name}"`, { data: { path: this.path, name } });
    if (!READABLE_DTYPES.has(info.dtype)) {
      throw invalid(this.path, `tensor "${name}" has dtype ${info.dtype}; only F32, F16 and BF16 can be loaded: convert the checkpoint to bf16 or fp32`);
    }
    const bytes = DTYPE_BYTES[info.dtype]!;
    const numel = (info.end - info.begin) / bytes;
    const out = new Float32Array(numel);
    const start = this.dataStart + info.begin;
    // Checkpoint bytes are little-endian, as are the typed arrays on every platform Node supports in practice (x64, arm64).
    if (info.dtype === "F32") {
      await readFully(this.fh, new Uint8Array(out.buffer), start, this.path);
      return out;
    }
    const convert = info.dtype === "BF16" ? bf16ToF32Into : f16ToF32Into;
    const scratch = new Uint16Array(Math.min(numel, CHUNK_ELEMENTS));
    for (let i = 0; i < numel; i += CHUNK_ELEMENTS) {
      const count = Math.min(CHUNK_ELEMENTS, numel - i);
      await readFully(this.fh, new Uint8Array(scratch.buffer, 0, count * 2), start + i * 2, this.path);
      convert(scratch, count, out, i);
    }
    return out;
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}
