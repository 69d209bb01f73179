// CPU twin of queryScores.
#include <vector>

#include "query-scores.cuh"

namespace apb {

void queryScoresRef(float* out, const float* q, const float* k, int64_t probes, int64_t rows, int64_t nq, int64_t nkv, int64_t dh) {
  const int64_t group = nq / nkv;
  std::vector<double> qbar(static_cast<size_t>(nkv * dh), 0.0);
  for (int64_t p = 0; p < probes; p++) {
    for (int64_t h = 0; h < nq; h++) {
      for (int64_t d = 0; d < dh; d++) qbar[static_cast<size_t>((h / group) * dh + d)] += q[p * nq * dh + h * dh + d];
    }
  }
  for (double& v : qbar) v /= static_cast<double>(probes * group);
  for (int64_t t = 0; t < rows; t++) {
    for (int64_t j = 0; j < nkv; j++) {
      double acc = 0.0;
      for (int64_t d = 0; d < dh; d++) acc += k[t * nkv * dh + j * dh + d] * qbar[static_cast<size_t>(j * dh + d)];
      out[t * nkv + j] = static_cast<float>(acc);
    }
  }
}

}  // namespace apb
