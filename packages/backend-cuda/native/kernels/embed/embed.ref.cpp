// CPU twin of embed: row copies.
#include "embed.cuh"

namespace apb {

void embedRef(float* out, const float* table, const int32_t* ids, int64_t rows, int64_t dim, int64_t vocab) {
  for (int64_t t = 0; t < rows; t++) {
    const int64_t id = ids[t];
    for (int64_t i = 0; i < dim; i++) out[t * dim + i] = (id >= 0 && id < vocab) ? table[id * dim + i] : 0.0f;
  }
}

}  // namespace apb
