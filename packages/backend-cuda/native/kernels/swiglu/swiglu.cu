// SwiGLU and SiLU: silu(g) = g / (1 + exp(-g)) in float32, one rounding to the storage type.
#include "swiglu.cuh"

#include "../../common/launch.cuh"

namespace apb {

namespace {

__device__ __forceinline__ float silu(float g) { return g / (1.0f + expf(-g)); }

template <typename T>
__global__ void swigluKernel(T* __restrict__ out, const T* __restrict__ gateUp, int64_t rows, int64_t inter) {
  const int64_t n = rows * inter;
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n; i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t r = i / inter;
    const int64_t c = i - r * inter;
    const T* row = gateUp + r * 2 * inter;
    out[i] = fromF32<T>(silu(toF32(row[c])) * toF32(row[inter + c]));
  }
}

template <typename T>
__global__ void siluKernel(T* x, int64_t n) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n; i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    x[i] = fromF32<T>(silu(toF32(x[i])));
  }
}

}  // namespace

Status swigluLaunch(const SwigluArgs& a, cudaStream_t stream) {
  NvtxRange range("swiglu");
  APB_REQUIRE(a.rows >= 0 && a.inter > 0, "swiglu", "rows must be >= 0 and inter > 0");
  if (a.rows == 0) return okStatus();
  APB_REQUIRE(a.out != nullptr && a.gateUp != nullptr && a.out != a.gateUp, "swiglu", "null or aliased buffers");
  return dispatchDType(a.dt, "swiglu", [&](auto tag) {
    using T = decltype(tag);
    swigluKernel<T><<<gridFor(a.rows * a.inter, kSwigluThreads), kSwigluThreads, 0, stream>>>(static_cast<T*>(a.out), static_cast<const T*>(a.gateUp), a.rows, a.inter);
    return checkLaunch("swiglu");
  });
}

Status siluLaunch(const SiluArgs& a, cudaStream_t stream) {
  NvtxRange range("silu");
  APB_REQUIRE(a.n >= 0, "silu", "negative element count");
  if (a.n == 0) return okStatus();
  APB_REQUIRE(a.x != nullptr, "silu", "null buffer");
  return dispatchDType(a.dt, "silu", [&](auto tag) {
    using T = decltype(tag);
    siluKernel<T><<<gridFor(a.n, kSwigluThreads), kSwigluThreads, 0, stream>>>(static_cast<T*>(a.x), a.n);
    return checkLaunch("silu");
  });
}

}  // namespace apb
