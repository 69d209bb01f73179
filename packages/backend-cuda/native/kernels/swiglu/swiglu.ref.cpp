// CPU twins of swiglu and silu.
#include <cmath>

#include "swiglu.cuh"

namespace apb {

namespace {
double siluD(double g) { return g / (1.0 + std::exp(-g)); }
}  // namespace

void swigluRef(float* out, const float* gateUp, int64_t rows, int64_t inter) {
  for (int64_t r = 0; r < rows; r++) {
    for (int64_t c = 0; c < inter; c++) {
      out[r * inter + c] = static_cast<float>(siluD(gateUp[r * 2 * inter + c]) * gateUp[r * 2 * inter + inter + c]);
    }
  }
}

void siluRef(float* x, int64_t n) {
  for (int64_t i = 0; i < n; i++) x[i] = static_cast<float>(siluD(x[i]));
}

}  // namespace apb
