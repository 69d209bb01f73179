// CPU twin of gatherHeads.
#include "gather-heads.cuh"

namespace apb {

void gatherHeadsRef(float* out, const float* x, const int32_t* idx, int64_t rows, int64_t numSrcRows, int64_t nkv, int64_t dh) {
  for (int64_t r = 0; r < rows; r++) {
    for (int64_t j = 0; j < nkv; j++) {
      const int64_t src = idx[r * nkv + j];
      for (int64_t d = 0; d < dh; d++) {
        out[r * nkv * dh + j * dh + d] = (src >= 0 && src < numSrcRows) ? x[src * nkv * dh + j * dh + d] : 0.0f;
      }
    }
  }
}

}  // namespace apb
