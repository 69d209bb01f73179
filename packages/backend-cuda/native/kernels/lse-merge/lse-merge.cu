// LSE merge: one warp per (row, head) slot; every lane reads both LSEs before lane 0 writes the merged one.
#include "lse-merge.cuh"

#include "../../common/launch.cuh"

namespace apb {

namespace {

__device__ __forceinline__ float sigmoidF(float x) {
  return x >= 0.0f ? 1.0f / (1.0f + expf(-x)) : expf(x) / (1.0f + expf(x));
}

__device__ __forceinline__ float logSigmoidF(float x) {
  return x >= 0.0f ? -log1pf(expf(-x)) : x - log1pf(expf(x));
}

template <typename T>
__global__ void lseMergeKernel(T* out, float* lse, const T* __restrict__ outB, const float* __restrict__ lseB, int64_t slots, int64_t dh) {
  const int lane = threadIdx.x & 31;
  const int64_t warpsPerBlock = blockDim.x / 32;
  for (int64_t s = blockIdx.x * warpsPerBlock + threadIdx.x / 32; s < slots; s += static_cast<int64_t>(gridDim.x) * warpsPerBlock) {
    const float la = lse[s];
    const float lb = lseB[s];
    __syncwarp();
    if (lb == -INFINITY) continue;
    T* o = out + s * dh;
    const T* ob = outB + s * dh;
    if (la == -INFINITY) {
      for (int64_t d = lane; d < dh; d += 32) o[d] = ob[d];
      if (lane == 0) lse[s] = lb;
      continue;
    }
    const float w = sigmoidF(lb - la);
    for (int64_t d = lane; d < dh; d += 32) {
      const float x = toF32(o[d]);
      o[d] = fromF32<T>(x - w * (x - toF32(ob[d])));
    }
    if (lane == 0) lse[s] = la - logSigmoidF(la - lb);
  }
}

}  // namespace

Status lseMergeLaunch(const LseMergeArgs& a, cudaStream_t stream) {
  NvtxRange range("lseMerge");
  APB_REQUIRE(a.rows >= 0 && a.heads > 0 && a.dh > 0, "lseMerge", "bad sizes");
  if (a.rows == 0) return okStatus();
  APB_REQUIRE(a.out != nullptr && a.lse != nullptr && a.outB != nullptr && a.lseB != nullptr, "lseMerge", "null buffer");
  APB_REQUIRE(a.out != a.outB && a.lse != a.lseB, "lseMerge", "the two partials may not alias");
  const int64_t slots = a.rows * a.heads;
  return dispatchDType(a.dt, "lseMerge", [&](auto tag) {
    using T = decltype(tag);
    lseMergeKernel<T><<<gridFor(slots, kLseMergeThreads / 32), kLseMergeThreads, 0, stream>>>(static_cast<T*>(a.out), a.lse, static_cast<const T*>(a.outB),
                                                                                              a.lseB, slots, a.dh);
    return checkLaunch("lseMerge");
  });
}

}  // namespace apb
