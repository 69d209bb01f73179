// Query scores in two launches: the mean probe query per KV head, then one warp per (row, head) dot product.
#include "query-scores.cuh"

#include "../../common/launch.cuh"
#include "../../common/reduce.cuh"

namespace apb {

namespace {

template <typename T>
__global__ void meanQueryKernel(float* __restrict__ qbar, const T* __restrict__ q, int64_t probes, int64_t nq, int64_t nkv, int64_t dh) {
  const int64_t group = nq / nkv;
  const float norm = 1.0f / static_cast<float>(probes * group);
  for (int64_t idx = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; idx < nkv * dh; idx += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t j = idx / dh;
    const int64_t d = idx - j * dh;
    float acc = 0.0f;
    for (int64_t p = 0; p < probes; p++) {
      for (int64_t g = 0; g < group; g++) acc += toF32(q[p * nq * dh + (j * group + g) * dh + d]);
    }
    qbar[idx] = acc * norm;
  }
}

template <typename T>
__global__ void scoreKernel(float* __restrict__ out, const float* __restrict__ qbar, const T* __restrict__ k, int64_t rows, int64_t nkv, int64_t dh) {
  const int lane = threadIdx.x & 31;
  const int64_t warpsPerBlock = blockDim.x / 32;
  const int64_t n = rows * nkv;
  for (int64_t p = blockIdx.x * warpsPerBlock + threadIdx.x / 32; p < n; p += static_cast<int64_t>(gridDim.x) * warpsPerBlock) {
    const int64_t t = p / nkv;
    const int64_t j = p - t * nkv;
    const T* kr = k + t * nkv * dh + j * dh;
    float acc = 0.0f;
    for (int64_t d = lane; d < dh; d += 32) acc += toF32(kr[d]) * qbar[j * dh + d];
    acc = warpSum(acc);
    if (lane == 0) out[p] = acc;
  }
}

}  // namespace

Status queryScoresLaunch(const QueryScoresArgs& a, cudaStream_t stream) {
  NvtxRange range("queryScores");
  APB_REQUIRE(a.probes > 0 && a.rows >= 0 && a.nkv > 0 && a.dh > 0 && a.nq % a.nkv == 0, "queryScores",
              "needs probes > 0 and nq divisible by nkv");
  if (a.rows == 0) return okStatus();
  APB_REQUIRE(a.out != nullptr && a.q != nullptr && a.k != nullptr, "queryScores", "null buffer");
  float* qbar = nullptr;
  APB_CUDA_TRY(cudaMallocAsync(reinterpret_cast<void**>(&qbar), static_cast<size_t>(a.nkv * a.dh) * sizeof(float), stream));
  const Status st = dispatchDType(a.dt, "queryScores", [&](auto tag) {
    using T = decltype(tag);
    meanQueryKernel<T><<<gridFor(a.nkv * a.dh, kQueryScoresThreads), kQueryScoresThreads, 0, stream>>>(qbar, static_cast<const T*>(a.q), a.probes,
                                                                                                         a.nq, a.nkv, a.dh);
    APB_TRY(checkLaunch("queryScores"));
    const int64_t warps = kQueryScoresThreads / 32;
    scoreKernel<T><<<gridFor(a.rows * a.nkv, static_cast<int>(warps)), kQueryScoresThreads, 0, stream>>>(a.out, qbar, static_cast<const T*>(a.k),
                                                                                                           a.rows, a.nkv, a.dh);
    return checkLaunch("queryScores");
  });
  cudaFreeAsync(qbar, stream);
  return st;
}

}  // namespace apb
