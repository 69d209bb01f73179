// The tiled GEMM kernel (fallback and reference) and the dispatch between it and cuBLASLt.
#include "gemm.cuh"

#include "../../common/launch.cuh"

namespace apb {

namespace {

constexpr int kPad = 4;  // shared-memory row padding (floats)

template <typename TI>
__device__ __forceinline__ void loadTile(float (*dst)[kGemmTileM + kPad], const TI* src, int64_t rows, int64_t k, int64_t r0,
                                         int64_t k0) {
  // 64 rows x 16 k values; each thread loads 4; stored transposed as dst[kk][row]
  for (int i = threadIdx.x; i < kGemmTileM * kGemmTileK; i += kGemmThreads) {
    const int r = i / kGemmTileK;
    const int c = i - r * kGemmTileK;
    const int64_t gr = r0 + r;
    const int64_t gc = k0 + c;
    dst[c][r] = (gr < rows && gc < k) ? toF32(src[gr * k + gc]) : 0.0f;
  }
}

template <typename TI, typename TO>
__global__ void __launch_bounds__(kGemmThreads) gemmTiledKernel(TO* __restrict__ y, const TI* __restrict__ x, const TI* __restrict__ w,
                                                                int64_t m, int64_t n, int64_t k) {
  __shared__ float as[kGemmTileK][kGemmTileM + kPad];
  __shared__ float bs[kGemmTileK][kGemmTileN + kPad];
  const int tx = threadIdx.x % 16;
  const int ty = threadIdx.x / 16;
  const int64_t m0 = static_cast<int64_t>(blockIdx.y) * kGemmTileM;
  const int64_t n0 = static_cast<int64_t>(blockIdx.x) * kGemmTileN;
  float acc[4][4] = {};
  for (int64_t k0 = 0; k0 < k; k0 += kGemmTileK) {
    loadTile(as, x, m, k, m0, k0);
    loadTile(bs, w, n, k, n0, k0);
    __syncthreads();
#pragma unroll
    for (int kk = 0; kk < kGemmTileK; kk++) {
      float a[4];
      float b[4];
#pragma unroll
      for (int i = 0; i < 4; i++) a[i] = as[kk][ty + 16 * i];
#pragma unroll
      for (int j = 0; j < 4; j++) b[j] = bs[kk][tx + 16 * j];
#pragma unroll
      for (int i = 0; i < 4; i++) {
#pragma unroll
        for (int j = 0; j < 4; j++) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
      }
    }
    __syncthreads();
  }
#pragma unroll
  for (int i = 0; i < 4; i++) {
    const int64_t r = m0 + ty + 16 * i;
    if (r >= m) continue;
#pragma unroll
    for (int j = 0; j < 4; j++) {
      const int64_t c = n0 + tx + 16 * j;
      if (c < n) y[r * n + c] = fromF32<TO>(acc[i][j]);
    }
  }
}

Status checkGemmArgs(const GemmArgs& a) {
  APB_REQUIRE(a.m >= 0 && a.n > 0 && a.k > 0, "gemm", "m must be >= 0, n and k > 0");
  APB_REQUIRE(a.m == 0 || (a.y != nullptr && a.x != nullptr && a.w != nullptr), "gemm", "null buffer");
  APB_REQUIRE(a.m == 0 || (a.y != a.x && a.y != a.w), "gemm", "the output may not alias an input");
  return okStatus();
}

bool aligned256(const void* p) { return (reinterpret_cast<uintptr_t>(p) & 255u) == 0; }

}  // namespace

Status gemmTiledLaunch(const GemmArgs& a, cudaStream_t stream) {
  NvtxRange range("gemm.tiled");
  APB_TRY(checkGemmArgs(a));
  if (a.m == 0) return okStatus();
  const int64_t gridX = (a.n + kGemmTileN - 1) / kGemmTileN;
  const int64_t gridY = (a.m + kGemmTileM - 1) / kGemmTileM;
  APB_REQUIRE(gridX <= 2147483647LL && gridY <= 65535, "gemm", "matrix too large for the tiled kernel's grid");
  const dim3 grid(static_cast<unsigned>(gridX), static_cast<unsigned>(gridY));
  return dispatchDType(a.inType, "gemm", [&](auto inTag) {
    using TI = decltype(inTag);
    return dispatchDType(a.outType, "gemm", [&](auto outTag) {
      using TO = decltype(outTag);
      gemmTiledKernel<TI, TO><<<grid, kGemmThreads, 0, stream>>>(static_cast<TO*>(a.y), static_cast<const TI*>(a.x), static_cast<const TI*>(a.w),
                                                                  a.m, a.n, a.k);
      return checkLaunch("gemm");
    });
  });
}

Status gemmLaunch(const GemmArgs& a, Context& ctx, GemmPath* used) {
  APB_TRY(checkGemmArgs(a));
  *used = GemmPath::Tiled;
  const bool ltReady = ctx.ltHandle() != nullptr && ctx.gemmMode() != GemmMode::Tiled;
  if (ctx.gemmMode() == GemmMode::CublasLt && !ltReady) return notLoaded("gemm", "cuBLASLt is not loaded but the GEMM mode requires it");
  if (a.m == 0) return okStatus();
  const bool aligned = aligned256(a.x) && aligned256(a.w) && aligned256(a.y);
  if (ltReady && (aligned || ctx.gemmMode() == GemmMode::CublasLt)) {
    bool unsupported = false;
    APB_TRY(gemmCublasLtLaunch(a, ctx, &unsupported));
    if (!unsupported) {
      *used = GemmPath::CublasLt;
      return okStatus();
    }
    if (ctx.gemmMode() == GemmMode::CublasLt) return invalidArgument("gemm", "cuBLASLt has no algorithm for this case");
  }
  return gemmTiledLaunch(a, ctx.stream());
}

}  // namespace apb
