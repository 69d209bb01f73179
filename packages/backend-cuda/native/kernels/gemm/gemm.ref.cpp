// CPU twin of gemm: y = x·wᵀ, double accumulation.
#include "gemm.cuh"

namespace apb {

void gemmRef(float* y, const float* x, const float* w, int64_t m, int64_t n, int64_t k) {
  for (int64_t r = 0; r < m; r++) {
    for (int64_t c = 0; c < n; c++) {
      double acc = 0.0;
      for (int64_t i = 0; i < k; i++) acc += static_cast<double>(x[r * k + i]) * w[c * k + i];
      y[r * n + c] = static_cast<float>(acc);
    }
  }
}

}  // namespace apb
