// RMSNorm: one block per row; the sum of squares is a float32 block reduction.
#include "rmsnorm.cuh"

#include "../../common/launch.cuh"
#include "../../common/reduce.cuh"

namespace apb {

namespace {

template <typename T>
__global__ void rmsnormKernel(T* out, const T* x, const T* __restrict__ weight, int64_t rows, int64_t dim, float eps) {
  __shared__ float scratch[32];
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const T* xr = x + r * dim;
    float ss = 0.0f;
    for (int64_t i = threadIdx.x; i < dim; i += blockDim.x) {
      const float v = toF32(xr[i]);
      ss += v * v;
    }
    ss = blockSum(ss, scratch);
    const float inv = rsqrtf(ss / static_cast<float>(dim) + eps);
    T* yr = out + r * dim;
    for (int64_t i = threadIdx.x; i < dim; i += blockDim.x) yr[i] = fromF32<T>(toF32(xr[i]) * inv * toF32(weight[i]));
  }
}

}  // namespace

Status rmsnormLaunch(const RmsNormArgs& a, cudaStream_t stream) {
  NvtxRange range("rmsnorm");
  APB_REQUIRE(a.rows >= 0 && a.dim > 0, "rmsnorm", "rows must be >= 0 and dim > 0");
  APB_REQUIRE(a.eps >= 0.0f, "rmsnorm", "eps must be >= 0");
  if (a.rows == 0) return okStatus();
  APB_REQUIRE(a.out != nullptr && a.x != nullptr && a.weight != nullptr, "rmsnorm", "null buffer");
  const unsigned grid = static_cast<unsigned>(a.rows < 65535 ? a.rows : 65535);
  return dispatchDType(a.dt, "rmsnorm", [&](auto tag) {
    using T = decltype(tag);
    rmsnormKernel<T><<<grid, kRmsNormThreads, 0, stream>>>(static_cast<T*>(a.out), static_cast<const T*>(a.x), static_cast<const T*>(a.weight),
                                                            a.rows, a.dim, a.eps);
    return checkLaunch("rmsnorm");
  });
}

}  // namespace apb
