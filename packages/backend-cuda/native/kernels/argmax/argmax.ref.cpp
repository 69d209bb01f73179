// CPU twin of argmax.
#include <cmath>

#include "argmax.cuh"

namespace apb {

void argmaxRef(int32_t* out, const float* logits, int64_t rows, int64_t vocab) {
  for (int64_t r = 0; r < rows; r++) {
    int32_t best = 0;
    float bestV = -INFINITY;
    for (int64_t c = 0; c < vocab; c++) {
      if (logits[r * vocab + c] > bestV) {
        bestV = logits[r * vocab + c];
        best = static_cast<int32_t>(c);
      }
    }
    out[r] = best;
  }
}

}  // namespace apb
