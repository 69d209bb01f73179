// Max-pool: one thread per output element reads its window (padding never wins: it is skipped, as -inf).
#include "maxpool.cuh"

#include "../../common/launch.cuh"

namespace apb {

namespace {

__global__ void maxpoolKernel(float* __restrict__ out, const float* __restrict__ in, int64_t rows, int64_t channels, int radius) {
  const int64_t n = rows * channels;
  for (int64_t idx = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; idx < n; idx += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t t = idx / channels;
    const int64_t c = idx - t * channels;
    const int64_t lo = t - radius < 0 ? 0 : t - radius;
    const int64_t hi = t + radius >= rows ? rows - 1 : t + radius;
    float m = -INFINITY;
    for (int64_t u = lo; u <= hi; u++) {
      const float s = in[u * channels + c];
      if (s > m) m = s;  // NaN never wins, as in the TS version
    }
    out[idx] = m;
  }
}

}  // namespace

Status maxpoolLaunch(const MaxPoolArgs& a, cudaStream_t stream) {
  NvtxRange range("maxpool");
  APB_REQUIRE(a.rows >= 0 && a.channels > 0, "maxpool", "rows must be >= 0 and channels > 0");
  APB_REQUIRE(a.kernel > 0 && a.kernel % 2 == 1, "maxpool", "the kernel size must be odd and positive");
  if (a.rows == 0) return okStatus();
  APB_REQUIRE(a.out != nullptr && a.in != nullptr && a.out != a.in, "maxpool", "null or aliased buffers");
  maxpoolKernel<<<gridFor(a.rows * a.channels, kMaxPoolThreads), kMaxPoolThreads, 0, stream>>>(a.out, a.in, a.rows, a.channels, (a.kernel - 1) / 2);
  return checkLaunch("maxpool");
}

}  // namespace apb
