// Tests for the safetensors reader, writer, sharded checkpoints and the 16-bit float conversions.
import { mkdir, mkdtemp, open, readFile, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { f16BitsToF32, f32ToBf16Bits, f32ToF16Bits } from "./half-float.js";
import { SafetensorsCheckpoint } from "./safetensors-checkpoint.js";
import { writeSafetensors } from "./safetensors-writer.js";
import { MAX_HEADER_BYTES, SafetensorsFile } from "./safetensors.js";
import { expectApbError } from "./testing-only/expect-apb-error.js";

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "apb-safetensors-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Writes [u64 header length][header JSON][data] by hand, for malformed files. */
async function writeRaw(name: string, header: unknown, data: Uint8Array, lengthOverride?: bigint): Promise<string> {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, lengthOverride ?? BigInt(json.length), true);
  const path = join(tmp, name);
  await writeFile(path, Buffer.concat([prefix, json, data]));
  return path;
}

async function readOne(path: string, name: string): Promise<Float32Array> {
  const f = await SafetensorsFile.open(path);
  try {
    return await f.read(name);
  } finally {
    await f.close();
  }
}

const SPECIAL_F16 = [0, -0, 1, -2.5, 65504, -65504, 2 ** -24, 3 * 2 ** -24, 1023 * 2 ** -24, 2 ** -14, Infinity, -Infinity];

describe("16-bit float conversions", () => {
  it("decodes known half bit patterns exactly, including subnormals, inf and nan", () => {
    expect(f16BitsToF32(0x3c00)).toBe(1);
    expect(f16BitsToF32(0xc000)).toBe(-2);
    expect(f16BitsToF32(0x0001)).toBe(2 ** -24);
    expect(f16BitsToF32(0x03ff)).toBe(1023 * 2 ** -24);
    expect(f16BitsToF32(0x0400)).toBe(2 ** -14);
    expect(f16BitsToF32(0x7bff)).toBe(65504);
    expect(f16BitsToF32(0x7c00)).toBe(Infinity);
    expect(f16BitsToF32(0xfc00)).toBe(-Infinity);
    expect(Object.is(f16BitsToF32(0x8000), -0)).toBe(true);
    expect(f16BitsToF32(0x7e00)).toBeNaN();
  });

  it("round-trips every non-NaN half and bfloat16 bit pattern", () => {
    const f32 = new Float32Array(1);
    const u32 = new Uint32Array(f32.buffer);
    const bad: string[] = [];
    for (let h = 0; h < 65536; h++) {
      const v = f16BitsToF32(h);
      if (!Number.isNaN(v) && f32ToF16Bits(v) !== h) bad.push(`f16 ${h}`);
      u32[0] = h << 16;
      if (!Number.isNaN(f32[0]!) && f32ToBf16Bits(f32[0]!) !== h) bad.push(`bf16 ${h}`);
    }
    expect(bad).toEqual([]);
  });

  it("rounds to nearest even, underflows to zero and overflows to infinity", () => {
    expect(f32ToBf16Bits(1 + 2 ** -8)).toBe(0x3f80); // tie → even (1.0)
    expect(f32ToBf16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82); // tie → even (1 + 2^-6)
    expect(f32ToBf16Bits(1 + 2 ** -8 + 2 ** -20)).toBe(0x3f81); // above the tie → up
    expect(f32ToF16Bits(65520)).toBe(0x7c00); // halfway to 65536 → even → inf
    expect(f32ToF16Bits(65519)).toBe(0x7bff);
    expect(f32ToF16Bits(2 ** -25)).toBe(0); // half the smallest subnormal → even → 0
    expect(f32ToF16Bits(1.5 * 2 ** -24)).toBe(2); // tie between 1 and 2 subnormal units → 2
    expect(f32ToF16Bits(-1e-10)).toBe(0x8000);
    expect(f32ToF16Bits(NaN) & 0x7c00).toBe(0x7c00);
    expect(f32ToF16Bits(NaN) & 0x3ff).not.toBe(0);
  });
});

describe("writeSafetensors + SafetensorsFile", () => {
  it("round-trips F32 exactly and BF16/F16 to their rounded values, with metadata", async () => {
    const values = Float32Array.from([...SPECIAL_F16, NaN, 0.1, -3.3333, 1e-3]);
    const path = join(tmp, "roundtrip.safetensors");
    await writeSafetensors(
      path,
      { a: { dtype: "F32", shape: [values.length], data: values }, b: { dtype: "BF16", shape: [2, 8], data: values }, c: { dtype: "F16", shape: [16], data: values } },
      { format: "pt" },
    );
    const f = await SafetensorsFile.open(path);
    expect(f.names()).toEqual(["a", "b", "c"]);
    expect(f.metadata).toEqual({ format: "pt" });
    expect(f.shape("b")).toEqual([2, 8]);
    expect(f.dtype("c")).toBe("F16");
    expect(f.shape("zzz")).toBeUndefined();
    expect(await f.read("a")).toEqual(values);
    const b = await f.read("b");
    const c = await f.read("c");
    await f.close();
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      const f32 = new Float32Array([v]);
      const bits = new Uint32Array(f32.buffer);
      bits[0] = f32ToBf16Bits(v) << 16;
      expect(b[i]).toBe(f32[0]);
      expect(c[i]).toBe(f16BitsToF32(f32ToF16Bits(v)));
    }
    // Values representable in half (subnormals included) survive F16 exactly.
    expect(Array.from(c.subarray(0, SPECIAL_F16.length))).toEqual(SPECIAL_F16);
    expect(Object.is(c[1], -0)).toBe(true);
    expect(c[12]).toBeNaN();
  });

  it("reads 16-bit tensors larger than one read chunk", async () => {
    const n = (1 << 22) + 12345;
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = ((i % 251) - 125) / 2; // exact in both BF16 and F16
    const path = join(tmp, "big.safetensors");
    await writeSafetensors(path, { x: { dtype: "BF16", shape: [n], data }, y: { dtype: "F16", shape: [n], data } });
    // Compare by hand: deep equality on millions of elements is very slow in the matcher.
    for (const name of ["x", "y"]) {
      const got = await readOne(path, name);
      expect(got.length).toBe(n);
      let mismatches = 0;
      for (let i = 0; i < n; i++) if (got[i] !== data[i]) mismatches++;
      expect(mismatches, name).toBe(0);
    }
  });

  it("rejects data that does not match the shape", async () => {
    await expectApbError(writeSafetensors(join(tmp, "bad.safetensors"), { x: { dtype: "F32", shape: [2, 3], data: new Float32Array(5) } }), "TENSOR_SHAPE", /\[2, 3\] has 6 elements/);
  });
});

describe("SafetensorsFile validation", () => {
  const entry = { dtype: "F32", shape: [2, 3], data_offsets: [0, 24] };

  it("reports a missing tensor and a missing file", async () => {
    const path = await writeRaw("ok.safetensors", { w: entry }, new Uint8Array(24));
    await expectApbError(readOne(path, "nope"), "TENSOR_MISSING", /no tensor "nope"/);
    await expectApbError(SafetensorsFile.open(join(tmp, "absent.safetensors")), "SAFETENSORS_INVALID", /cannot open/);
  });

  it("rejects a header length larger than the file, and one above the 100 MB limit", async () => {
    const path = await writeRaw("toolong.safetensors", { w: entry }, new Uint8Array(24), 1n << 40n);
    await expectApbError(SafetensorsFile.open(path), "SAFETENSORS_INVALID", /header length 1099511627776 exceeds the file size/);
    const huge = await writeRaw("huge.safetensors", { w: entry }, new Uint8Array(24), BigInt(MAX_HEADER_BYTES + 1));
    await truncate(huge, MAX_HEADER_BYTES + 64); // sparse: the file is big enough, the header is still refused
    await expectApbError(SafetensorsFile.open(huge), "SAFETENSORS_INVALID", /exceeds the 104857600-byte limit/);
    await writeFile(join(tmp, "tiny.safetensors"), new Uint8Array(5));
    await expectApbError(SafetensorsFile.open(join(tmp, "tiny.safetensors")), "SAFETENSORS_INVALID", /too short/);
  });

  it("rejects offsets past the end, a truncated file and sizes that disagree with dtype and shape", async () => {
    const past = await writeRaw("past.safetensors", { w: { ...entry, data_offsets: [0, 400] } }, new Uint8Array(24));
    await expectApbError(SafetensorsFile.open(past), "SAFETENSORS_INVALID", /"w" has data_offsets \[0, 400\] outside the 24-byte data section/);
    const good = join(tmp, "trunc.safetensors");
    await writeSafetensors(good, { a: { dtype: "F32", shape: [4], data: new Float32Array(4) }, b: { dtype: "F32", shape: [4], data: new Float32Array(4) } });
    await truncate(good, (await readFile(good)).length - 3);
    await expectApbError(SafetensorsFile.open(good), "SAFETENSORS_INVALID", /"b".*outside.*truncated/);
    const size = await writeRaw("size.safetensors", { w: { ...entry, dtype: "F16" } }, new Uint8Array(24));
    await expectApbError(SafetensorsFile.open(size), "SAFETENSORS_INVALID", /needs 12 bytes but data_offsets span 24/);
    const neg = await writeRaw("neg.safetensors", { w: { ...entry, shape: [-2, 3] } }, new Uint8Array(24));
    await expectApbError(SafetensorsFile.open(neg), "SAFETENSORS_INVALID", /header entry "w"/);
  });

  it("rejects a header that is not JSON or not an object", async () => {
    const prefix = new Uint8Array(8);
    new DataView(prefix.buffer).setBigUint64(0, 5n, true);
    await writeFile(join(tmp, "nojson.safetensors"), Buffer.concat([prefix, Buffer.from("{oops")]));
    await expectApbError(SafetensorsFile.open(join(tmp, "nojson.safetensors")), "SAFETENSORS_INVALID", /not valid UTF-8 JSON/);
    const arr = await writeRaw("array.safetensors", [1, 2], new Uint8Array(0));
    await expectApbError(SafetensorsFile.open(arr), "SAFETENSORS_INVALID", /not a JSON object/);
  });

  it("opens files with other dtypes but refuses to read them as float32", async () => {
    const path = await writeRaw(
      "dtypes.safetensors",
      { ids: { dtype: "I64", shape: [3], data_offsets: [0, 24] }, odd: { dtype: "Q4_X", shape: [7], data_offsets: [24, 28] }, w: { ...entry, data_offsets: [28, 52] } },
      new Uint8Array(52),
    );
    const f = await SafetensorsFile.open(path);
    expect(await f.read("w")).toEqual(new Float32Array(6));
    await expectApbError(f.read("ids"), "SAFETENSORS_INVALID", /"ids" has dtype I64; only F32, F16 and BF16/);
    await expectApbError(f.read("odd"), "SAFETENSORS_INVALID", /dtype Q4_X/);
    await f.close();
  });
});

describe("SafetensorsCheckpoint", () => {
  it("reads a sharded checkpoint through its index, and a single file", async () => {
    const dir = join(tmp, "sharded");
    await mkdir(dir);
    await writeSafetensors(join(dir, "s1.safetensors"), { a: { dtype: "F32", shape: [2], data: Float32Array.from([1, 2]) } });
    await writeSafetensors(join(dir, "s2.safetensors"), { b: { dtype: "BF16", shape: [1, 2], data: Float32Array.from([3, 4]) } });
    await writeFile(join(dir, "model.safetensors.index.json"), JSON.stringify({ metadata: { total_size: 12 }, weight_map: { a: "s1.safetensors", b: "s2.safetensors" } }));
    const ck = await SafetensorsCheckpoint.open(dir);
    expect(ck.names().sort()).toEqual(["a", "b"]);
    expect(ck.has("b")).toBe(true);
    expect(ck.shape("b")).toEqual([1, 2]);
    expect(await ck.read("b")).toEqual(Float32Array.from([3, 4]));
    await expectApbError(ck.read("c"), "TENSOR_MISSING", /no tensor "c"/);
    await ck.close();
    const single = await SafetensorsCheckpoint.open(join(dir, "s1.safetensors"));
    expect(await single.read("a")).toEqual(Float32Array.from([1, 2]));
    await single.close();
  });

  it("rejects index entries that point at the wrong shard or outside the folder, and folders without weights", async () => {
    const dir = join(tmp, "badindex");
    await mkdir(dir);
    await writeSafetensors(join(dir, "s1.safetensors"), { a: { dtype: "F32", shape: [1], data: new Float32Array(1) } });
    const index = join(dir, "model.safetensors.index.json");
    await writeFile(index, JSON.stringify({ weight_map: { a: "s1.safetensors", b: "s1.safetensors" } }));
    await expectApbError(SafetensorsCheckpoint.open(dir), "SAFETENSORS_INVALID", /puts "b" in s1\.safetensors, which has no such tensor/);
    await writeFile(index, JSON.stringify({ weight_map: { a: "../s1.safetensors" } }));
    await expectApbError(SafetensorsCheckpoint.open(index), "SAFETENSORS_INVALID", /must be a file name inside/);
    await writeFile(index, JSON.stringify({ weights: {} }));
    await expectApbError(SafetensorsCheckpoint.open(dir), "SAFETENSORS_INVALID", /weight_map/);
    await writeFile(index, JSON.stringify({ weight_map: { a: "missing.safetensors" } }));
    await expectApbError(SafetensorsCheckpoint.open(dir), "SAFETENSORS_INVALID", /missing\.safetensors: cannot open/);
    const empty = await mkdtemp(join(tmp, "noweights-"));
    await expectApbError(SafetensorsCheckpoint.open(empty), "TENSOR_MISSING", /neither model\.safetensors nor model\.safetensors\.index\.json/);
  });

  it("reads tensors without loading the whole file (positional reads only)", async () => {
    const path = join(tmp, "positional.safetensors");
    await writeSafetensors(path, { a: { dtype: "F32", shape: [3], data: Float32Array.from([1, 2, 3]) }, b: { dtype: "F32", shape: [1], data: Float32Array.from([9]) } });
    // Corrupting tensor a's bytes must not affect reading b.
    const fh = await open(path, "r+");
    const size = (await fh.stat()).size;
    await fh.write(new Uint8Array(12).fill(0xff), 0, 12, size - 16);
    await fh.close();
    expect(await readOne(path, "b")).toEqual(Float32Array.from([9]));
    expect(Number.isNaN((await readOne(path, "a"))[0])).toBe(true);
  });
});
