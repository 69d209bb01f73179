// RMSNorm per row: y = x / sqrt(mean(x^2) + eps) * w, float32 math, one rounding to the storage type.
#pragma once

#include <cstdint>

#include "../../common/dtype.cuh"

namespace apb {

constexpr int kRmsNormThreads = 256;

struct RmsNormArgs {
  void* out;           // [rows, dim]; may alias x
  const void* x;       // [rows, dim]
  const void* weight;  // [dim]
  int64_t rows;
  int64_t dim;
  float eps;
  DType dt;
};

Status rmsnormLaunch(const RmsNormArgs& a, cudaStream_t stream);

/** CPU twin, double accumulation of the sum of squares. */
void rmsnormRef(float* out, const float* x, const float* weight, int64_t rows, int64_t dim, float eps);

}  // namespace apb
