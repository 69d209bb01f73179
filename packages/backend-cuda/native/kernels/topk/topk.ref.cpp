// CPU twin of topk: per channel, a stable sort by (score desc, row asc), the first k rows re-sorted ascending.
#include <algorithm>
#include <cmath>
#include <vector>

#include "topk.cuh"

namespace apb {

void topkRef(int32_t* idx, const float* scores, int64_t rows, int64_t channels, int64_t maskLen, int64_t k) {
  std::vector<int32_t> order(static_cast<size_t>(rows));
  std::vector<float> key(static_cast<size_t>(rows));
  for (int64_t c = 0; c < channels; c++) {
    for (int64_t t = 0; t < rows; t++) {
      const float s = scores[t * channels + c];
      key[static_cast<size_t>(t)] = (t < maskLen || std::isnan(s)) ? -INFINITY : s;
      order[static_cast<size_t>(t)] = static_cast<int32_t>(t);
    }
    std::stable_sort(order.begin(), order.end(), [&](int32_t x, int32_t y) { return key[static_cast<size_t>(x)] > key[static_cast<size_t>(y)]; });
    std::vector<int32_t> chosen(order.begin(), order.begin() + k);
    std::sort(chosen.begin(), chosen.end());
    for (int64_t r = 0; r < k; r++) idx[r * channels + c] = chosen[static_cast<size_t>(r)];
  }
}

}  // namespace apb
