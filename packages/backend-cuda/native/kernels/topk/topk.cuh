// Top-k rows per channel (KV head) by descending score (APB.md 3.5): the first maskLen rows and NaN count as -inf,
// ties go to the lower row, and each channel's chosen rows come out in ascending order (as topKPerChannel in core).
#pragma once

#include <cstdint>

#include "../../common/dtype.cuh"

namespace apb {

constexpr int kTopKThreads = 256;

struct TopKArgs {
  int32_t* idx;          // [k, channels]
  const float* scores;   // [rows, channels]
  int64_t rows;
  int64_t channels;
  int64_t maskLen;
  int64_t k;             // 0 <= k <= rows
};

/** One block per channel: a 4-pass 8-bit radix select finds the k-th key, then an ordered compaction. */
Status topkLaunch(const TopKArgs& a, cudaStream_t stream);

/** CPU twin (a stable sort). */
void topkRef(int32_t* idx, const float* scores, int64_t rows, int64_t channels, int64_t maskLen, int64_t k);

}  // namespace apb
