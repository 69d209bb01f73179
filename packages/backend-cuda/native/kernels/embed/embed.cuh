// Token embedding: out[t, :] = table[ids[t], :].
#pragma once

#include <cstdint>

#include "../../common/dtype.cuh"

namespace apb {

constexpr int kEmbedThreads = 256;

struct EmbedArgs {
  void* out;             // [rows, dim]
  const void* table;     // [vocab, dim]
  const int32_t* ids;    // [rows], device
  int64_t rows;
  int64_t dim;
  int64_t vocab;
  DType dt;
};

/** Copies one table row per token. Ids are checked on the host; an id outside [0, vocab) gives a zero row. */
Status embedLaunch(const EmbedArgs& a, cudaStream_t stream);

/** CPU twin (ids outside the vocabulary give zero rows, as the kernel does). */
void embedRef(float* out, const float* table, const int32_t* ids, int64_t rows, int64_t dim, int64_t vocab);

}  // namespace apb
