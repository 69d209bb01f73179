// Launch helpers shared by the kernels: the post-launch error check that names the op (llm.c, ggml), grid sizing,
// and the NVTX range every launcher opens (STYLE.md G6).
#pragma once

#include <cuda_runtime.h>
#include <nvtx3/nvToolsExt.h>

#include <algorithm>
#include <cstdint>

#include "status.h"

namespace apb {

/** Checks cudaGetLastError right after a launch and names the op on failure. */
inline Status checkLaunch(const char* op) {
  const cudaError_t e = cudaGetLastError();
  if (e != cudaSuccess) return cudaFailure(static_cast<int>(e), "kernel launch", __FILE__, __LINE__).inOp(op);
  return okStatus();
}

/** Blocks for n items at `threads` per block, capped for grid-stride loops. */
inline unsigned gridFor(int64_t n, int threads, int64_t cap = 65535LL * 32) {
  const int64_t blocks = (n + threads - 1) / threads;
  return static_cast<unsigned>(std::max<int64_t>(1, std::min<int64_t>(blocks, cap)));
}

/** An NVTX range for the lifetime of the object (visible in Nsight timelines; free when no tool is attached). */
class NvtxRange {
 public:
  explicit NvtxRange(const char* name) { nvtxRangePushA(name); }
  ~NvtxRange() { nvtxRangePop(); }
  NvtxRange(const NvtxRange&) = delete;
  NvtxRange& operator=(const NvtxRange&) = delete;
};

}  // namespace apb
