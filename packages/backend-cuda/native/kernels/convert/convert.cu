// Cast and fill kernels: grid-stride loops, one element per thread step.
#include "convert.cuh"

#include "../../common/launch.cuh"

namespace apb {

namespace {

template <typename TD, typename TS>
__global__ void castKernel(TD* __restrict__ dst, const TS* __restrict__ src, int64_t n) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n; i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    dst[i] = fromF32<TD>(toF32(src[i]));
  }
}

template <typename T>
__global__ void fillKernel(T* __restrict__ dst, int64_t n, float value) {
  const T v = fromF32<T>(value);
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n; i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    dst[i] = v;
  }
}

}  // namespace

Status castLaunch(const CastArgs& a, cudaStream_t stream) {
  NvtxRange range("cast");
  APB_REQUIRE(a.n >= 0, "cast", "negative element count");
  if (a.n == 0) return okStatus();
  APB_REQUIRE(a.dst != nullptr && a.src != nullptr, "cast", "null buffer");
  const unsigned grid = gridFor(a.n, kConvertThreads);
  return dispatchDType(a.dstType, "cast", [&](auto dstTag) {
    using TD = decltype(dstTag);
    return dispatchDType(a.srcType, "cast", [&](auto srcTag) {
      using TS = decltype(srcTag);
      castKernel<TD, TS><<<grid, kConvertThreads, 0, stream>>>(static_cast<TD*>(a.dst), static_cast<const TS*>(a.src), a.n);
      return checkLaunch("cast");
    });
  });
}

Status fillLaunch(const FillArgs& a, cudaStream_t stream) {
  NvtxRange range("fill");
  APB_REQUIRE(a.n >= 0, "fill", "negative element count");
  if (a.n == 0) return okStatus();
  APB_REQUIRE(a.dst != nullptr, "fill", "null buffer");
  return dispatchDType(a.dt, "fill", [&](auto tag) {
    using T = decltype(tag);
    fillKernel<T><<<gridFor(a.n, kConvertThreads), kConvertThreads, 0, stream>>>(static_cast<T*>(a.dst), a.n, a.value);
    return checkLaunch("fill");
  });
}

}  // namespace apb
