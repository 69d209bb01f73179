// Training-free selection scores (APB.md 8): q̄_j = mean over probe rows and over KV head j's query heads;
// score[t, j] = ⟨k[t, j], q̄_j⟩ (no scaling), float32 accumulation, float32 output.
#pragma once

#include <cstdint>

#include "../../common/dtype.cuh"

namespace apb {

constexpr int kQueryScoresThreads = 256;

struct QueryScoresArgs {
  float* out;     // [rows, nkv]
  const void* q;  // [probes, nq*dh], post-RoPE
  const void* k;  // [rows, nkv*dh], post-RoPE
  int64_t probes;
  int64_t rows;
  int64_t nq;
  int64_t nkv;
  int64_t dh;
  DType dt;
};

/** Allocates a [nkv, dh] float32 temporary on the stream. */
Status queryScoresLaunch(const QueryScoresArgs& a, cudaStream_t stream);

/** CPU twin (double sums). */
void queryScoresRef(float* out, const float* q, const float* k, int64_t probes, int64_t rows, int64_t nq, int64_t nkv, int64_t dh);

}  // namespace apb
