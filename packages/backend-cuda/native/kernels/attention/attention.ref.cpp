// CPU twin of attention: for each (row, head) a dense softmax over the visible key prefix, float64 throughout.
#include <cmath>
#include <vector>

#include "attention.cuh"

namespace apb {

void attentionRef(float* out, float* lse, const float* q, const float* k, const float* v, const AttentionArgs& s) {
  const int64_t group = s.nq / s.nkv;
  const double scale = 1.0 / std::sqrt(static_cast<double>(s.dh));
  std::vector<double> scores(static_cast<size_t>(s.tk > 0 ? s.tk : 1));
  for (int64_t i = 0; i < s.tq; i++) {
    int64_t vis = i < s.anchorRows ? i + 1 : i + 1 + s.offset;
    if (vis > s.tk) vis = s.tk;
    for (int64_t h = 0; h < s.nq; h++) {
      const int64_t j = h / group;
      const float* qr = q + i * s.nq * s.dh + h * s.dh;
      float* o = out + i * s.nq * s.dh + h * s.dh;
      double m = -INFINITY;
      for (int64_t t = 0; t < vis; t++) {
        double dot = 0.0;
        for (int64_t d = 0; d < s.dh; d++) dot += static_cast<double>(qr[d]) * k[t * s.nkv * s.dh + j * s.dh + d];
        scores[static_cast<size_t>(t)] = dot * scale;
        if (dot * scale > m) m = dot * scale;
      }
      double sum = 0.0;
      for (int64_t t = 0; t < vis; t++) {
        scores[static_cast<size_t>(t)] = std::exp(scores[static_cast<size_t>(t)] - m);  // now the weight of key t
        sum += scores[static_cast<size_t>(t)];
      }
      for (int64_t d = 0; d < s.dh; d++) {
        double acc = 0.0;
        for (int64_t t = 0; t < vis; t++) acc += scores[static_cast<size_t>(t)] * v[t * s.nkv * s.dh + j * s.dh + d];
        o[d] = vis > 0 ? static_cast<float>(acc / sum) : 0.0f;
      }
      lse[i * s.nq + h] = vis > 0 ? static_cast<float>(m + std::log(sum)) : -INFINITY;
    }
  }
}

}  // namespace apb
