// RoPE: one thread per (row, frequency) computes the angle's sin/cos once in float64 and rotates every head's pair.
#include "rope.cuh"

#include "../../common/launch.cuh"

namespace apb {

namespace {

template <typename T>
__global__ void ropeKernel(T* out, const T* in, int64_t inStride, int64_t inCol, const int32_t* __restrict__ positions,
                           const double* __restrict__ invFreq, int64_t rows, int64_t heads, int64_t dh) {
  const int64_t half = dh / 2;
  const int64_t n = rows * half;
  for (int64_t idx = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; idx < n; idx += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t t = idx / half;
    const int64_t i = idx - t * half;
    double sd = 0.0;
    double cd = 1.0;
    sincos(static_cast<double>(positions[t]) * invFreq[i], &sd, &cd);
    const float s = static_cast<float>(sd);
    const float c = static_cast<float>(cd);
    const T* src = in + t * inStride + inCol;
    T* dst = out + t * heads * dh;
    for (int64_t h = 0; h < heads; h++) {
      const float x1 = toF32(src[h * dh + i]);
      const float x2 = toF32(src[h * dh + half + i]);
      dst[h * dh + i] = fromF32<T>(x1 * c - x2 * s);
      dst[h * dh + half + i] = fromF32<T>(x2 * c + x1 * s);
    }
  }
}

}  // namespace

Status ropeLaunch(const RopeArgs& a, cudaStream_t stream) {
  NvtxRange range("rope");
  APB_REQUIRE(a.rows >= 0 && a.heads > 0 && a.dh > 0 && a.dh % 2 == 0, "rope", "needs rows >= 0, heads > 0 and an even head size");
  APB_REQUIRE(a.inCol >= 0 && a.inStride >= a.inCol + a.heads * a.dh, "rope", "input row stride too small for the heads read");
  if (a.rows == 0) return okStatus();
  APB_REQUIRE(a.out != nullptr && a.in != nullptr && a.positions != nullptr && a.invFreq != nullptr, "rope", "null buffer");
  const bool sameLayout = a.inCol == 0 && a.inStride == a.heads * a.dh;
  APB_REQUIRE(a.out != a.in || sameLayout, "rope", "in-place rope needs the input in the output's layout");
  return dispatchDType(a.dt, "rope", [&](auto tag) {
    using T = decltype(tag);
    ropeKernel<T><<<gridFor(a.rows * (a.dh / 2), kRopeThreads), kRopeThreads, 0, stream>>>(
        static_cast<T*>(a.out), static_cast<const T*>(a.in), a.inStride, a.inCol, a.positions, a.invFreq, a.rows, a.heads, a.dh);
    return checkLaunch("rope");
  });
}

}  // namespace apb
