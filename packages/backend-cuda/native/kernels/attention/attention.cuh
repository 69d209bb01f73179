// Masked GQA attention with the APB mask (APB.md 3.8, core's AttentionMask): query row i sees the key prefix
// [0, visible(i)) of the logical order [anchor | passing | local], visible(i) = i+1 for anchor rows, else
// min(tk, i+1+offset). K/V are not repeated for GQA; scale dh^-0.5; outputs the natural-log LSE per row and head.
#pragma once

#include <cstdint>

#include "../../common/dtype.cuh"

namespace apb {

// Tiling of the (correctness-first) online-softmax kernel: 4 warps x 4 query rows per block, 32 keys per tile.
constexpr int kAttnWarps = 4;
constexpr int kAttnRowsPerWarp = 4;
constexpr int kAttnRows = kAttnWarps * kAttnRowsPerWarp;
constexpr int kAttnKeys = 32;
constexpr int kAttnMaxHeadDim = 256;

struct AttentionArgs {
  void* out;       // [tq, nq*dh]
  float* lse;      // [tq, nq]; -inf for a row that sees no key
  const void* q;   // [tq, nq*dh]
  const void* k;   // [tk, nkv*dh]
  const void* v;   // [tk, nkv*dh]
  int64_t tq;
  int64_t tk;
  int64_t nq;
  int64_t nkv;
  int64_t dh;
  int64_t anchorRows;
  int64_t offset;
  DType dt;
};

Status attentionLaunch(const AttentionArgs& a, cudaStream_t stream);

/** CPU twin: dense masked softmax per (row, head) in double. */
void attentionRef(float* out, float* lse, const float* q, const float* k, const float* v, const AttentionArgs& shape);

}  // namespace apb
