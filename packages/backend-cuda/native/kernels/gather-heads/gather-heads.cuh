// Per-KV-head row gather (the passing block): out[r, j, :] = x[idx[r*nkv + j], j, :].
#pragma once

#include <cstdint>

#include "../../common/dtype.cuh"

namespace apb {

constexpr int kGatherThreads = 128;

struct GatherHeadsArgs {
  void* out;           // [rows, nkv*dh]
  const void* x;       // [numSrcRows, nkv*dh]
  const int32_t* idx;  // [rows, nkv], device
  int64_t rows;
  int64_t numSrcRows;
  int64_t nkv;
  int64_t dh;
  DType dt;
};

/** Indices are checked on the host; one outside [0, numSrcRows) gives a zero head row. */
Status gatherHeadsLaunch(const GatherHeadsArgs& a, cudaStream_t stream);

/** CPU twin. */
void gatherHeadsRef(float* out, const float* x, const int32_t* idx, int64_t rows, int64_t numSrcRows, int64_t nkv, int64_t dh);

}  // namespace apb
