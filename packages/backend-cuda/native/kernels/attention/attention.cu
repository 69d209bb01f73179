// Tiled online-softmax attention (FlashAttention-style recurrence on CUDA cores): each warp owns 4 query rows of
// one head; K/V tiles of 32 keys are staged in shared memory (K rows padded against bank conflicts); each lane scores
// one key per tile and owns dh/32 output dimensions. Scores live in the log2 domain (q pre-scaled by scale·log2 e).
// Where K/V rows allow 16-byte loads, the next tile is fetched into registers while the current one is computed.
// Split-K (few rows over many keys): blockIdx.z picks a key chunk; the block writes a float32 partial output and LSE
// per (row, head, chunk) and attentionMergeKernel combines the chunks by LSE.
#include "attention.cuh"

#include <cstdlib>
#include <cstring>

#include "../../common/launch.cuh"
#include "../../common/reduce.cuh"

namespace apb {

namespace {

constexpr float kLog2e = 1.4426950408889634f;
constexpr float kLn2 = 0.6931471805599453f;
constexpr int kAttnThreads = kAttnWarps * 32;
constexpr int kMergeWarps = 4;

/** Key prefix [0, visible) that query row `row` sees (the APB mask, APB.md 3.8); non-decreasing in `row`. */
__host__ __device__ __forceinline__ int64_t visibleKeys(int64_t row, int64_t anchorRows, int64_t offset, int64_t tk) {
  const int64_t v = row < anchorRows ? row + 1 : row + 1 + offset;
  return v < tk ? v : tk;
}

/** Where a launch writes: the op's out/lse (unsplit: `out == nullptr`) or float32 partials of `chunks` key chunks. */
struct SplitDest {
  float* out;         // [tq*nq, chunks, dh]
  float* lse;         // [tq*nq, chunks]
  int64_t chunks;
  int64_t chunkKeys;  // a multiple of kAttnKeys
};

struct RowState {
  float m;
  float l;
};

/** 16-byte vectors of K (and as many of V) each thread loads per tile, for head dims up to 32·DPL. */
template <typename T, int DPL>
__host__ __device__ constexpr int vecPerThread() {
  return (kAttnKeys * 32 * DPL / static_cast<int>(16 / sizeof(T)) + kAttnThreads - 1) / kAttnThreads;
}

/** Scalar tile load (any dh, any alignment): keys [kt, kt+32) of one KV head, zero past `limit`. */
template <typename T>
__device__ __forceinline__ void loadTiles(float* ks, float* vs, const AttentionArgs& p, int64_t kt, int64_t kvHead, int64_t limit) {
  const int dh = static_cast<int>(p.dh);
  const T* k = static_cast<const T*>(p.k);
  const T* v = static_cast<const T*>(p.v);
  for (int i = threadIdx.x; i < kAttnKeys * dh; i += blockDim.x) {
    const int key = i / dh;
    const int d = i - key * dh;
    const int64_t t = kt + key;
    const bool in = t < limit;
    const int64_t at = t * p.nkv * p.dh + kvHead * p.dh + d;
    ks[key * (dh + 1) + d] = in ? toF32(k[at]) : 0.0f;
    vs[key * dh + d] = in ? toF32(v[at]) : 0.0f;
  }
}

/** Vector tile fetch into registers (dh·sizeof(T) and the K/V pointers 16-byte aligned): keys past `limit` are zero. */
template <typename T, int PER>
__device__ __forceinline__ void fetchTile(uint4 (&kr)[PER], uint4 (&vr)[PER], const AttentionArgs& p, int64_t kt, int64_t kvHead, int64_t limit) {
  constexpr int kEpv = 16 / sizeof(T);
  const int vpr = static_cast<int>(p.dh) / kEpv;
  const int total = kAttnKeys * vpr;
  const int64_t stride = p.nkv * p.dh;
  const T* kBase = static_cast<const T*>(p.k) + kvHead * p.dh;
  const T* vBase = static_cast<const T*>(p.v) + kvHead * p.dh;
#pragma unroll
  for (int j = 0; j < PER; j++) {
    const int i = threadIdx.x + j * kAttnThreads;
    const int key = i / vpr;
    const int c = i - key * vpr;
    const int64_t t = kt + key;
    const bool in = i < total && t < limit;
    const int64_t at = t * stride + c * kEpv;
    kr[j] = in ? __ldg(reinterpret_cast<const uint4*>(kBase + at)) : make_uint4(0, 0, 0, 0);
    vr[j] = in ? __ldg(reinterpret_cast<const uint4*>(vBase + at)) : make_uint4(0, 0, 0, 0);
  }
}

/**
 * Writes fetched vectors to the shared tiles as float32: K rows padded to dh + 1 (scalar stores), V rows with float4
 * stores (dh is a multiple of 4 here and the V tile starts 16-byte aligned).
 */
template <typename T, int PER>
__device__ __forceinline__ void stageTile(float* ks, float* vs, const uint4 (&kr)[PER], const uint4 (&vr)[PER], int dh) {
  constexpr int kEpv = 16 / sizeof(T);
  const int vpr = dh / kEpv;
  const int total = kAttnKeys * vpr;
#pragma unroll
  for (int j = 0; j < PER; j++) {
    const int i = threadIdx.x + j * kAttnThreads;
    if (i >= total) continue;
    const int key = i / vpr;
    const int d0 = (i - key * vpr) * kEpv;
    T ke[kEpv];
    T ve[kEpv];
    memcpy(static_cast<void*>(ke), &kr[j], 16);
    memcpy(static_cast<void*>(ve), &vr[j], 16);
    float4* vdst = reinterpret_cast<float4*>(vs + key * dh + d0);
#pragma unroll
    for (int e = 0; e < kEpv; e += 4) {
      ks[key * (dh + 1) + d0 + e] = toF32(ke[e]);
      ks[key * (dh + 1) + d0 + e + 1] = toF32(ke[e + 1]);
      ks[key * (dh + 1) + d0 + e + 2] = toF32(ke[e + 2]);
      ks[key * (dh + 1) + d0 + e + 3] = toF32(ke[e + 3]);
      vdst[e / 4] = make_float4(toF32(ve[e]), toF32(ve[e + 1]), toF32(ve[e + 2]), toF32(ve[e + 3]));
    }
  }
}

template <typename T, int DPL, bool VEC>
__global__ void __launch_bounds__(kAttnThreads) attentionKernel(AttentionArgs p, SplitDest sd) {
  extern __shared__ __align__(16) float smem[];
  const int dh = static_cast<int>(p.dh);
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
  for (int i = threadIdx.x; i < kAttnRows * dh; i += blockDim.x) {
    const int rr = i / dh;
    const int64_t r = r0 + rr;
    qs[i] = r < p.tq ? toF32(q[r * p.nq * p.dh + h * p.dh + (i - rr * dh)]) * qScale : 0.0f;
  }
  const int64_t lastRow = (r0 + kAttnRows < p.tq ? r0 + kAttnRows : p.tq) - 1;
  const int64_t maxVis = visibleKeys(lastRow, p.anchorRows, p.offset, p.tk);
  // This block's keys: all the tile sees, or one chunk of them (chunks are cut from the last query row's prefix).
  const bool split = sd.out != nullptr;
  const int64_t kBegin = split ? static_cast<int64_t>(blockIdx.z) * sd.chunkKeys : 0;
  const int64_t kEnd = split ? (kBegin + sd.chunkKeys < maxVis ? kBegin + sd.chunkKeys : maxVis) : maxVis;
  RowState st[kAttnRowsPerWarp];
  float acc[kAttnRowsPerWarp][DPL];
  int64_t end[kAttnRowsPerWarp];  // the row's last visible key + 1 within this block's keys
#pragma unroll
  for (int i = 0; i < kAttnRowsPerWarp; i++) {
    const int64_t row = r0 + warp * kAttnRowsPerWarp + i;
    st[i] = RowState{-INFINITY, 0.0f};
    const int64_t vis = row < p.tq ? visibleKeys(row, p.anchorRows, p.offset, p.tk) : 0;
    end[i] = vis < kEnd ? vis : kEnd;
#pragma unroll
    for (int e = 0; e < DPL; e++) acc[i][e] = 0.0f;
  }
  constexpr int kPer = VEC ? vecPerThread<T, DPL>() : 1;
  [[maybe_unused]] uint4 kReg[kPer];
  [[maybe_unused]] uint4 vReg[kPer];
  if constexpr (VEC) {
    if (kBegin < kEnd) fetchTile<T, kPer>(kReg, vReg, p, kBegin, kvHead, kEnd);
  }
  for (int64_t kt = kBegin; kt < kEnd; kt += kAttnKeys) {
    __syncthreads();  // previous tile fully consumed (and q staged, on the first pass)
    if constexpr (VEC) {
      stageTile<T, kPer>(ks, vs, kReg, vReg, dh);
      if (kt + kAttnKeys < kEnd) fetchTile<T, kPer>(kReg, vReg, p, kt + kAttnKeys, kvHead, kEnd);  // in flight during this tile
    } else {
      loadTiles<T>(ks, vs, p, kt, kvHead, kEnd);
    }
    __syncthreads();
#pragma unroll
    for (int i = 0; i < kAttnRowsPerWarp; i++) {
      if (kt >= end[i]) continue;  // uniform across the warp
      const float* qr = qs + (warp * kAttnRowsPerWarp + i) * dh;
      const float* kr = ks + lane * (dh + 1);
      float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
      int d = 0;
      for (; d + 3 < dh; d += 4) {
        s0 = fmaf(qr[d], kr[d], s0);
        s1 = fmaf(qr[d + 1], kr[d + 1], s1);
        s2 = fmaf(qr[d + 2], kr[d + 2], s2);
        s3 = fmaf(qr[d + 3], kr[d + 3], s3);
      }
      for (; d < dh; d++) s0 = fmaf(qr[d], kr[d], s0);
      const bool valid = kt + lane < end[i];
      const float s = valid ? (s0 + s1) + (s2 + s3) : -INFINITY;
      const float mNew = fmaxf(st[i].m, warpMax(s));
      const float corr = exp2f(st[i].m - mNew);
      const float pr = valid ? exp2f(s - mNew) : 0.0f;
      st[i].l = st[i].l * corr + warpSum(pr);
      st[i].m = mNew;
      const int numKeys = static_cast<int>(end[i] - kt < kAttnKeys ? end[i] - kt : kAttnKeys);
#pragma unroll
      for (int e = 0; e < DPL; e++) acc[i][e] *= corr;
      for (int kk = 0; kk < numKeys; kk++) {
        const float pk = __shfl_sync(0xffffffffu, pr, kk);
#pragma unroll
        for (int e = 0; e < DPL; e++) {
          const int dd = lane + 32 * e;
          if (dd < dh) acc[i][e] = fmaf(pk, vs[kk * dh + dd], acc[i][e]);
        }
      }
    }
  }
  // A row that saw no key (l = 0) gets a zero output and LSE -inf, here and after the merge.
  T* out = static_cast<T*>(p.out);
#pragma unroll
  for (int i = 0; i < kAttnRowsPerWarp; i++) {
    const int64_t row = r0 + warp * kAttnRowsPerWarp + i;
    if (row >= p.tq) continue;
    const float inv = st[i].l > 0.0f ? 1.0f / st[i].l : 0.0f;
    const float lse = st[i].l > 0.0f ? st[i].m * kLn2 + logf(st[i].l) : -INFINITY;
    if (split) {
      const int64_t slot = (row * p.nq + h) * sd.chunks + blockIdx.z;
#pragma unroll
      for (int e = 0; e < DPL; e++) {
        const int d = lane + 32 * e;
        if (d < dh) sd.out[slot * dh + d] = acc[i][e] * inv;
      }
      if (lane == 0) sd.lse[slot] = lse;
      continue;
    }
#pragma unroll
    for (int e = 0; e < DPL; e++) {
      const int d = lane + 32 * e;
      if (d < dh) out[row * p.nq * dh + h * dh + d] = fromF32<T>(acc[i][e] * inv);
    }
    if (lane == 0) p.lse[row * p.nq + h] = lse;
  }
}

/**
 * Merges the chunks of each (row, head) slot by LSE, one warp per slot: m = max lse_c, w_c = exp(lse_c − m),
 * out = Σ w_c·out_c / Σ w_c, lse = m + log Σ w_c; every chunk empty (m = −inf) gives zeros and −inf, as unsplit.
 */
template <typename T>
__global__ void __launch_bounds__(kMergeWarps * 32) attentionMergeKernel(T* out, float* lse, const float* __restrict__ pOut, const float* __restrict__ pLse,
                                                                          int64_t slots, int chunks, int dh) {
  __shared__ float weights[kMergeWarps][kAttnMaxSplit];
  const int lane = threadIdx.x & 31;
  const int warp = threadIdx.x >> 5;
  float* w = weights[warp];
  for (int64_t s = static_cast<int64_t>(blockIdx.x) * kMergeWarps + warp; s < slots; s += static_cast<int64_t>(gridDim.x) * kMergeWarps) {
    const float* ls = pLse + s * chunks;
    const float l0 = lane < chunks ? ls[lane] : -INFINITY;
    const float l1 = lane + 32 < chunks ? ls[lane + 32] : -INFINITY;
    const float m = warpMax(fmaxf(l0, l1));
    T* o = out + s * dh;
    if (m == -INFINITY) {
      for (int d = lane; d < dh; d += 32) o[d] = fromF32<T>(0.0f);
      if (lane == 0) lse[s] = -INFINITY;
      continue;
    }
    const float w0 = lane < chunks ? expf(l0 - m) : 0.0f;
    const float w1 = lane + 32 < chunks ? expf(l1 - m) : 0.0f;
    const float sum = warpSum(w0 + w1);
    __syncwarp();  // the previous slot's weights are no longer read
    if (lane < chunks) w[lane] = w0;
    if (lane + 32 < chunks) w[lane + 32] = w1;
    __syncwarp();
    const float inv = 1.0f / sum;
    const float* po = pOut + s * chunks * dh;
    for (int d = lane; d < dh; d += 32) {
      float a = 0.0f;
      for (int c = 0; c < chunks; c++) a = fmaf(w[c], po[static_cast<int64_t>(c) * dh + d], a);
      o[d] = fromF32<T>(a * inv);
    }
    if (lane == 0) lse[s] = m + logf(sum);
  }
}

/** 16-byte K/V loads are possible: aligned pointers and head rows a multiple of 16 bytes. */
bool vectorLoads(const AttentionArgs& a) {
  const size_t rowBytes = static_cast<size_t>(a.dh) * dtypeSize(a.dt);
  return rowBytes % 16 == 0 && reinterpret_cast<uintptr_t>(a.k) % 16 == 0 && reinterpret_cast<uintptr_t>(a.v) % 16 == 0;
}

template <typename T, int DPL, bool VEC>
Status launchKernel(const AttentionArgs& a, const SplitDest& sd, cudaStream_t stream) {
  const size_t smemBytes = static_cast<size_t>(kAttnRows * a.dh + kAttnKeys * (a.dh + 1) + kAttnKeys * a.dh) * sizeof(float);
  if (smemBytes > 48 * 1024) {
    APB_CUDA_TRY(cudaFuncSetAttribute(attentionKernel<T, DPL, VEC>, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(smemBytes)));
  }
  const dim3 grid(static_cast<unsigned>((a.tq + kAttnRows - 1) / kAttnRows), static_cast<unsigned>(a.nq), static_cast<unsigned>(sd.out != nullptr ? sd.chunks : 1));
  attentionKernel<T, DPL, VEC><<<grid, kAttnThreads, smemBytes, stream>>>(a, sd);
  return checkLaunch("attention");
}

template <typename T, int DPL>
Status launchWith(const AttentionArgs& a, const SplitDest& sd, cudaStream_t stream) {
  // Vector loads hold 2·vecPerThread uint4 registers per thread; past 8 (float32 with dh > 128) the scalar loads run.
  if constexpr (vecPerThread<T, DPL>() <= 8) {
    if (vectorLoads(a)) return launchKernel<T, DPL, true>(a, sd, stream);
  }
  return launchKernel<T, DPL, false>(a, sd, stream);
}

template <typename T, int DPL>
Status launchSplit(const AttentionArgs& a, const AttentionSplit& plan, cudaStream_t stream) {
  if (plan.chunks <= 1) return launchWith<T, DPL>(a, SplitDest{nullptr, nullptr, 1, 0}, stream);
  const int64_t slots = a.tq * a.nq;
  const size_t partBytes = static_cast<size_t>(slots * plan.chunks * a.dh) * sizeof(float);
  const size_t lseBytes = static_cast<size_t>(slots * plan.chunks) * sizeof(float);
  void* scratch = nullptr;
  APB_CUDA_TRY(cudaMallocAsync(&scratch, partBytes + lseBytes, stream));
  const SplitDest sd{static_cast<float*>(scratch), reinterpret_cast<float*>(static_cast<char*>(scratch) + partBytes), plan.chunks, plan.chunkKeys};
  Status st = launchWith<T, DPL>(a, sd, stream);
  if (st.ok()) {
    attentionMergeKernel<T><<<gridFor(slots, kMergeWarps), kMergeWarps * 32, 0, stream>>>(static_cast<T*>(a.out), a.lse, sd.out, sd.lse, slots,
                                                                                          static_cast<int>(plan.chunks), static_cast<int>(a.dh));
    st = checkLaunch("attention (split-K merge)");
  }
  const cudaError_t freed = cudaFreeAsync(scratch, stream);
  if (st.ok() && freed != cudaSuccess) return cudaFailure(static_cast<int>(freed), "cudaFreeAsync", __FILE__, __LINE__).inOp("attention");
  return st;
}

Status checkArgs(const AttentionArgs& a) {
  APB_REQUIRE(a.tq >= 0 && a.tk >= 0 && a.nq > 0 && a.nkv > 0 && a.nq % a.nkv == 0, "attention", "needs nq divisible by nkv");
  APB_REQUIRE(a.dh > 0 && a.dh <= kAttnMaxHeadDim, "attention", "head size must be in [1, 256]");
  APB_REQUIRE(a.anchorRows >= 0 && a.offset >= 0, "attention", "mask fields must be >= 0");
  APB_REQUIRE(a.split >= 0, "attention", "split must be >= 0 (0 = automatic, 1 = never, n = n key chunks)");
  APB_REQUIRE(a.nq <= 65535, "attention", "too many query heads for the grid");
  APB_REQUIRE((a.tq + kAttnRows - 1) / kAttnRows <= 2147483647LL, "attention", "too many query rows");
  APB_REQUIRE(a.tq == 0 || (a.out != nullptr && a.lse != nullptr && a.q != nullptr), "attention", "null buffer");
  APB_REQUIRE(a.tq == 0 || a.tk == 0 || (a.k != nullptr && a.v != nullptr), "attention", "null key/value buffer");
  return okStatus();
}

bool splitOffByEnv() {
  const char* e = std::getenv("APB_ATTN_SPLIT");
  return e != nullptr && std::strcmp(e, "0") == 0;
}

// ---- One query row (decode steps): the GQA group's query heads share each K/V row read ----

/**
 * Block (KV head j, key chunk c) for the single query row: its G = nq/nkv query heads (j·G … j·G+G−1) are scored
 * against every key of the chunk, so each K/V row is read once for the group. Warp w takes keys w, w+4, … of the
 * chunk; lane l holds dims [l·E, l·E+E) (dh = 32·E), so a warp reads a whole K or V row in one coalesced sweep; the dot
 * products are warp sums. The four warps' online-softmax states are combined through shared memory into the chunk's
 * float32 partial (normalized output, LSE), which attentionMergeKernel merges across chunks as in split-K.
 */
template <typename T, int E>
__global__ void __launch_bounds__(kDecodeWarps * 32) attentionDecodeKernel(AttentionArgs p, SplitDest sd) {
  __shared__ float sm[kDecodeWarps][kDecodeMaxGroup];
  __shared__ float sl[kDecodeWarps][kDecodeMaxGroup];
  __shared__ float sacc[kDecodeWarps][kDecodeMaxGroup][kAttnMaxHeadDim];
  const int lane = threadIdx.x & 31;
  const int warp = threadIdx.x >> 5;
  const int G = static_cast<int>(p.nq / p.nkv);
  const int dh = 32 * E;
  const int64_t j = blockIdx.x;
  const int64_t c = blockIdx.y;
  const int64_t visible = visibleKeys(0, p.anchorRows, p.offset, p.tk);
  const int64_t start = c * sd.chunkKeys;
  const int64_t end = start + sd.chunkKeys < visible ? start + sd.chunkKeys : visible;
  const float qscale = rsqrtf(static_cast<float>(p.dh)) * kLog2e;
  const T* q = static_cast<const T*>(p.q);
  float qr[kDecodeMaxGroup][E];
  float acc[kDecodeMaxGroup][E];
  float m[kDecodeMaxGroup];
  float l[kDecodeMaxGroup];
#pragma unroll
  for (int g = 0; g < kDecodeMaxGroup; g++) {
    m[g] = -INFINITY;
    l[g] = 0.0f;
#pragma unroll
    for (int e = 0; e < E; e++) {
      qr[g][e] = g < G ? toF32(q[(j * G + g) * dh + lane * E + e]) * qscale : 0.0f;
      acc[g][e] = 0.0f;
    }
  }
  const int64_t stride = p.nkv * p.dh;
  const T* kBase = static_cast<const T*>(p.k) + j * p.dh + lane * E;
  const T* vBase = static_cast<const T*>(p.v) + j * p.dh + lane * E;
  // Two keys per step (t and t + kDecodeWarps), both rows loaded before either is used: twice the loads in flight.
  for (int64_t t = start + warp; t < end; t += 2 * kDecodeWarps) {
    const bool two = t + kDecodeWarps < end;
    float kr[2][E];
    float vr[2][E];
#pragma unroll
    for (int e = 0; e < E; e++) {
      kr[0][e] = toF32(kBase[t * stride + e]);
      vr[0][e] = toF32(vBase[t * stride + e]);
      kr[1][e] = two ? toF32(kBase[(t + kDecodeWarps) * stride + e]) : 0.0f;
      vr[1][e] = two ? toF32(vBase[(t + kDecodeWarps) * stride + e]) : 0.0f;
    }
#pragma unroll
    for (int u = 0; u < 2; u++) {
      if (u == 1 && !two) break;
#pragma unroll
      for (int g = 0; g < kDecodeMaxGroup; g++) {
        if (g >= G) break;
        float s = 0.0f;
#pragma unroll
        for (int e = 0; e < E; e++) s = fmaf(qr[g][e], kr[u][e], s);
        s = warpSum(s);
        const float mNew = fmaxf(m[g], s);
        const float corr = exp2f(m[g] - mNew);  // m = −inf at the first key: exp2(−inf) = 0
        const float pr = exp2f(s - mNew);
        l[g] = fmaf(l[g], corr, pr);
#pragma unroll
        for (int e = 0; e < E; e++) acc[g][e] = fmaf(acc[g][e], corr, pr * vr[u][e]);
        m[g] = mNew;
      }
    }
  }
#pragma unroll
  for (int g = 0; g < kDecodeMaxGroup; g++) {
    if (g >= G) break;
    if (lane == 0) {
      sm[warp][g] = m[g];
      sl[warp][g] = l[g];
    }
#pragma unroll
    for (int e = 0; e < E; e++) sacc[warp][g][lane * E + e] = acc[g][e];
  }
  __syncthreads();
  for (int i = threadIdx.x; i < G * dh; i += kDecodeWarps * 32) {
    const int g = i / dh;
    const int d = i - g * dh;
    float mx = -INFINITY;
    for (int w = 0; w < kDecodeWarps; w++) mx = fmaxf(mx, sm[w][g]);
    const int64_t slot = j * G + g;  // row 0: slot = query head
    float* po = sd.out + (slot * sd.chunks + c) * dh;
    if (mx == -INFINITY) {  // no key of this chunk is visible
      po[d] = 0.0f;
      if (d == 0) sd.lse[slot * sd.chunks + c] = -INFINITY;
      continue;
    }
    float sum = 0.0f;
    float o = 0.0f;
    for (int w = 0; w < kDecodeWarps; w++) {
      const float f = exp2f(sm[w][g] - mx);  // a warp that saw no key: exp2(−inf) = 0
      sum = fmaf(sl[w][g], f, sum);
      o = fmaf(sacc[w][g][d], f, o);
    }
    po[d] = o / sum;
    if (d == 0) sd.lse[slot * sd.chunks + c] = (mx + log2f(sum)) * kLn2;
  }
}

/** The decode path applies: one automatic-split query row, dh = 32·E with E in {1, 2, 4, 8}, a group of ≤ 8 heads. */
bool decodeApplies(const AttentionArgs& a) {
  if (a.tq != 1 || a.tk == 0 || a.split != 0) return false;
  const int64_t e = a.dh / 32;
  if (a.dh % 32 != 0 || !(e == 1 || e == 2 || e == 4 || e == 8)) return false;
  if (a.nq / a.nkv > kDecodeMaxGroup) return false;
  const char* env = std::getenv("APB_ATTN_DECODE");
  return env == nullptr || std::strcmp(env, "0") != 0;
}

/** Key chunks of the decode path: about kDecodeTargetWaves × SMs blocks over the KV heads, ≥ kDecodeChunkMinKeys each. */
AttentionSplit decodePlan(const AttentionArgs& a, int smCount) {
  const int64_t keys = visibleKeys(0, a.anchorRows, a.offset, a.tk);
  int64_t want = (kDecodeTargetWaves * static_cast<int64_t>(smCount > 0 ? smCount : 1) + a.nkv - 1) / a.nkv;
  if (want > keys / kDecodeChunkMinKeys) want = keys / kDecodeChunkMinKeys;
  if (want > kAttnMaxSplit) want = kAttnMaxSplit;
  if (want < 1) want = 1;
  const int64_t per = (keys + want - 1) / want;
  const int64_t chunkKeys = per < 1 ? 1 : per;
  return AttentionSplit{(keys + chunkKeys - 1) / chunkKeys, chunkKeys};
}

template <typename T, int E>
Status launchDecode(const AttentionArgs& a, const AttentionSplit& plan, cudaStream_t stream) {
  const int64_t slots = a.nq;  // one row
  const int64_t chunks = plan.chunks < 1 ? 1 : plan.chunks;
  const size_t partBytes = static_cast<size_t>(slots * chunks * a.dh) * sizeof(float);
  const size_t lseBytes = static_cast<size_t>(slots * chunks) * sizeof(float);
  void* scratch = nullptr;
  APB_CUDA_TRY(cudaMallocAsync(&scratch, partBytes + lseBytes, stream));
  const SplitDest sd{static_cast<float*>(scratch), reinterpret_cast<float*>(static_cast<char*>(scratch) + partBytes), chunks, plan.chunkKeys};
  attentionDecodeKernel<T, E><<<dim3(static_cast<unsigned>(a.nkv), static_cast<unsigned>(chunks)), kDecodeWarps * 32, 0, stream>>>(a, sd);
  Status st = checkLaunch("attention (decode)");
  if (st.ok()) {
    attentionMergeKernel<T><<<gridFor(slots, kMergeWarps), kMergeWarps * 32, 0, stream>>>(static_cast<T*>(a.out), a.lse, sd.out, sd.lse, slots,
                                                                                          static_cast<int>(chunks), static_cast<int>(a.dh));
    st = checkLaunch("attention (decode merge)");
  }
  const cudaError_t freed = cudaFreeAsync(scratch, stream);
  if (st.ok() && freed != cudaSuccess) return cudaFailure(static_cast<int>(freed), "cudaFreeAsync", __FILE__, __LINE__).inOp("attention");
  return st;
}

}  // namespace

AttentionSplit attentionSplitPlan(const AttentionArgs& a, int smCount) {
  const AttentionSplit none{};
  if (a.tq <= 0 || a.tk <= 0 || a.split == 1) return none;
  const int64_t keys = visibleKeys(a.tq - 1, a.anchorRows, a.offset, a.tk);  // the most any row sees
  int64_t want = a.split;
  if (want == 0) {
    if (splitOffByEnv()) return none;
    const int64_t sm = smCount > 0 ? smCount : 1;
    const int64_t blocks = (a.tq + kAttnRows - 1) / kAttnRows * a.nq;
    if (blocks >= kAttnSplitBelowWaves * sm || keys < kAttnSplitMinKeys) return none;
    want = (kAttnSplitTargetWaves * sm + blocks - 1) / blocks;
    if (want > keys / kAttnSplitChunkMinKeys) want = keys / kAttnSplitChunkMinKeys;
  }
  const int64_t tiles = (keys + kAttnKeys - 1) / kAttnKeys;
  if (want > kAttnMaxSplit) want = kAttnMaxSplit;
  if (want > tiles) want = tiles;
  if (want < 2) return none;
  const int64_t per = (keys + want - 1) / want;
  const int64_t chunkKeys = (per + kAttnKeys - 1) / kAttnKeys * kAttnKeys;
  const int64_t chunks = (keys + chunkKeys - 1) / chunkKeys;
  if (chunks < 2) return none;
  return AttentionSplit{chunks, chunkKeys};
}

Status attentionLaunch(const AttentionArgs& a, cudaStream_t stream, int64_t* chunks, bool* decode) {
  NvtxRange range("attention");
  if (chunks != nullptr) *chunks = 1;
  if (decode != nullptr) *decode = false;
  APB_TRY(checkArgs(a));
  if (a.tq == 0) return okStatus();
  int sm = 1;
  if (a.split == 0 && a.tk > 0) {
    int dev = 0;
    APB_CUDA_TRY(cudaGetDevice(&dev));
    APB_CUDA_TRY(cudaDeviceGetAttribute(&sm, cudaDevAttrMultiProcessorCount, dev));
  }
  if (decodeApplies(a)) {
    const AttentionSplit dp = decodePlan(a, sm);
    if (chunks != nullptr) *chunks = dp.chunks;
    if (decode != nullptr) *decode = true;
    return dispatchDType(a.dt, "attention", [&](auto tag) -> Status {
      using T = decltype(tag);
      switch (a.dh / 32) {
        case 1: return launchDecode<T, 1>(a, dp, stream);
        case 2: return launchDecode<T, 2>(a, dp, stream);
        case 4: return launchDecode<T, 4>(a, dp, stream);
        default: return launchDecode<T, 8>(a, dp, stream);
      }
    });
  }
  const AttentionSplit plan = attentionSplitPlan(a, sm);
  if (chunks != nullptr) *chunks = plan.chunks;
  return dispatchDType(a.dt, "attention", [&](auto tag) -> Status {
    using T = decltype(tag);
    if (a.dh <= 32) return launchSplit<T, 1>(a, plan, stream);
    if (a.dh <= 64) return launchSplit<T, 2>(a, plan, stream);
    if (a.dh <= 128) return launchSplit<T, 4>(a, plan, stream);
    return launchSplit<T, 8>(a, plan, stream);
  });
}

}  // namespace apb
