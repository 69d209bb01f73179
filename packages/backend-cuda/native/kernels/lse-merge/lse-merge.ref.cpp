// CPU twin of lseMerge (double math, as core's mergePartials).
#include <cmath>

#include "lse-merge.cuh"

namespace apb {

namespace {
double sigmoidD(double x) { return x >= 0 ? 1.0 / (1.0 + std::exp(-x)) : std::exp(x) / (1.0 + std::exp(x)); }
double logSigmoidD(double x) { return x >= 0 ? -std::log1p(std::exp(-x)) : x - std::log1p(std::exp(x)); }
}  // namespace

void lseMergeRef(float* out, float* lse, const float* outB, const float* lseB, int64_t rows, int64_t heads, int64_t dh) {
  for (int64_t s = 0; s < rows * heads; s++) {
    const double la = lse[s];
    const double lb = lseB[s];
    if (lb == -INFINITY) continue;
    if (la == -INFINITY) {
      for (int64_t d = 0; d < dh; d++) out[s * dh + d] = outB[s * dh + d];
      lse[s] = static_cast<float>(lb);
      continue;
    }
    const double w = sigmoidD(lb - la);
    for (int64_t d = 0; d < dh; d++) out[s * dh + d] = static_cast<float>(out[s * dh + d] - w * (out[s * dh + d] - outB[s * dh + d]));
    lse[s] = static_cast<float>(la - logSigmoidD(la - lb));
  }
}

}  // namespace apb
