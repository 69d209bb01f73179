// The cuBLASLt path of gemm: row-major y[m,n] = x[m,k]·w[n,k]ᵀ is column-major D(n×m) = op(A)·op(B) with A = w (k×n,
// transposed) and B = x (k×m): the "TN" case. float32 compute and scale; algorithms cached per shape and dtypes.
#include <cstring>

#include "../../common/cublaslt-loader.h"
#include "../../common/launch.cuh"
#include "gemm.cuh"

namespace apb {

namespace {

constexpr size_t kMaxCachedAlgos = 1024;

#define APB_LT_TRY(call)                                                          \
  do {                                                                            \
    const lt::LtStatus apbLt_ = (call);                                           \
    if (apbLt_ != lt::kSuccess) return cublasFailure(apbLt_, #call, __FILE__, __LINE__).inOp("gemm"); \
  } while (0)

cudaDataType_t ltType(DType dt) { return dt == DType::BF16 ? CUDA_R_16BF : CUDA_R_32F; }

/** Owns the descriptors of one call. */
struct Descriptors {
  const lt::Api* api;
  lt::MatmulDesc desc = nullptr;
  lt::MatrixLayout a = nullptr;
  lt::MatrixLayout b = nullptr;
  lt::MatrixLayout d = nullptr;
  lt::MatmulPreference pref = nullptr;
  explicit Descriptors(const lt::Api* api_) : api(api_) {}
  ~Descriptors() {
    if (pref != nullptr) api->matmulPreferenceDestroy(pref);
    if (d != nullptr) api->matrixLayoutDestroy(d);
    if (b != nullptr) api->matrixLayoutDestroy(b);
    if (a != nullptr) api->matrixLayoutDestroy(a);
    if (desc != nullptr) api->matmulDescDestroy(desc);
  }
};

Status describe(const GemmArgs& g, Descriptors* ds) {
  const lt::Api* api = ds->api;
  APB_LT_TRY(api->matmulDescCreate(&ds->desc, lt::kCompute32F, CUDA_R_32F));
  const int32_t transA = lt::kOpT;
  const int32_t transB = lt::kOpN;
  APB_LT_TRY(api->matmulDescSetAttribute(ds->desc, lt::kDescTransA, &transA, sizeof(transA)));
  APB_LT_TRY(api->matmulDescSetAttribute(ds->desc, lt::kDescTransB, &transB, sizeof(transB)));
  APB_LT_TRY(api->matrixLayoutCreate(&ds->a, ltType(g.inType), static_cast<uint64_t>(g.k), static_cast<uint64_t>(g.n), g.k));
  APB_LT_TRY(api->matrixLayoutCreate(&ds->b, ltType(g.inType), static_cast<uint64_t>(g.k), static_cast<uint64_t>(g.m), g.k));
  APB_LT_TRY(api->matrixLayoutCreate(&ds->d, ltType(g.outType), static_cast<uint64_t>(g.n), static_cast<uint64_t>(g.m), g.n));
  return okStatus();
}

/** Finds (or recalls) an algorithm; *found = false when the heuristic offers none. */
Status chooseAlgo(const GemmArgs& g, Context& ctx, Descriptors* ds, lt::MatmulAlgo* algo, bool* found) {
  const GemmKey key{g.m, g.n, g.k, static_cast<int64_t>(g.inType), static_cast<int64_t>(g.outType)};
  auto& cache = ctx.gemmAlgos();
  auto it = cache.find(key);
  if (it != cache.end()) {
    *algo = it->second;
    *found = true;
    return okStatus();
  }
  const lt::Api* api = ds->api;
  APB_LT_TRY(api->matmulPreferenceCreate(&ds->pref));
  const uint64_t maxWorkspace = ctx.workspaceBytes();
  APB_LT_TRY(api->matmulPreferenceSetAttribute(ds->pref, lt::kPrefMaxWorkspaceBytes, &maxWorkspace, sizeof(maxWorkspace)));
  // room for one result even if the library's struct were larger than the documented one
  alignas(16) unsigned char storage[1024];
  std::memset(storage, 0, sizeof(storage));
  auto* results = reinterpret_cast<lt::MatmulHeuristicResult*>(storage);
  int returned = 0;
  const lt::LtStatus st = api->matmulAlgoGetHeuristic(ctx.ltHandle(), ds->desc, ds->a, ds->b, ds->d, ds->d, ds->pref, 1, results, &returned);
  if (st == 15 /* CUBLAS_STATUS_NOT_SUPPORTED */ || (st == lt::kSuccess && returned == 0)) {
    *found = false;
    return okStatus();
  }
  if (st != lt::kSuccess) return cublasFailure(st, "cublasLtMatmulAlgoGetHeuristic", __FILE__, __LINE__).inOp("gemm");
  *algo = results[0].algo;
  *found = true;
  if (cache.size() >= kMaxCachedAlgos) cache.clear();
  cache.emplace(key, *algo);
  return okStatus();
}

}  // namespace

Status gemmCublasLtLaunch(const GemmArgs& a, Context& ctx, bool* unsupported) {
  NvtxRange range("gemm.cublaslt");
  *unsupported = false;
  const lt::Api* api = cublasLtApi();
  if (api == nullptr || ctx.ltHandle() == nullptr) return notLoaded("gemm", "cuBLASLt is not loaded");
  APB_REQUIRE(a.m <= 2147483647LL && a.n <= 2147483647LL && a.k <= 2147483647LL, "gemm", "dimension too large for cuBLASLt");
  Descriptors ds(api);
  APB_TRY(describe(a, &ds));
  lt::MatmulAlgo algo{};
  bool found = false;
  APB_TRY(chooseAlgo(a, ctx, &ds, &algo, &found));
  if (!found) {
    *unsupported = true;
    return okStatus();
  }
  const float alpha = 1.0f;
  const float beta = 0.0f;
  APB_LT_TRY(api->matmul(ctx.ltHandle(), ds.desc, &alpha, a.w, ds.a, a.x, ds.b, &beta, a.y, ds.d, a.y, ds.d, &algo, ctx.workspace(),
                         ctx.workspaceBytes(), ctx.stream()));
  return checkLaunch("gemm");
}

}  // namespace apb
