// Plain-loop float32 kernels for the reference backend: every dot product and reduction accumulates in float64
// (JS numbers), results are stored as float32. Clarity first; no per-element allocation.

/** A linear layer in HF layout: y = x · Wᵀ + b, W is [outDim, inDim]. */
export interface LinearWeight {
  readonly w: Float32Array; // [outDim, inDim]
  readonly b: Float32Array | undefined; // [outDim]
  readonly inDim: number;
  readonly outDim: number;
}

/** y[r, o] = Σ_i x[r, i]·W[o, i] + b[o]. x: [rows, inDim] → [rows, outDim]. */
export function linear(x: Float32Array, rows: number, lw: LinearWeight): Float32Array {
  const { w, b, inDim, outDim } = lw;
  const y = new Float32Array(rows * outDim);
  for (let r = 0; r < rows; r++) {
    const xo = r * inDim;
    for (let o = 0; o < outDim; o++) {
      const wo = o * inDim;
      let acc = 0;
      for (let i = 0; i < inDim; i++) acc += x[xo + i]! * w[wo + i]!;
      y[r * outDim + o] = b === undefined ? acc : acc + b[o]!;
    }
  }
  return y;
}

/** RMSNorm per row: y = x / sqrt(mean(x²) + eps) · w. x: [rows, d] with d = w.length. */
export function rmsNorm(x: Float32Array, w: Float32Array, eps: number): Float32Array {
  const d = w.length;
  const rows = x.length / d;
  const y = new Float32Array(x.length);
  for (let r = 0; r < rows; r++) {
    const o = r * d;
    let ss = 0;
    for (let i = 0; i < d; i++) ss += x[o + i]! * x[o + i]!;
    const inv = 1 / Math.sqrt(ss / d + eps);
    for (let i = 0; i < d; i++) y[o + i] = x[o + i]! * inv * w[i]!;
  }
  return y;
}

/** SiLU(x) = x·sigmoid(x), elementwise, in place. */
export function siluInPlace(x: Float32Array): Float32Array {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    x[i] = v / (1 + Math.exp(-v));
  }
  return x;
}

/** a ← silu(a) · b elementwise (the SwiGLU gate), in place on a. */
export function swigluInPlace(gate: Float32Array, up: Float32Array): Float32Array {
  for (let i = 0; i < gate.length; i++) {
    const g = gate[i]!;
    gate[i] = (g / (1 + Math.exp(-g))) * up[i]!;
  }
  return gate;
}

/** a ← a + b elementwise, in place on a. */
export function addInPlace(a: Float32Array, b: Float32Array): Float32Array {
  for (let i = 0; i < a.length; i++) a[i] = a[i]! + b[i]!;
  return a;
}

/**
 * RoPE in place, HF rotate_half: for each row t and head, with x1 = x[:dh/2], x2 = x[dh/2:],
 * out1 = x1·cos − x2·sin, out2 = x2·cos + x1·sin. x: [rows, numHeads*dh]; cos/sin: [rows, dh/2] (ropeTables).
 */
export function ropeInPlace(x: Float32Array, numHeads: number, headDim: number, tables: { cos: Float32Array; sin: Float32Array }): Float32Array {
  const half = headDim / 2;
  const rowSize = numHeads * headDim;
  const rows = rowSize === 0 ? 0 : x.length / rowSize;
  for (let t = 0; t < rows; t++) {
    for (let h = 0; h < numHeads; h++) {
      const o = t * rowSize + h * headDim;
      for (let i = 0; i < half; i++) {
        const c = tables.cos[t * half + i]!;
        const s = tables.sin[t * half + i]!;
        const x1 = x[o + i]!;
        const x2 = x[o + half + i]!;
        x[o + i] = x1 * c - x2 * s;
        x[o + half + i] = x2 * c + x1 * s;
      }
    }
  }
  return x;
}
