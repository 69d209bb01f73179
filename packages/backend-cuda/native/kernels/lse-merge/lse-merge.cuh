// Log-sum-exp merge of two partial attentions over disjoint key sets (APB.md 4.2), in place into the first, with the
// numerically safe sequential form of core's mergePartials: out ← out − σ(lse_b − lse)·(out − out_b),
// lse ← lse − log σ(lse − lse_b); empty partials (lse = −∞) are skipped.
#pragma once

#include <cstdint>

#include "../../common/dtype.cuh"

namespace apb {

constexpr int kLseMergeThreads = 256;

struct LseMergeArgs {
  void* out;         // [rows, heads*dh], merged in place
  float* lse;        // [rows, heads], merged in place
  const void* outB;  // [rows, heads*dh]
  const float* lseB; // [rows, heads]
  int64_t rows;
  int64_t heads;
  int64_t dh;
  DType dt;
};

Status lseMergeLaunch(const LseMergeArgs& a, cudaStream_t stream);

/** CPU twin (double math). */
void lseMergeRef(float* out, float* lse, const float* outB, const float* lseB, int64_t rows, int64_t heads, int64_t dh);

}  // namespace apb
