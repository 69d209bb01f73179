// GEMM benchmark: validates both paths (tiled kernel, cuBLASLt) against the twin in float32 and bfloat16, then times
// 8192x4096x4096 (a Llama-8B projection over 8K tokens) and 8192x14336x4096 (gate/up) on each. cuBLASLt comes from
// APB_CUBLAS_PATH (a file) or the usual sonames. Prints JSON lines; exit 1 on a failed validation.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "../../common/bench-util.cuh"
#include "../../common/cublaslt-loader.h"
#include "gemm.cuh"

using namespace apb;

namespace {

bool validate(Context& ctx, bool bf16, const char* mode) {
  const int64_t m = 133, n = 260, k = 520;
  std::vector<float> x = bench::randomNormals(m * k, 7, 1.0f), w = bench::randomNormals(n * k, 8, 0.05f);
  if (bf16) x = bench::roundedBf16(x), w = bench::roundedBf16(w);
  void* dx = bench::upload(x, bf16);
  void* dw = bench::upload(w, bf16);
  void* dy = bench::upload(std::vector<float>(m * n, NAN), false);
  GemmPath used = GemmPath::Tiled;
  const Status st = gemmLaunch(GemmArgs{dy, DType::F32, dx, dw, m, n, k, bf16 ? DType::BF16 : DType::F32}, ctx, &used);
  std::vector<float> want(m * n);
  gemmRef(want.data(), x.data(), w.data(), m, n, k);
  const bool ran = st.ok() && bench::ok(cudaStreamSynchronize(ctx.stream()), "gemm");
  const double e = ran ? bench::relL2(bench::download(dy, m * n, false), want) : INFINITY;
  cudaFree(dx), cudaFree(dw), cudaFree(dy);
  const bool pass = e <= 2e-5;
  std::printf("{\"validate\":\"gemm %s\",\"path\":\"%s\",\"dtype\":\"%s\",\"relL2\":%.3e,\"ok\":%s}\n", mode, used == GemmPath::CublasLt ? "cublaslt" : "tiled",
              bf16 ? "bf16" : "f32", e, pass ? "true" : "false");
  if (!st.ok()) std::fprintf(stderr, "gemm: %s %s\n", st.name.c_str(), st.message.c_str());
  return pass;
}

void timeGemm(Context& ctx, bool bf16, int64_t m, int64_t n, int64_t k) {
  void* dx = bench::upload(bench::randomNormals(m * k, 9, 1.0f), bf16);
  void* dw = bench::upload(bench::randomNormals(n * k, 10, 0.02f), bf16);
  void* dy = bench::upload(std::vector<float>(m * n, 0.0f), bf16);
  GemmPath used = GemmPath::Tiled;
  const GemmArgs a{dy, bf16 ? DType::BF16 : DType::F32, dx, dw, m, n, k, bf16 ? DType::BF16 : DType::F32};
  const float ms = bench::medianMs([&] { gemmLaunch(a, ctx, &used); }, ctx.stream(), 2, 5);
  std::printf("{\"bench\":\"gemm\",\"path\":\"%s\",\"dtype\":\"%s\",\"m\":%lld,\"n\":%lld,\"k\":%lld,\"ms\":%.3f,\"tflops\":%.2f}\n",
              used == GemmPath::CublasLt ? "cublaslt" : "tiled", bf16 ? "bf16" : "f32", static_cast<long long>(m), static_cast<long long>(n),
              static_cast<long long>(k), ms, 2.0 * m * n * k / ms / 1e9);
  cudaFree(dx), cudaFree(dw), cudaFree(dy);
}

}  // namespace

int main() {
  std::vector<std::string> candidates;
  if (const char* p = std::getenv("APB_CUBLAS_PATH")) candidates.push_back(p);
  for (const char* s : {"libcublasLt.so.13", "libcublasLt.so.12", "/usr/local/cuda/lib64/libcublasLt.so.13"}) candidates.push_back(s);
  const CublasLtLoadResult lt = loadCublasLt(candidates);
  std::printf("{\"cublasLt\":\"%s\",\"version\":%zu}\n", lt.loaded ? lt.path.c_str() : "not loaded", lt.version);
  bool pass = true;
  std::shared_ptr<Context> tiled, lib;
  if (!Context::create(0, 0, GemmMode::Tiled, &tiled).ok()) return 1;
  if (lt.loaded && !Context::create(0, 32 << 20, GemmMode::CublasLt, &lib).ok()) return 1;
  for (bool bf16 : {false, true}) {
    pass = validate(*tiled, bf16, "tiled") && pass;
    if (lib) pass = validate(*lib, bf16, "cublaslt") && pass;
  }
  if (!pass) return 1;
  for (bool bf16 : {false, true}) {
    for (Context* c : {tiled.get(), lib.get()}) {
      if (c == nullptr) continue;
      timeGemm(*c, bf16, 8192, 4096, 4096);
      timeGemm(*c, bf16, 8192, 14336, 4096);
    }
  }
  return 0;
}
