// Thresholds of the GPU check (relative L2 error against float64 twins or the reference backend), each justified.

import type { Tolerance } from "./compare.js";

/**
 * One kernel with float32 output vs its float64 twin: float32 sums over at most a few thousand terms land near
 * 1e-6 (√K·2^-24); 2e-5 leaves 10x room while an indexing bug gives O(1).
 */
export const KERNEL_F32: Tolerance = { relL2: 2e-5 };

/**
 * One kernel with bfloat16 output, inputs already bfloat16 (exact in both): one final rounding to 8 mantissa bits,
 * rms relative error 2^-9/√3 ≈ 1.1e-3; 4e-3 leaves room for float32 math before the rounding.
 */
export const KERNEL_BF16: Tolerance = { relL2: 4e-3 };

/** A Backend op in float32 (a few chained float32 kernels) vs the float64-summing reference backend. */
export const BACKEND_F32: Tolerance = { relL2: 1e-4 };

/**
 * A Backend op in bfloat16 (weights rounded identically on both sides) vs the reference: each chained kernel adds
 * one bfloat16 rounding of activations (≈1.1e-3 rms each), attnOut chains about six; METHOD.md puts bfloat16
 * operands between 1e-3 and 1e-2.
 */
export const BACKEND_BF16: Tolerance = { relL2: 2e-2 };

/** Logits after a whole bfloat16 forward (every layer's roundings compound) vs the float32 reference forward. */
export const FORWARD_BF16: Tolerance = { relL2: 5e-2 };

/** Logits after a whole float32 forward. */
export const FORWARD_F32: Tolerance = { relL2: 2e-4 };

/**
 * cuDNN fused attention (bfloat16) vs the float64 twin: cuDNN's flash kernels round the probabilities P to bfloat16
 * before the P·V product (a second rounding on top of the output's) and use fast exp; 1e-2 still catches any mask or
 * layout error (O(1)). Its softmax stats (LSE) are float32 sums: 1e-4.
 */
export const CUDNN_ATTN_OUT: Tolerance = { relL2: 1e-2 };
export const CUDNN_ATTN_LSE: Tolerance = { relL2: 1e-4 };
