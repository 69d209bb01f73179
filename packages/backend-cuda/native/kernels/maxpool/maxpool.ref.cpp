// CPU twin of maxpool.
#include <cmath>

#include "maxpool.cuh"

namespace apb {

void maxpoolRef(float* out, const float* in, int64_t rows, int64_t channels, int kernel) {
  const int64_t r = (kernel - 1) / 2;
  for (int64_t t = 0; t < rows; t++) {
    const int64_t lo = t - r < 0 ? 0 : t - r;
    const int64_t hi = t + r >= rows ? rows - 1 : t + r;
    for (int64_t c = 0; c < channels; c++) {
      float m = -INFINITY;
      for (int64_t u = lo; u <= hi; u++) {
        if (in[u * channels + c] > m) m = in[u * channels + c];
      }
      out[t * channels + c] = m;
    }
  }
}

}  // namespace apb
