// Helpers of the kernel benchmarks (<op>.bench.cu, never linked into the addon; STYLE.md G12): checked calls that
// print and return false, seeded random data, relative L2 error, and event timing after warm-up with an L2 flush
// between repetitions, reporting the median.
#pragma once

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

namespace apb::bench {

inline bool ok(cudaError_t e, const char* what) {
  if (e == cudaSuccess) return true;
  std::fprintf(stderr, "%s: %s (%s)\n", what, cudaGetErrorString(e), cudaGetErrorName(e));
  return false;
}

/** Normal(0, scale) values from a fixed seed (xorshift64* and Box-Muller). */
inline std::vector<float> randomNormals(size_t n, uint64_t seed, float scale) {
  std::vector<float> v(n);
  uint64_t s = seed * 0x9E3779B97F4A7C15ULL + 1;
  auto next = [&s]() {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return static_cast<double>((s * 0x2545F4914F6CDD1DULL) >> 11) / 9007199254740992.0;
  };
  for (size_t i = 0; i < n; i++) {
    const double u = std::max(next(), 1e-12);
    v[i] = static_cast<float>(std::sqrt(-2.0 * std::log(u)) * std::cos(6.283185307179586 * next())) * scale;
  }
  return v;
}

/** Values rounded through bfloat16 (what a bf16 device buffer holds). */
inline std::vector<float> roundedBf16(const std::vector<float>& x) {
  std::vector<float> out(x.size());
  for (size_t i = 0; i < x.size(); i++) out[i] = __bfloat162float(__float2bfloat16_rn(x[i]));
  return out;
}

/** A device copy of `x` stored as float32 (bf16 = false) or bfloat16. */
inline void* upload(const std::vector<float>& x, bool bf16) {
  void* d = nullptr;
  if (!bf16) {
    if (!ok(cudaMalloc(&d, x.size() * 4), "cudaMalloc") || !ok(cudaMemcpy(d, x.data(), x.size() * 4, cudaMemcpyHostToDevice), "upload")) return nullptr;
    return d;
  }
  std::vector<__nv_bfloat16> h(x.size());
  for (size_t i = 0; i < x.size(); i++) h[i] = __float2bfloat16_rn(x[i]);
  if (!ok(cudaMalloc(&d, h.size() * 2), "cudaMalloc") || !ok(cudaMemcpy(d, h.data(), h.size() * 2, cudaMemcpyHostToDevice), "upload")) return nullptr;
  return d;
}

/** Device data (float32 or bfloat16) back as float32. */
inline std::vector<float> download(const void* d, size_t n, bool bf16) {
  std::vector<float> out(n);
  if (!bf16) {
    ok(cudaMemcpy(out.data(), d, n * 4, cudaMemcpyDeviceToHost), "download");
    return out;
  }
  std::vector<__nv_bfloat16> h(n);
  ok(cudaMemcpy(h.data(), d, n * 2, cudaMemcpyDeviceToHost), "download");
  for (size_t i = 0; i < n; i++) out[i] = __bfloat162float(h[i]);
  return out;
}

/** ‖a − b‖ / ‖b‖; NaN anywhere gives +inf. */
inline double relL2(const std::vector<float>& a, const std::vector<float>& b) {
  double d2 = 0, r2 = 0;
  for (size_t i = 0; i < b.size(); i++) {
    if (std::isnan(a[i]) || std::isnan(b[i])) return INFINITY;
    if (std::isinf(b[i]) && a[i] == b[i]) continue;
    d2 += (static_cast<double>(a[i]) - b[i]) * (static_cast<double>(a[i]) - b[i]);
    r2 += static_cast<double>(b[i]) * b[i];
  }
  return r2 > 0 ? std::sqrt(d2 / r2) : std::sqrt(d2);
}

/** Rewrites a buffer twice the L2 size so every timed repetition starts cold. */
class L2Flusher {
 public:
  L2Flusher() {
    int dev = 0;
    int l2 = 0;
    cudaGetDevice(&dev);
    cudaDeviceGetAttribute(&l2, cudaDevAttrL2CacheSize, dev);
    bytes_ = static_cast<size_t>(std::max(l2, 1 << 20)) * 2;
    if (cudaMalloc(&buf_, bytes_) != cudaSuccess) buf_ = nullptr;
  }
  ~L2Flusher() { cudaFree(buf_); }
  void flush(cudaStream_t s) {
    if (buf_ != nullptr) cudaMemsetAsync(buf_, ++tick_, bytes_, s);
  }

 private:
  void* buf_ = nullptr;
  size_t bytes_ = 0;
  int tick_ = 0;
};

/** Median milliseconds of `reps` launches after `warmup`, each after an L2 flush, timed with events. */
template <typename F>
float medianMs(F&& launch, cudaStream_t s, int warmup, int reps) {
  L2Flusher flusher;
  for (int i = 0; i < warmup; i++) launch();
  cudaEvent_t a, b;
  cudaEventCreate(&a);
  cudaEventCreate(&b);
  std::vector<float> times;
  for (int r = 0; r < reps; r++) {
    flusher.flush(s);
    cudaEventRecord(a, s);
    launch();
    cudaEventRecord(b, s);
    cudaEventSynchronize(b);
    float ms = 0;
    cudaEventElapsedTime(&ms, a, b);
    times.push_back(ms);
  }
  cudaEventDestroy(a);
  cudaEventDestroy(b);
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace apb::bench
