// Greedy sampling on the GPU: the index of the largest logit per row (lowest index on ties; NaN never wins; a row
// of -inf/NaN gives 0), as core's argmax.
#pragma once

#include <cstdint>

#include "../../common/dtype.cuh"

namespace apb {

constexpr int kArgmaxThreads = 256;

struct ArgmaxArgs {
  int32_t* out;          // [rows]
  const float* logits;   // [rows, vocab]
  int64_t rows;
  int64_t vocab;
};

Status argmaxLaunch(const ArgmaxArgs& a, cudaStream_t stream);

/** CPU twin. */
void argmaxRef(int32_t* out, const float* logits, int64_t rows, int64_t vocab);

}  // namespace apb
