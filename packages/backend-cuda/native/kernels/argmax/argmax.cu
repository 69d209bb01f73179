// Argmax: one block per row; each thread keeps its best (value, index), then a shuffle and shared-memory reduction
// that prefers the larger value and, on equal values, the lower index.
#include "argmax.cuh"

#include <climits>

#include "../../common/launch.cuh"

namespace apb {

namespace {

__device__ __forceinline__ void better(float& v, int& i, float ov, int oi) {
  if (ov > v || (ov == v && oi < i)) {
    v = ov;
    i = oi;
  }
}

__global__ void argmaxKernel(int32_t* __restrict__ out, const float* __restrict__ logits, int64_t rows, int64_t vocab) {
  __shared__ float sv[kArgmaxThreads / 32];
  __shared__ int si[kArgmaxThreads / 32];
  const int lane = threadIdx.x & 31;
  const int warp = threadIdx.x >> 5;
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    float v = -INFINITY;
    int i = INT_MAX;
    for (int64_t c = threadIdx.x; c < vocab; c += blockDim.x) {
      const float x = logits[r * vocab + c];
      if (x > v) {  // strictly greater: NaN and -inf never replace, and this thread's indices only grow
        v = x;
        i = static_cast<int>(c);
      }
    }
    for (int o = 16; o > 0; o >>= 1) better(v, i, __shfl_xor_sync(0xffffffffu, v, o), __shfl_xor_sync(0xffffffffu, i, o));
    __syncthreads();
    if (lane == 0) {
      sv[warp] = v;
      si[warp] = i;
    }
    __syncthreads();
    if (threadIdx.x == 0) {
      for (int w = 1; w < kArgmaxThreads / 32; w++) better(v, i, sv[w], si[w]);
      out[r] = i == INT_MAX ? 0 : i;
    }
  }
}

}  // namespace

Status argmaxLaunch(const ArgmaxArgs& a, cudaStream_t stream) {
  NvtxRange range("argmax");
  APB_REQUIRE(a.rows >= 0 && a.vocab > 0 && a.vocab <= 2147483647LL, "argmax", "bad sizes");
  if (a.rows == 0) return okStatus();
  APB_REQUIRE(a.out != nullptr && a.logits != nullptr, "argmax", "null buffer");
  const unsigned grid = static_cast<unsigned>(a.rows < 65535 ? a.rows : 65535);
  argmaxKernel<<<grid, kArgmaxThreads, 0, stream>>>(a.out, a.logits, a.rows, a.vocab);
  return checkLaunch("argmax");
}

}  // namespace apb
