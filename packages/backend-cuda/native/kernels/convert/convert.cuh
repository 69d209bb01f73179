// Element type conversion (float32 <-> bfloat16, round to nearest even) and fill, for uploads, downloads and the
// poisoned outputs of the GPU check.
#pragma once

#include <cstdint>

#include "../../common/dtype.cuh"

namespace apb {

constexpr int kConvertThreads = 256;

struct CastArgs {
  void* dst;
  DType dstType;
  const void* src;
  DType srcType;
  int64_t n;
};

struct FillArgs {
  void* dst;
  DType dt;
  int64_t n;
  float value;
};

/** dst[i] = (dstType) src[i]. */
Status castLaunch(const CastArgs& a, cudaStream_t stream);
/** dst[i] = (dt) value. */
Status fillLaunch(const FillArgs& a, cudaStream_t stream);

/** CPU twin: out[i] = in[i] rounded through `through` (identity for F32, round-to-nearest-even for BF16). */
void castRef(float* out, const float* in, int64_t n, DType through);

}  // namespace apb
