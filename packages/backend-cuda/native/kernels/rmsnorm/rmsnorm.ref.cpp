// CPU twin of rmsnorm.
#include <cmath>

#include "rmsnorm.cuh"

namespace apb {

void rmsnormRef(float* out, const float* x, const float* weight, int64_t rows, int64_t dim, float eps) {
  for (int64_t r = 0; r < rows; r++) {
    double ss = 0.0;
    for (int64_t i = 0; i < dim; i++) ss += static_cast<double>(x[r * dim + i]) * x[r * dim + i];
    const double inv = 1.0 / std::sqrt(ss / static_cast<double>(dim) + eps);
    for (int64_t i = 0; i < dim; i++) out[r * dim + i] = static_cast<float>(x[r * dim + i] * inv * weight[i]);
  }
}

}  // namespace apb
