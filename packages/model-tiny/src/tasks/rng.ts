// The data format's random numbers (tools/train/datagen.py, format v3): mulberry32 seeded with FNV-1a of a
// UTF-8 string. Every draw of a sample goes through one Rng, so the draw ORDER is part of the format.

const UTF8 = new TextEncoder();

/** FNV-1a (32-bit) over the UTF-8 bytes of `s`: offset basis 0x811C9DC5, prime 0x01000193, mod 2^32. */
export function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (const b of UTF8.encode(s)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h >>> 0;
}

const TWO_32 = 4294967296;

/** mulberry32, bit for bit the Python `Rng` (which spells out JS's Math.imul and >>> in integers). */
export class Rng {
  private s: number;

  constructor(seed: number) {
    this.s = seed >>> 0;
  }

  /** The next uint32. */
  nextU32(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(this.s ^ (this.s >>> 15), this.s | 1);
    t = (t + Math.imul(t ^ (t >>> 7), t | 61)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform integer in [0, n): floor(u32 * n / 2^32), exact in doubles for n < 2^21 (Python: (u * n) >> 32). */
  below(n: number): number {
    return Math.floor((this.nextU32() * n) / TWO_32);
  }

  choice<T>(items: readonly T[]): T {
    return items[this.below(items.length)]!;
  }

  /** k distinct items: a partial Fisher-Yates on a copy (a[i] <-> a[i + below(n - i)]). */
  sample<T>(items: readonly T[], k: number): T[] {
    const a = [...items];
    const n = a.length;
    for (let i = 0; i < k; i++) {
      const j = i + this.below(n - i);
      const x = a[i]!;
      a[i] = a[j]!;
      a[j] = x;
    }
    return a.slice(0, k);
  }

  shuffle<T>(items: readonly T[]): T[] {
    return this.sample(items, items.length);
  }
}
