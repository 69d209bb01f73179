// Linear layers y = x · wᵀ (HF layout, w is [n, k]) with float32 accumulation: cuBLASLt when loaded and it offers an
// algorithm (bf16 or f32 in, f32 or bf16 out), else our shared-memory tiled kernel (also the CI-compiled reference).
#pragma once

#include <cstdint>

#include "../../common/dtype.cuh"
#include "../../runtime/context.h"

namespace apb {

// Tiled kernel shape: a 64x64 output tile per block of 256 threads (4x4 outputs each), k in steps of 16.
constexpr int kGemmTileM = 64;
constexpr int kGemmTileN = 64;
constexpr int kGemmTileK = 16;
constexpr int kGemmThreads = 256;

struct GemmArgs {
  void* y;        // [m, n] of outType
  DType outType;
  const void* x;  // [m, k] of inType
  const void* w;  // [n, k] of inType
  int64_t m;
  int64_t n;
  int64_t k;
  DType inType;
};

/** Which implementation ran a GEMM (reported to JS so the check can cover both). */
enum class GemmPath : int { Tiled = 0, CublasLt = 1 };

/** Runs y = x·wᵀ on ctx's stream by ctx's GemmMode; `used` says which path ran. */
Status gemmLaunch(const GemmArgs& a, Context& ctx, GemmPath* used);

/** Our tiled kernel. */
Status gemmTiledLaunch(const GemmArgs& a, cudaStream_t stream);

/** cuBLASLt; sets *unsupported (and returns Ok) when the library has no algorithm for the case. */
Status gemmCublasLtLaunch(const GemmArgs& a, Context& ctx, bool* unsupported);

/** CPU twin: y = x·wᵀ with double accumulation. */
void gemmRef(float* y, const float* x, const float* w, int64_t m, int64_t n, int64_t k);

}  // namespace apb
