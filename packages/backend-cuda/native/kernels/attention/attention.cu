// Tiled online-softmax attention (FlashAttention-style recurrence on CUDA cores): each warp owns 4 query rows of
// one head; K/V tiles of 32 keys are staged in shared memory (K rows padded against bank conflicts); each lane scores
// one key per tile and owns dh/32 output dimensions. Scores live in the log2 domain (q pre-scaled by scale·log2 e).
#include "attention.cuh"

#include "../../common/launch.cuh"
#include "../../common/reduce.cuh"

namespace apb {

namespace {

constexpr float kLog2e = 1.4426950408889634f;
constexpr float kLn2 = 0.6931471805599453f;

__device__ __forceinline__ int64_t visibleKeys(int64_t row, int64_t anchorRows, int64_t offset, int64_t tk) {
  const int64_t v = row < anchorRows ? row + 1 : row + 1 + offset;
  return v < tk ? v : tk;
}

struct RowState {
  float m;
  float l;
};

template <typename T>
__device__ __forceinline__ void loadTiles(float* ks, float* vs, const AttentionArgs& p, int64_t kt, int64_t kvHead, int64_t limit) {
  const int64_t dh = p.dh;
  const T* k = static_cast<const T*>(p.k);
  const T* v = static_cast<const T*>(p.v);
  for (int64_t i = threadIdx.x; i < kAttnKeys * dh; i += blockDim.x) {
    const int64_t key = i / dh;
    const int64_t d = i - key * dh;
    const int64_t t = kt + key;
    const bool in = t < limit;
    const int64_t at = t * p.nkv * dh + kvHead * dh + d;
    ks[key * (dh + 1) + d] = in ? toF32(k[at]) : 0.0f;
    vs[key * dh + d] = in ? toF32(v[at]) : 0.0f;
  }
}

template <typename T, int DPL>
__global__ void __launch_bounds__(kAttnWarps * 32) attentionKernel(AttentionArgs p) {
  extern __shared__ float smem[];
  const int64_t dh = p.dh;
  float* qs = smem;                       // [kAttnRows][dh]
  float* ks = qs + kAttnRows * dh;        // [kAttnKeys][dh + 1]
  float* vs = ks + kAttnKeys * (dh + 1);  // [kAttnKeys][dh]
  const int lane = threadIdx.x & 31;
  const int warp = threadIdx.x >> 5;
  const int64_t h = blockIdx.y;
  const int64_t kvHead = h / (p.nq / p.nkv);
  const int64_t r0 = static_cast<int64_t>(blockIdx.x) * kAttnRows;
  const float qScale = rsqrtf(static_cast<float>(dh)) * kLog2e;
  const T* q = static_cast<const T*>(p.q);
  for (int64_t i = threadIdx.x; i < kAttnRows * dh; i += blockDim.x) {
    const int64_t r = r0 + i / dh;
    qs[i] = r < p.tq ? toF32(q[r * p.nq * dh + h * dh + i % dh]) * qScale : 0.0f;
  }
  const int64_t lastRow = (r0 + kAttnRows < p.tq ? r0 + kAttnRows : p.tq) - 1;
  const int64_t maxVis = visibleKeys(lastRow, p.anchorRows, p.offset, p.tk);
  RowState st[kAttnRowsPerWarp];
  float acc[kAttnRowsPerWarp][DPL];
  int64_t vis[kAttnRowsPerWarp];
#pragma unroll
  for (int i = 0; i < kAttnRowsPerWarp; i++) {
    const int64_t row = r0 + warp * kAttnRowsPerWarp + i;
    st[i] = RowState{-INFINITY, 0.0f};
    vis[i] = row < p.tq ? visibleKeys(row, p.anchorRows, p.offset, p.tk) : 0;
#pragma unroll
    for (int e = 0; e < DPL; e++) acc[i][e] = 0.0f;
  }
  for (int64_t kt = 0; kt < maxVis; kt += kAttnKeys) {
    __syncthreads();  // previous tile fully consumed (and q staged, on the first pass)
    loadTiles<T>(ks, vs, p, kt, kvHead, maxVis);
    __syncthreads();
#pragma unroll
    for (int i = 0; i < kAttnRowsPerWarp; i++) {
      if (kt >= vis[i]) continue;  // uniform across the warp
      const float* qr = qs + (warp * kAttnRowsPerWarp + i) * dh;
      const float* kr = ks + lane * (dh + 1);
      float s = 0.0f;
      for (int64_t d = 0; d < dh; d++) s = fmaf(qr[d], kr[d], s);
      const bool valid = kt + lane < vis[i];
      s = valid ? s : -INFINITY;
      const float mNew = fmaxf(st[i].m, warpMax(s));
      const float corr = exp2f(st[i].m - mNew);
      const float pr = valid ? exp2f(s - mNew) : 0.0f;
      st[i].l = st[i].l * corr + warpSum(pr);
      st[i].m = mNew;
      const int64_t numKeys = vis[i] - kt < kAttnKeys ? vis[i] - kt : kAttnKeys;
#pragma unroll
      for (int e = 0; e < DPL; e++) acc[i][e] *= corr;
      for (int kk = 0; kk < numKeys; kk++) {
        const float pk = __shfl_sync(0xffffffffu, pr, kk);
#pragma unroll
        for (int e = 0; e < DPL; e++) {
          const int64_t d = lane + 32 * e;
          if (d < dh) acc[i][e] = fmaf(pk, vs[kk * dh + d], acc[i][e]);
        }
      }
    }
  }
  T* out = static_cast<T*>(p.out);
#pragma unroll
  for (int i = 0; i < kAttnRowsPerWarp; i++) {
    const int64_t row = r0 + warp * kAttnRowsPerWarp + i;
    if (row >= p.tq) continue;
    const float inv = st[i].l > 0.0f ? 1.0f / st[i].l : 0.0f;
#pragma unroll
    for (int e = 0; e < DPL; e++) {
      const int64_t d = lane + 32 * e;
      if (d < dh) out[row * p.nq * dh + h * dh + d] = fromF32<T>(acc[i][e] * inv);
    }
    if (lane == 0) p.lse[row * p.nq + h] = st[i].l > 0.0f ? st[i].m * kLn2 + logf(st[i].l) : -INFINITY;
  }
}

template <typename T, int DPL>
Status launchWith(const AttentionArgs& a, cudaStream_t stream) {
  const size_t smemBytes = static_cast<size_t>(kAttnRows * a.dh + kAttnKeys * (a.dh + 1) + kAttnKeys * a.dh) * sizeof(float);
  if (smemBytes > 48 * 1024) {
    APB_CUDA_TRY(cudaFuncSetAttribute(attentionKernel<T, DPL>, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(smemBytes)));
  }
  const dim3 grid(static_cast<unsigned>((a.tq + kAttnRows - 1) / kAttnRows), static_cast<unsigned>(a.nq));
  attentionKernel<T, DPL><<<grid, kAttnWarps * 32, smemBytes, stream>>>(a);
  return checkLaunch("attention");
}

Status checkArgs(const AttentionArgs& a) {
  APB_REQUIRE(a.tq >= 0 && a.tk >= 0 && a.nq > 0 && a.nkv > 0 && a.nq % a.nkv == 0, "attention", "needs nq divisible by nkv");
  APB_REQUIRE(a.dh > 0 && a.dh <= kAttnMaxHeadDim, "attention", "head size must be in [1, 256]");
  APB_REQUIRE(a.anchorRows >= 0 && a.offset >= 0, "attention", "mask fields must be >= 0");
  APB_REQUIRE(a.nq <= 65535, "attention", "too many query heads for the grid");
  APB_REQUIRE((a.tq + kAttnRows - 1) / kAttnRows <= 2147483647LL, "attention", "too many query rows");
  APB_REQUIRE(a.tq == 0 || (a.out != nullptr && a.lse != nullptr && a.q != nullptr), "attention", "null buffer");
  APB_REQUIRE(a.tq == 0 || a.tk == 0 || (a.k != nullptr && a.v != nullptr), "attention", "null key/value buffer");
  return okStatus();
}

}  // namespace

Status attentionLaunch(const AttentionArgs& a, cudaStream_t stream) {
  NvtxRange range("attention");
  APB_TRY(checkArgs(a));
  if (a.tq == 0) return okStatus();
  return dispatchDType(a.dt, "attention", [&](auto tag) -> Status {
    using T = decltype(tag);
    if (a.dh <= 32) return launchWith<T, 1>(a, stream);
    if (a.dh <= 64) return launchWith<T, 2>(a, stream);
    if (a.dh <= 128) return launchWith<T, 4>(a, stream);
    return launchWith<T, 8>(a, stream);
  });
}

}  // namespace apb
