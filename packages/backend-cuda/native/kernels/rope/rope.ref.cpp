// CPU twin of rope (float64 angles and rotation, rounded once).
#include <cmath>

#include "rope.cuh"

namespace apb {

void ropeRef(float* out, const float* in, int64_t inStride, int64_t inCol, const int32_t* positions, const double* invFreq,
             int64_t rows, int64_t heads, int64_t dh) {
  const int64_t half = dh / 2;
  for (int64_t t = 0; t < rows; t++) {
    for (int64_t i = 0; i < half; i++) {
      const double angle = static_cast<double>(positions[t]) * invFreq[i];
      const double c = std::cos(angle);
      const double s = std::sin(angle);
      for (int64_t h = 0; h < heads; h++) {
        const double x1 = in[t * inStride + inCol + h * dh + i];
        const double x2 = in[t * inStride + inCol + h * dh + half + i];
        out[t * heads * dh + h * dh + i] = static_cast<float>(x1 * c - x2 * s);
        out[t * heads * dh + h * dh + half + i] = static_cast<float>(x2 * c + x1 * s);
      }
    }
  }
}

}  // namespace apb
