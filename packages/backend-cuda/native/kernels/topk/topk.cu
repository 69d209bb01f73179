// Top-k per channel by radix select on order-preserving 32-bit keys, then an in-order block compaction that takes
// every key above the threshold and the lowest-row keys equal to it.
#include "topk.cuh"

#include "../../common/launch.cuh"

namespace apb {

namespace {

/** Maps a score to an unsigned key with the same order; masked rows and NaN become -inf, -0 becomes +0. */
__device__ __forceinline__ uint32_t orderKey(float s, bool masked) {
  if (masked || isnan(s)) s = -INFINITY;
  if (s == 0.0f) s = 0.0f;
  const uint32_t u = __float_as_uint(s);
  return (u & 0x80000000u) != 0 ? ~u : (u | 0x80000000u);
}

/** Exclusive prefix count of `flag` over the block (in thread order); *total gets the block's count. */
__device__ __forceinline__ int blockExclusiveCount(bool flag, int* warpTotals, int* total) {
  const int lane = threadIdx.x & 31;
  const int warp = threadIdx.x >> 5;
  const unsigned ballot = __ballot_sync(0xffffffffu, flag);
  const int inWarp = __popc(ballot & ((1u << lane) - 1u));
  __syncthreads();  // warpTotals may still be read by the previous call
  if (lane == 0) warpTotals[warp] = __popc(ballot);
  __syncthreads();
  int before = 0;
  int all = 0;
  for (int w = 0; w < kTopKThreads / 32; w++) {
    if (w < warp) before += warpTotals[w];
    all += warpTotals[w];
  }
  *total = all;
  return before + inWarp;
}

__global__ void __launch_bounds__(kTopKThreads) topkKernel(int32_t* __restrict__ idx, const float* __restrict__ scores, int64_t rows,
                                                           int64_t channels, int64_t maskLen, int64_t k) {
  __shared__ unsigned hist[256];
  __shared__ uint32_t sPrefix;
  __shared__ uint32_t sMask;
  __shared__ int64_t sRemaining;
  __shared__ int warpTotals[kTopKThreads / 32];
  const int64_t c = blockIdx.x;
  if (threadIdx.x == 0) {
    sPrefix = 0;
    sMask = 0;
    sRemaining = k;
  }
  for (int shift = 24; shift >= 0; shift -= 8) {
    for (int b = threadIdx.x; b < 256; b += blockDim.x) hist[b] = 0;
    __syncthreads();
    const uint32_t prefix = sPrefix;
    const uint32_t mask = sMask;
    for (int64_t t = threadIdx.x; t < rows; t += blockDim.x) {
      const uint32_t key = orderKey(scores[t * channels + c], t < maskLen);
      if ((key & mask) == prefix) atomicAdd(&hist[(key >> shift) & 255u], 1u);
    }
    __syncthreads();
    if (threadIdx.x == 0) {
      int64_t above = 0;
      for (int b = 255; b >= 0; b--) {
        if (above + hist[b] >= sRemaining) {
          sRemaining -= above;
          sPrefix = prefix | (static_cast<uint32_t>(b) << shift);
          sMask = mask | (255u << shift);
          break;
        }
        above += hist[b];
      }
    }
    __syncthreads();
  }
  const uint32_t thr = sPrefix;
  const int64_t needEq = sRemaining;  // how many keys equal to thr to take, lowest rows first
  int64_t takenEq = 0;
  int64_t written = 0;
  for (int64_t base = 0; base < rows; base += blockDim.x) {
    const int64_t t = base + threadIdx.x;
    const uint32_t key = t < rows ? orderKey(scores[t * channels + c], t < maskLen) : 0u;
    const bool isEq = t < rows && key == thr;
    int eqTotal = 0;
    const int eqRank = blockExclusiveCount(isEq, warpTotals, &eqTotal);
    const bool take = t < rows && (key > thr || (isEq && takenEq + eqRank < needEq));
    int takeTotal = 0;
    const int pos = blockExclusiveCount(take, warpTotals, &takeTotal);
    if (take) idx[(written + pos) * channels + c] = static_cast<int32_t>(t);
    takenEq += eqTotal;
    written += takeTotal;
  }
}

}  // namespace

Status topkLaunch(const TopKArgs& a, cudaStream_t stream) {
  NvtxRange range("topk");
  APB_REQUIRE(a.rows >= 0 && a.channels > 0 && a.maskLen >= 0, "topk", "bad sizes");
  APB_REQUIRE(a.k >= 0 && a.k <= a.rows, "topk", "k must be in [0, rows]");
  APB_REQUIRE(a.rows <= 2147483647LL, "topk", "too many rows for int32 indices");
  APB_REQUIRE(a.channels <= 2147483647LL, "topk", "too many channels");
  if (a.k == 0) return okStatus();
  APB_REQUIRE(a.idx != nullptr && a.scores != nullptr, "topk", "null buffer");
  topkKernel<<<static_cast<unsigned>(a.channels), kTopKThreads, 0, stream>>>(a.idx, a.scores, a.rows, a.channels, a.maskLen, a.k);
  return checkLaunch("topk");
}

}  // namespace apb
