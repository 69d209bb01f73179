// Weight re-layout at load time: HF [out, in] matrices become [in, out] (optionally several stacked along out),
// so every projection in the graphs is a plain MatMul with no transpose at run time.

const BLOCK = 64; // transpose tile: keeps both the read and the write side within cache lines

/**
 * Transposes a stack of HF [out_i, in] matrices into one [in, Σ out_i] matrix: column block i holds W_iᵀ.
 * All parts must share `inDim`.
 */
export function stackTransposed(parts: readonly { w: Float32Array; outDim: number }[], inDim: number): Float32Array {
  const total = parts.reduce((a, p) => a + p.outDim, 0);
  const out = new Float32Array(inDim * total);
  let col = 0;
  for (const { w, outDim } of parts) {
    for (let o0 = 0; o0 < outDim; o0 += BLOCK) {
      const o1 = Math.min(outDim, o0 + BLOCK);
      for (let i0 = 0; i0 < inDim; i0 += BLOCK) {
        const i1 = Math.min(inDim, i0 + BLOCK);
        for (let o = o0; o < o1; o++) {
          for (let i = i0; i < i1; i++) out[i * total + col + o] = w[o * inDim + i]!;
        }
      }
    }
    col += outDim;
  }
  return out;
}

/** W [outDim, inDim] → Wᵀ [inDim, outDim]. */
export function transposed(w: Float32Array, dims: { outDim: number; inDim: number }): Float32Array {
  return stackTransposed([{ w, outDim: dims.outDim }], dims.inDim);
}

/** Concatenates 1-D vectors (the q/k/v biases into one [q|k|v] bias). */
export function concatVectors(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
