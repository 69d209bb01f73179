// The one kernel of the cuDNN attention route: cuDNN writes softmax stats (natural-log LSE) as [heads, rows]
// contiguous; the Backend contract and our LSE merge use [rows, heads]. One thread per element.
#include "../../common/launch.cuh"
#include "attention-cudnn.h"

namespace apb {

namespace {

__global__ void statsTransposeKernel(float* lse, const float* stats, int64_t sq, int64_t nq) {
  const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= sq * nq) return;
  const int64_t row = i / nq;
  const int64_t head = i % nq;
  lse[i] = stats[head * sq + row];
}

}  // namespace

Status attentionStatsLaunch(float* lse, const float* stats, int64_t sq, int64_t nq, cudaStream_t stream) {
  APB_REQUIRE(sq >= 0 && nq > 0, "attention", "stats: bad shape");
  if (sq == 0) return okStatus();
  const int threads = 256;
  const int64_t blocks = (sq * nq + threads - 1) / threads;
  NvtxRange range("attention.cudnnStats");
  statsTransposeKernel<<<static_cast<unsigned>(blocks), threads, 0, stream>>>(lse, stats, sq, nq);
  return checkLaunch("attention");
}

}  // namespace apb
