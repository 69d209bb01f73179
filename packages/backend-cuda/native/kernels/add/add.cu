// Elementwise adds in float32 with one rounding to the storage type; grid-stride loops.
#include "add.cuh"

#include "../../common/launch.cuh"

namespace apb {

namespace {

template <typename T>
__global__ void addKernel(T* out, const T* a, const T* b, int64_t n) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n; i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    out[i] = fromF32<T>(toF32(a[i]) + toF32(b[i]));
  }
}

template <typename T>
__global__ void biasAddKernel(T* x, const T* __restrict__ bias, int64_t rows, int64_t cols) {
  const int64_t n = rows * cols;
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n; i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    x[i] = fromF32<T>(toF32(x[i]) + toF32(bias[i % cols]));
  }
}

}  // namespace

Status addLaunch(const AddArgs& a, cudaStream_t stream) {
  NvtxRange range("add");
  APB_REQUIRE(a.n >= 0, "add", "negative element count");
  if (a.n == 0) return okStatus();
  APB_REQUIRE(a.out != nullptr && a.a != nullptr && a.b != nullptr, "add", "null buffer");
  return dispatchDType(a.dt, "add", [&](auto tag) {
    using T = decltype(tag);
    addKernel<T><<<gridFor(a.n, kAddThreads), kAddThreads, 0, stream>>>(static_cast<T*>(a.out), static_cast<const T*>(a.a), static_cast<const T*>(a.b), a.n);
    return checkLaunch("add");
  });
}

Status biasAddLaunch(const BiasAddArgs& a, cudaStream_t stream) {
  NvtxRange range("biasAdd");
  APB_REQUIRE(a.rows >= 0 && a.cols > 0, "biasAdd", "rows must be >= 0 and cols > 0");
  if (a.rows == 0) return okStatus();
  APB_REQUIRE(a.x != nullptr && a.bias != nullptr, "biasAdd", "null buffer");
  return dispatchDType(a.dt, "biasAdd", [&](auto tag) {
    using T = decltype(tag);
    biasAddKernel<T><<<gridFor(a.rows * a.cols, kAddThreads), kAddThreads, 0, stream>>>(static_cast<T*>(a.x), static_cast<const T*>(a.bias), a.rows, a.cols);
    return checkLaunch("biasAdd");
  });
}

}  // namespace apb
