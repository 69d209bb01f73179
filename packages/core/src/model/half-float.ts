// Conversions between float32 and the two 16-bit float formats of checkpoints: bfloat16 and IEEE half (F16).
// Bulk converters write into a caller's Float32Array so large tensors convert chunk by chunk without copies.

const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

/** float32 → bfloat16 bits, round to nearest even; NaN stays a (quiet) NaN with its sign. */
export function f32ToBf16Bits(value: number): number {
  scratchF32[0] = value;
  const x = scratchU32[0]!;
  if ((x & 0x7fffffff) > 0x7f800000) return ((x >>> 16) | 0x40) & 0xffff;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

/** float32 → IEEE half bits, round to nearest even, with subnormals, overflow to ±inf and NaN. */
export function f32ToF16Bits(value: number): number {
  scratchF32[0] = value;
  const x = scratchU32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal half: shift the implicit-1 mantissa right; anything below half the smallest subnormal rounds to 0.
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const halfway = 1 << (shift - 1);
    const rest = mant & ((1 << shift) - 1);
    let h = mant >>> shift;
    if (rest > halfway || (rest === halfway && (h & 1) === 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to +inf).
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1) === 1)) h++;
  return sign | h;
}

/** IEEE half bits → number, exact (subnormals, ±0, ±inf, NaN). */
export function f16BitsToF32(h: number): number {
  const sign = (h & 0x8000) !== 0 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 31) return mant === 0 ? sign * Infinity : NaN;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

let f16Table: Float32Array | undefined;

/** All 65,536 half values as float32, built once (256 KiB): a table lookup is the fastest exact conversion. */
function halfTable(): Float32Array {
  if (f16Table === undefined) {
    f16Table = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) f16Table[h] = f16BitsToF32(h);
  }
  return f16Table;
}

/** out[offset + i] = bf16(src[i]) for i < count (a bfloat16 is the top half of a float32). */
export function bf16ToF32Into(src: Uint16Array, count: number, out: Float32Array, offset: number): void {
  const out32 = new Uint32Array(out.buffer, out.byteOffset + offset * 4, count);
  for (let i = 0; i < count; i++) out32[i] = src[i]! << 16;
}

/** out[offset + i] = f16(src[i]) for i < count. */
export function f16ToF32Into(src: Uint16Array, count: number, out: Float32Array, offset: number): void {
  const table = halfTable();
  for (let i = 0; i < count; i++) out[offset + i] = table[src[i]!]!;
}
