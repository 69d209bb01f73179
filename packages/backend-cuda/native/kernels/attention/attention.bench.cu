// Attention benchmark (llm.c dev/cuda style): validates the kernel against its twin on small APB-masked cases in
// float32 and bfloat16, then times Llama-3-8B head shapes (32/8 heads, dh 128): causal 4K and one APB host with a
// 16K local block, a 4K anchor and 3 x 2K passing rows. Then the cuDNN route (bfloat16; libcudnn.so.9 from
// APB_CUDNN_PATH, files or folders ":"-separated, or the loader's search): validated on the small cases, timed
// against our kernel at causal 4K / 32K and the APB host. Decode (one query row, all keys visible): validated against
// the twin, then timed at 8K and 128K keys with the automatic key split and with it off (split = 1); memory-bound, so
// GB/s counts the K and V bytes read (tk x nkv x dh x 2 tensors x 2 bytes). One JSON line per case; exit 1 on a
// failed validation.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "../../common/bench-util.cuh"
#include "../../common/cudnn-loader.h"
#include "attention-cudnn.h"
#include "attention.cuh"

using namespace apb;

namespace {

struct Case {
  const char* name;
  int64_t tq, tk, anchorRows, offset;
};

int64_t visiblePairs(const Case& c) {
  int64_t total = 0;
  for (int64_t i = 0; i < c.tq; i++) {
    int64_t v = i < c.anchorRows ? i + 1 : i + 1 + c.offset;
    total += v < c.tk ? v : c.tk;
  }
  return total;
}

AttentionArgs argsFor(const Case& c, bool bf16, void* bufs[5]) {
  return AttentionArgs{bufs[0], static_cast<float*>(bufs[1]), bufs[2], bufs[3], bufs[4], c.tq, c.tk, 32, 8, 128, c.anchorRows, c.offset,
                       bf16 ? DType::BF16 : DType::F32};
}

/** Normal values without generating every one (a 1M-value block tiled): 128K-key K/V are 134M values each. */
std::vector<float> tiledNormals(size_t n, uint64_t seed) {
  const std::vector<float> block = bench::randomNormals(std::min<size_t>(n, size_t{1} << 20), seed, 1.0f);
  std::vector<float> out(n);
  for (size_t i = 0; i < n; i += block.size()) std::copy(block.begin(), block.begin() + static_cast<std::ptrdiff_t>(std::min(block.size(), n - i)), out.begin() + static_cast<std::ptrdiff_t>(i));
  return out;
}

bool validate(const Case& c, bool bf16) {
  const int64_t nq = 32, nkv = 8, dh = 128;
  std::vector<float> q = bench::randomNormals(c.tq * nq * dh, 1, 1.0f), k = bench::randomNormals(c.tk * nkv * dh, 2, 1.0f),
                     v = bench::randomNormals(c.tk * nkv * dh, 3, 1.0f);
  if (bf16) q = bench::roundedBf16(q), k = bench::roundedBf16(k), v = bench::roundedBf16(v);
  void* bufs[5] = {bench::upload(std::vector<float>(q.size(), NAN), bf16), bench::upload(std::vector<float>(c.tq * nq, NAN), false),
                   bench::upload(q, bf16), bench::upload(k, bf16), bench::upload(v, bf16)};
  const AttentionArgs a = argsFor(c, bf16, bufs);
  int64_t chunks = 1;
  const Status st = attentionLaunch(a, nullptr, &chunks);
  std::vector<float> wantOut(q.size()), wantLse(c.tq * nq);
  attentionRef(wantOut.data(), wantLse.data(), q.data(), k.data(), v.data(), a);
  const bool ran = st.ok() && bench::ok(cudaDeviceSynchronize(), "attention");
  const double eOut = ran ? bench::relL2(bench::download(bufs[0], q.size(), bf16), wantOut) : INFINITY;
  const double eLse = ran ? bench::relL2(bench::download(bufs[1], wantLse.size(), false), wantLse) : INFINITY;
  for (void* b : bufs) cudaFree(b);
  const bool pass = eOut <= (bf16 ? 4e-3 : 2e-5) && eLse <= 2e-5;
  std::printf("{\"validate\":\"%s\",\"dtype\":\"%s\",\"chunks\":%lld,\"relL2_out\":%.3e,\"relL2_lse\":%.3e,\"ok\":%s%s%s}\n", c.name, bf16 ? "bf16" : "f32",
              static_cast<long long>(chunks), eOut, eLse, pass ? "true" : "false", st.ok() ? "" : ",\"error\":\"", st.ok() ? "" : (st.message + "\"").c_str());
  return pass;
}

void timeCase(const Case& c, bool bf16) {
  const int64_t nq = 32, nkv = 8, dh = 128;
  void* bufs[5] = {bench::upload(std::vector<float>(c.tq * nq * dh, 0.0f), bf16), bench::upload(std::vector<float>(c.tq * nq, 0.0f), false),
                   bench::upload(bench::randomNormals(c.tq * nq * dh, 4, 1.0f), bf16), bench::upload(bench::randomNormals(c.tk * nkv * dh, 5, 1.0f), bf16),
                   bench::upload(bench::randomNormals(c.tk * nkv * dh, 6, 1.0f), bf16)};
  const AttentionArgs a = argsFor(c, bf16, bufs);
  const float ms = bench::medianMs([&] { attentionLaunch(a, nullptr); }, nullptr, 2, 5);
  const double flops = 4.0 * dh * nq * static_cast<double>(visiblePairs(c));
  std::printf("{\"bench\":\"attention %s\",\"dtype\":\"%s\",\"tq\":%lld,\"tk\":%lld,\"ms\":%.3f,\"tflops\":%.2f}\n", c.name, bf16 ? "bf16" : "f32",
              static_cast<long long>(c.tq), static_cast<long long>(c.tk), ms, flops / ms / 1e9);
  for (void* b : bufs) cudaFree(b);
}

/**
 * One decode row over c.tk keys (bf16): the automatic choice (the decode kernel), the split-K kernel (APB_ATTN_DECODE=0)
 * and the unsplit kernel (split off): ms and GB/s of K/V read.
 */
void timeDecode(const Case& c) {
  const int64_t nq = 32, nkv = 8, dh = 128;
  void* bufs[5] = {bench::upload(std::vector<float>(c.tq * nq * dh, 0.0f), true), bench::upload(std::vector<float>(c.tq * nq, 0.0f), false),
                   bench::upload(bench::randomNormals(c.tq * nq * dh, 4, 1.0f), true), bench::upload(tiledNormals(c.tk * nkv * dh, 5), true),
                   bench::upload(tiledNormals(c.tk * nkv * dh, 6), true)};
  const double kvBytes = static_cast<double>(c.tk) * nkv * dh * 2 * 2;
  for (int variant = 0; variant < 3; variant++) {
    AttentionArgs a = argsFor(c, true, bufs);
    a.split = variant == 2 ? 1 : 0;
    setenv("APB_ATTN_DECODE", variant == 1 ? "0" : "1", 1);
    int64_t chunks = 1;
    bool decode = false;
    Status st;
    const float ms = bench::medianMs([&] { st = attentionLaunch(a, nullptr, &chunks, &decode); }, nullptr, 2, 5);
    std::printf("{\"bench\":\"attention %s\",\"split\":\"%s\",\"kernel\":\"%s\",\"chunks\":%lld,\"dtype\":\"bf16\",\"tq\":%lld,\"tk\":%lld,\"ms\":%.4f,\"kv_gbps\":%.1f,\"status\":\"%s\"}\n",
                c.name, variant == 2 ? "off" : "auto", decode ? "decode" : chunks > 1 ? "split-K" : "tiled", static_cast<long long>(chunks),
                static_cast<long long>(c.tq), static_cast<long long>(c.tk), ms, kvBytes / ms / 1e6, st.ok() ? "ok" : st.message.c_str());
  }
  unsetenv("APB_ATTN_DECODE");
  for (void* b : bufs) cudaFree(b);
}

/** libcudnn.so.9 candidates: APB_CUDNN_PATH entries (a .so file or a folder), then the soname. */
std::vector<std::string> cudnnCandidates() {
  std::vector<std::string> out;
  const char* env = std::getenv("APB_CUDNN_PATH");
  std::string list = env == nullptr ? "" : env;
  size_t start = 0;
  while (start <= list.size() && !list.empty()) {
    const size_t end = list.find(':', start);
    const std::string entry = list.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!entry.empty()) out.push_back(entry.find(".so") != std::string::npos ? entry : entry + "/libcudnn.so.9");
    if (end == std::string::npos) break;
    start = end + 1;
  }
  out.push_back("libcudnn.so.9");
  return out;
}

/** The cuDNN route on one small case vs the twin (bf16): out within 1e-2, LSE within 1e-4; prints the route that ran. */
bool validateCudnn(Context& ctx, const Case& c) {
  const int64_t nq = 32, nkv = 8, dh = 128;
  std::vector<float> q = bench::roundedBf16(bench::randomNormals(c.tq * nq * dh, 11, 1.0f));
  std::vector<float> k = bench::roundedBf16(bench::randomNormals(c.tk * nkv * dh, 12, 1.0f));
  std::vector<float> v = bench::roundedBf16(bench::randomNormals(c.tk * nkv * dh, 13, 1.0f));
  void* bufs[5] = {bench::upload(std::vector<float>(q.size(), NAN), true), bench::upload(std::vector<float>(c.tq * nq, NAN), false),
                   bench::upload(q, true), bench::upload(k, true), bench::upload(v, true)};
  const AttentionArgs a = argsFor(c, true, bufs);
  std::string ran;
  const Status st = attentionRouted(a, ctx, AttentionRoute::Cudnn, &ran);
  std::vector<float> wantOut(q.size()), wantLse(c.tq * nq);
  attentionRef(wantOut.data(), wantLse.data(), q.data(), k.data(), v.data(), a);
  const bool done = st.ok() && bench::ok(cudaStreamSynchronize(ctx.stream()), "attention cudnn");
  const double eOut = done ? bench::relL2(bench::download(bufs[0], q.size(), true), wantOut) : INFINITY;
  const double eLse = done ? bench::relL2(bench::download(bufs[1], wantLse.size(), false), wantLse) : INFINITY;
  for (void* b : bufs) cudaFree(b);
  const bool pass = eOut <= 1e-2 && eLse <= 1e-4;
  std::printf("{\"validate\":\"%s\",\"route\":\"%s\",\"dtype\":\"bf16\",\"relL2_out\":%.3e,\"relL2_lse\":%.3e,\"ok\":%s,\"status\":\"%s %s %s\"}\n",
              c.name, ran.c_str(), eOut, eLse, pass ? "true" : "false", st.name.c_str(), st.message.c_str(), st.where.c_str());
  return pass;
}

/** Times one case on a route (bf16) on the context's stream. */
void timeRoute(Context& ctx, const Case& c, AttentionRoute route) {
  const int64_t nq = 32, nkv = 8, dh = 128;
  void* bufs[5] = {bench::upload(std::vector<float>(c.tq * nq * dh, 0.0f), true), bench::upload(std::vector<float>(c.tq * nq, 0.0f), false),
                   bench::upload(bench::randomNormals(c.tq * nq * dh, 4, 1.0f), true), bench::upload(bench::randomNormals(c.tk * nkv * dh, 5, 1.0f), true),
                   bench::upload(bench::randomNormals(c.tk * nkv * dh, 6, 1.0f), true)};
  const AttentionArgs a = argsFor(c, true, bufs);
  std::string ran;
  Status st;
  const float ms = bench::medianMs([&] { st = attentionRouted(a, ctx, route, &ran); }, ctx.stream(), 2, 5);
  const double flops = 4.0 * dh * nq * static_cast<double>(visiblePairs(c));
  std::printf("{\"bench\":\"attention %s\",\"route\":\"%s\",\"dtype\":\"bf16\",\"tq\":%lld,\"tk\":%lld,\"ms\":%.3f,\"tflops\":%.2f,\"status\":\"%s\"}\n", c.name,
              ran.c_str(), static_cast<long long>(c.tq), static_cast<long long>(c.tk), ms, flops / ms / 1e9, st.ok() ? "ok" : st.message.c_str());
  for (void* b : bufs) cudaFree(b);
}

/** The cuDNN section: load, validate on the small cases, then time cuDNN vs our kernel. False on a failed validation. */
bool cudnnSection(const Case* small, size_t numSmall) {
  const CudnnLoadResult load = loadCudnn(cudnnCandidates());
  std::string errs;
  for (const std::string& e : load.errors) errs += (errs.empty() ? "" : "; ") + e;
  std::printf("{\"cudnn\":%s,\"path\":\"%s\",\"version\":%zu,\"nvrtc\":\"%s\",\"errors\":\"%s\"}\n", load.loaded ? "true" : "false",
              load.path.c_str(), load.version, load.nvrtc.c_str(), errs.c_str());
  std::shared_ptr<Context> ctx;
  const Status st = Context::create(0, size_t{64} << 20, GemmMode::Tiled, &ctx);
  if (!st.ok()) {
    std::printf("{\"cudnn_context\":\"%s\"}\n", st.message.c_str());
    return false;
  }
  bool pass = true;
  for (size_t i = 0; i < numSmall; i++) pass = validateCudnn(*ctx, small[i]) && pass;
  if (!pass) return false;
  const Case timed[] = {{"causal 4K", 4096, 4096, 0, 0}, {"causal 32K", 32768, 32768, 0, 0}, {"apb 16K host", 4096 + 16384, 4096 + 6144 + 16384, 4096, 6144}};
  for (const Case& c : timed) {
    timeRoute(*ctx, c, AttentionRoute::Cudnn);
    timeRoute(*ctx, c, AttentionRoute::Kernel);
  }
  return true;
}

}  // namespace

int main() {
  // Keep freed blocks in the default pool (as Context::create does), so the split's stream-ordered scratch is cheap.
  cudaMemPool_t pool = nullptr;
  uint64_t keep = UINT64_MAX;
  if (cudaDeviceGetDefaultMemPool(&pool, 0) == cudaSuccess) cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &keep);
  const Case small[] = {{"causal", 200, 200, 0, 0},         {"apb", 64 + 150, 64 + 96 + 150, 64, 96}, {"query", 7, 300, 0, 293},
                        {"decode 1 x 5000", 1, 5000, 0, 4999}, {"decode causal-offset 1 x 2000/5000", 1, 5000, 0, 1999}};
  const Case large[] = {{"causal 4K", 4096, 4096, 0, 0}, {"apb 16K host", 4096 + 16384, 4096 + 6144 + 16384, 4096, 6144}};
  bool pass = true;
  for (bool bf16 : {false, true}) {
    for (const Case& c : small) pass = validate(c, bf16) && pass;
  }
  if (!pass) return 1;  // never time a kernel that failed validation
  // APB_BENCH_ONLY=decode: only the decode timings (a short GPU call).
  const char* only = std::getenv("APB_BENCH_ONLY");
  const bool decodeOnly = only != nullptr && std::strcmp(only, "decode") == 0;
  if (!decodeOnly) {
    for (bool bf16 : {false, true}) {
      for (const Case& c : large) timeCase(c, bf16);
    }
  }
  const Case decode[] = {{"decode 1 x 8K", 1, 8192, 0, 8191}, {"decode 1 x 32K", 1, 32768, 0, 32767}, {"decode 1 x 128K", 1, 131072, 0, 131071}};
  for (const Case& c : decode) timeDecode(c);
  if (decodeOnly) return 0;
  const Case cudnnSmall[] = {{"causal", 200, 200, 0, 0}, {"apb", 64 + 150, 64 + 96 + 150, 64, 96}, {"query", 7, 300, 0, 293}, {"unmasked", 7, 300, 0, 300}};
  return cudnnSection(cudnnSmall, sizeof(cudnnSmall) / sizeof(cudnnSmall[0])) ? 0 : 1;
}
