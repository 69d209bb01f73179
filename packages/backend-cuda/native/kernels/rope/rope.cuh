// Rotary position embedding, HF rotate_half convention, at arbitrary positions; the inverse frequencies (default,
// Llama-3 or linear scaling) come precomputed in float64 from the host, and angles are formed in float64 so large
// positions (128K+) keep their precision.
#pragma once

#include <cstdint>

#include "../../common/dtype.cuh"

namespace apb {

constexpr int kRopeThreads = 128;

struct RopeArgs {
  void* out;                  // [rows, heads*dh], contiguous; may alias `in` when it has the same layout
  const void* in;             // head h of row t starts at in[t*inStride + inCol + h*dh]
  int64_t inStride;
  int64_t inCol;
  const int32_t* positions;   // [rows], device
  const double* invFreq;      // [dh/2], device
  int64_t rows;
  int64_t heads;
  int64_t dh;
  DType dt;
};

/** out1 = x1·cos − x2·sin, out2 = x2·cos + x1·sin with x1 = x[:dh/2], x2 = x[dh/2:], angle = pos·invFreq[i]. */
Status ropeLaunch(const RopeArgs& a, cudaStream_t stream);

/** CPU twin with the same strided input layout (host arrays). */
void ropeRef(float* out, const float* in, int64_t inStride, int64_t inCol, const int32_t* positions, const double* invFreq,
             int64_t rows, int64_t heads, int64_t dh);

}  // namespace apb
