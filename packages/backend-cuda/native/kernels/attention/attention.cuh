// Masked GQA attention with the APB mask (APB.md 3.8, core's AttentionMask): query row i sees the key prefix
// [0, visible(i)) of the logical order [anchor | passing | local], visible(i) = i+1 for anchor rows, else
// min(tk, i+1+offset). K/V are not repeated for GQA; scale dh^-0.5; outputs the natural-log LSE per row and head.
// Few query rows over many keys (decode steps, the one-row query pass) run split-K ("flash-decoding"): the visible
// key range is cut into chunks, one block per (row tile, head, chunk) writes a float32 partial output and LSE, and a
// second kernel merges the partials by LSE. The choice is internal to attentionLaunch (attentionSplitPlan).
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

// Split-K: taken when the natural grid (row tiles x nq) is under kAttnSplitBelowWaves x SMs blocks and the last row
// sees at least kAttnSplitMinKeys keys; chunks aim at kAttnSplitTargetWaves x SMs blocks, keep at least
// kAttnSplitChunkMinKeys keys each (a multiple of kAttnKeys) and number at most kAttnMaxSplit.
constexpr int kAttnSplitBelowWaves = 2;
constexpr int kAttnSplitTargetWaves = 4;
constexpr int64_t kAttnSplitMinKeys = 1024;
constexpr int64_t kAttnSplitChunkMinKeys = 256;
constexpr int64_t kAttnMaxSplit = 64;

// Decode path (one query row, automatic split; APB_ATTN_DECODE=0 turns it off): blocks of kDecodeWarps warps per (KV
// head, key chunk) score all of the group's query heads (at most kDecodeMaxGroup) on each K/V row read; chunks aim at
// kDecodeTargetWaves x SMs blocks with at least kDecodeChunkMinKeys keys each and at most kAttnMaxSplit per head.
constexpr int kDecodeWarps = 4;
constexpr int kDecodeMaxGroup = 8;
constexpr int64_t kDecodeTargetWaves = 8;
constexpr int64_t kDecodeChunkMinKeys = 128;

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
  // Key split: 0 = automatic (attentionSplitPlan; APB_ATTN_SPLIT=0 in the environment turns it off), 1 = never,
  // n >= 2 = n chunks (at most kAttnMaxSplit and one per kAttnKeys-key tile; for checks and A/B timing).
  int64_t split = 0;
};

/** How the key range is cut: `chunks` (1 = the unsplit kernel) of `chunkKeys` keys (the last one may be shorter). */
struct AttentionSplit {
  int64_t chunks = 1;
  int64_t chunkKeys = 0;
};

/** The split for `a` on a GPU with `smCount` multiprocessors (host only; reads APB_ATTN_SPLIT when a.split == 0). */
AttentionSplit attentionSplitPlan(const AttentionArgs& a, int smCount);

/**
 * Enqueues the op on `stream`; a split run allocates its float32 partials stream-ordered (cudaMallocAsync on
 * `stream`, the pool the context's alloc uses) and frees them after the merge. `chunks` (may be null) receives the
 * number of key chunks that ran (1 = unsplit); `decode` (may be null) whether the one-row decode kernel ran.
 */
Status attentionLaunch(const AttentionArgs& a, cudaStream_t stream, int64_t* chunks = nullptr, bool* decode = nullptr);

/** CPU twin: dense masked softmax per (row, head) in double. */
void attentionRef(float* out, float* lse, const float* q, const float* k, const float* v, const AttentionArgs& shape);

}  // namespace apb
