// Float32 values as int32 keys in the same order (the bits of a Float32Array through an Int32Array view), so selection
// and sampling can compare, select and radix-sort them as integers.

/** True when float32 bits `b` encode NaN. */
export function isNaNBits(b: number): boolean {
  return (b & 0x7fffffff) > 0x7f800000;
}

/** Signed key of non-NaN float32 bits `b`, ascending with the float; −0 keys as +0 (they compare equal as floats). */
export function floatOrderKey(b: number): number {
  return b === -0x80000000 ? 0 : b ^ ((b >> 31) & 0x7fffffff);
}

/** floatOrderKey of −∞: below every other key. */
export const NEG_INF_ORDER_KEY = -0x7f800001;
