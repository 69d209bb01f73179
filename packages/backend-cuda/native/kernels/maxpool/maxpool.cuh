// 1-D max-pool of selection scores along rows, per channel, odd kernel, stride 1, same length (APB.md 3.2: k = 5).
#pragma once

#include <cstdint>

#include "../../common/dtype.cuh"

namespace apb {

constexpr int kMaxPoolThreads = 256;

struct MaxPoolArgs {
  float* out;       // [rows, channels]
  const float* in;  // [rows, channels]
  int64_t rows;
  int64_t channels;
  int kernel;       // odd
};

Status maxpoolLaunch(const MaxPoolArgs& a, cudaStream_t stream);

/** CPU twin. */
void maxpoolRef(float* out, const float* in, int64_t rows, int64_t channels, int kernel);

}  // namespace apb
