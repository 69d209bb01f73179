// Gather: one block per (output row, KV head), threads copy the head's dh values.
#include "gather-heads.cuh"

#include "../../common/launch.cuh"

namespace apb {

namespace {

template <typename T>
__global__ void gatherHeadsKernel(T* __restrict__ out, const T* __restrict__ x, const int32_t* __restrict__ idx, int64_t rows,
                                  int64_t numSrcRows, int64_t nkv, int64_t dh) {
  const int64_t n = rows * nkv;
  for (int64_t p = blockIdx.x; p < n; p += gridDim.x) {
    const int64_t r = p / nkv;
    const int64_t j = p - r * nkv;
    const int64_t src = idx[p];
    const bool valid = src >= 0 && src < numSrcRows;
    T* dst = out + r * nkv * dh + j * dh;
    const T* from = x + (valid ? src : 0) * nkv * dh + j * dh;
    for (int64_t d = threadIdx.x; d < dh; d += blockDim.x) dst[d] = valid ? from[d] : fromF32<T>(0.0f);
  }
}

}  // namespace

Status gatherHeadsLaunch(const GatherHeadsArgs& a, cudaStream_t stream) {
  NvtxRange range("gatherHeads");
  APB_REQUIRE(a.rows >= 0 && a.numSrcRows >= 0 && a.nkv > 0 && a.dh > 0, "gatherHeads", "bad sizes");
  if (a.rows == 0) return okStatus();
  APB_REQUIRE(a.out != nullptr && a.x != nullptr && a.idx != nullptr && a.out != a.x, "gatherHeads", "null or aliased buffers");
  const int64_t blocks = a.rows * a.nkv;
  const unsigned grid = static_cast<unsigned>(blocks < 1048576 ? blocks : 1048576);
  return dispatchDType(a.dt, "gatherHeads", [&](auto tag) {
    using T = decltype(tag);
    gatherHeadsKernel<T><<<grid, kGatherThreads, 0, stream>>>(static_cast<T*>(a.out), static_cast<const T*>(a.x), a.idx, a.rows, a.numSrcRows, a.nkv, a.dh);
    return checkLaunch("gatherHeads");
  });
}

}  // namespace apb
