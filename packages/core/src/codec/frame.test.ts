// Frame codec: round trips, and every kind of corruption is a FRAME_INVALID error (never a crash or a hang).
import { describe, expect, it } from "vitest";
import { ApbError } from "../errors/index.js";
import { Prng } from "../util/prng.js";
import { decodeFrame, expectFrame } from "./decode.js";
import { FRAME_HEADER_BYTES, FrameKind, encodeError, encodeKvBlock, encodePartial, encodeToken } from "./frame.js";

const rng = new Prng(7);

describe("frames", () => {
  it("round-trip every kind", () => {
    const k = rng.normals(6, 1);
    const v = rng.normals(6, 1);
    const kv = expectFrame(encodeKvBlock({ host: 3, tag: 5, rows: 2, rowSize: 3, k, v }), FrameKind.KvBlock);
    expect([kv.host, kv.tag, kv.rows, kv.rowSize]).toEqual([3, 5, 2, 3]);
    expect(kv.k).toEqual(k);
    expect(kv.v).toEqual(v);
    const out = rng.normals(12, 1);
    const lse = Float32Array.from([1, -Infinity, 3, 4]);
    const p = expectFrame(encodePartial({ host: 1, tag: 9, rows: 2, heads: 2, headDim: 3, out, lse }), FrameKind.Partial);
    expect(p.out).toEqual(out);
    expect(p.lse).toEqual(lse);
    expect(expectFrame(encodeToken({ host: 2, tag: 4, token: 1234, done: true }), FrameKind.Token)).toMatchObject({ token: 1234, done: true, tag: 4 });
    expect(expectFrame(encodeError({ host: 0, tag: 0, error: { code: "HOST_FAILED", message: "x", data: { a: 1 } } }), FrameKind.Error).error).toEqual({ code: "HOST_FAILED", message: "x", data: { a: 1 } });
  });

  it("decodes from unaligned buffers (Redis replies are Buffer pool slices)", () => {
    const f = encodeKvBlock({ host: 0, tag: 0, rows: 1, rowSize: 2, k: Float32Array.from([1, 2]), v: Float32Array.from([3, 4]) });
    const shifted = new Uint8Array(f.length + 1).subarray(1);
    shifted.set(f);
    expect(Array.from(expectFrame(shifted, FrameKind.KvBlock).v)).toEqual([3, 4]);
  });

  it("decodes unaligned Node Buffers (ioredis replies) into the right floats", () => {
    const k = rng.normals(6, 1);
    const v = rng.normals(6, 1);
    const f = encodeKvBlock({ host: 1, tag: 2, rows: 2, rowSize: 3, k, v });
    const pool = Buffer.alloc(f.length + 13, 7);
    pool.set(f, 5);
    const decoded = expectFrame(pool.subarray(5, 5 + f.length), FrameKind.KvBlock);
    expect(decoded.k).toEqual(k);
    expect(decoded.v).toEqual(v);
  });

  it("rejects the wrong kind", () => {
    expect(() => expectFrame(encodeToken({ host: 0, tag: 0, token: 1, done: false }), FrameKind.KvBlock)).toThrow(/expected kind 1/);
  });

  it("rejects 10,000 random and corrupted frames with FRAME_INVALID only", () => {
    const good = [
      encodeKvBlock({ host: 1, tag: 2, rows: 3, rowSize: 4, k: rng.normals(12, 1), v: rng.normals(12, 1) }),
      encodePartial({ host: 1, tag: 2, rows: 1, heads: 2, headDim: 2, out: rng.normals(4, 1), lse: rng.normals(2, 1) }),
      encodeToken({ host: 1, tag: 2, token: 3, done: false }),
      encodeError({ host: 1, tag: 2, error: { code: "INTERNAL", message: "m" } }),
    ];
    let rejected = 0;
    for (let i = 0; i < 10_000; i++) {
      const base = good[i % good.length]!;
      let bytes: Uint8Array;
      switch (i % 4) {
        case 0: // random bytes of random length
          bytes = Uint8Array.from({ length: rng.int(80) }, () => rng.int(256));
          break;
        case 1: // one flipped bit anywhere
          bytes = base.slice();
          bytes[rng.int(bytes.length)]! ^= 1 << rng.int(8);
          break;
        case 2: // truncated or extended
          bytes = rng.next() < 0.5 ? base.slice(0, rng.int(base.length)) : Uint8Array.from([...base, ...Array.from({ length: 1 + rng.int(8) }, () => rng.int(256))]);
          break;
        default: // valid header, random payload (checksum then fails)
          bytes = base.slice();
          for (let j = FRAME_HEADER_BYTES; j < bytes.length; j++) bytes[j] = rng.int(256);
          if (bytes.length === FRAME_HEADER_BYTES || bytes.every((b, j) => b === base[j])) bytes[0]! ^= 0xff;
      }
      try {
        decodeFrame(bytes);
      } catch (e) {
        expect(e).toBeInstanceOf(ApbError);
        expect((e as ApbError).code).toBe("FRAME_INVALID");
        rejected++;
        continue;
      }
      throw new Error(`corrupted frame ${i} (case ${i % 4}) was accepted`);
    }
    expect(rejected).toBe(10_000);
  });
});
