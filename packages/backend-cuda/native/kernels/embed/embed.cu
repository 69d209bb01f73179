// Embedding gather: one block per token row (grid-stride), threads over the hidden dimension.
#include "embed.cuh"

#include "../../common/launch.cuh"

namespace apb {

namespace {

template <typename T>
__global__ void embedKernel(T* __restrict__ out, const T* __restrict__ table, const int32_t* __restrict__ ids, int64_t rows,
                            int64_t dim, int64_t vocab) {
  for (int64_t t = blockIdx.x; t < rows; t += gridDim.x) {
    const int64_t id = ids[t];
    const bool valid = id >= 0 && id < vocab;
    const T* src = table + (valid ? id : 0) * dim;
    T* dst = out + t * dim;
    for (int64_t i = threadIdx.x; i < dim; i += blockDim.x) dst[i] = valid ? src[i] : fromF32<T>(0.0f);
  }
}

}  // namespace

Status embedLaunch(const EmbedArgs& a, cudaStream_t stream) {
  NvtxRange range("embed");
  APB_REQUIRE(a.rows >= 0 && a.dim > 0 && a.vocab > 0, "embed", "rows must be >= 0, dim and vocab > 0");
  if (a.rows == 0) return okStatus();
  APB_REQUIRE(a.out != nullptr && a.table != nullptr && a.ids != nullptr, "embed", "null buffer");
  const unsigned grid = static_cast<unsigned>(a.rows < 65535 ? a.rows : 65535);
  return dispatchDType(a.dt, "embed", [&](auto tag) {
    using T = decltype(tag);
    embedKernel<T><<<grid, kEmbedThreads, 0, stream>>>(static_cast<T*>(a.out), static_cast<const T*>(a.table), a.ids, a.rows, a.dim, a.vocab);
    return checkLaunch("embed");
  });
}

}  // namespace apb
