// The CPU twins (<op>.ref.cpp) exposed on `ref`: host typed arrays in and out, same fields as the device ops, so a
// check can run kernel and twin on the same inputs (and CI can test the twins against core's TypeScript reference).
#include "../kernels/add/add.cuh"
#include "../kernels/argmax/argmax.cuh"
#include "../kernels/attention/attention.cuh"
#include "../kernels/convert/convert.cuh"
#include "../kernels/embed/embed.cuh"
#include "../kernels/gather-heads/gather-heads.cuh"
#include "../kernels/gemm/gemm.cuh"
#include "../kernels/lse-merge/lse-merge.cuh"
#include "../kernels/maxpool/maxpool.cuh"
#include "../kernels/query-scores/query-scores.cuh"
#include "../kernels/rmsnorm/rmsnorm.cuh"
#include "../kernels/rope/rope.cuh"
#include "../kernels/swiglu/swiglu.cuh"
#include "../kernels/topk/topk.cuh"
#include "bindings.h"

namespace apb::js {

namespace {

/** Runs `body` when every field read so far was valid and `extra` holds; throws InvalidArgument otherwise. */
template <typename F>
napi_value runTwin(napi_env env, const Status& st, const char* op, bool extra, const char* why, F&& body) {
  if (!st.ok()) return throwStatus(env, st);
  if (!extra) return throwStatus(env, invalidArgument(op, why));
  body();
  return undefinedValue(env);
}

#define APB_TWIN_BEGIN(opName)     \
  Args args(env, info, opName);    \
  Status st;                       \
  Fields f(env, args.at(0), opName, &st)

napi_value CastRef(napi_env env, napi_callback_info info) {
  APB_TWIN_BEGIN("ref.cast");
  const int64_t n = f.i64("count");
  const DType through = f.dtype("through");
  float* out = f.hostF32("out", n);
  const float* in = f.hostF32("in", n);
  return runTwin(env, st, "ref.cast", n >= 0, "bad count", [&] { castRef(out, in, n, through); });
}

napi_value EmbedRef(napi_env env, napi_callback_info info) {
  APB_TWIN_BEGIN("ref.embed");
  const int64_t rows = f.i64("rows"), dim = f.i64("dim"), vocab = f.i64("vocab");
  const bool sizes = rows >= 0 && dim > 0 && vocab > 0;
  float* out = f.hostF32("out", sizes ? rows * dim : 0);
  const float* table = f.hostF32("table", sizes ? vocab * dim : 0);
  const int32_t* ids = f.hostI32("ids", sizes ? rows : 0);
  return runTwin(env, st, "ref.embed", sizes, "bad sizes", [&] { embedRef(out, table, ids, rows, dim, vocab); });
}

napi_value RmsNormRef(napi_env env, napi_callback_info info) {
  APB_TWIN_BEGIN("ref.rmsnorm");
  const int64_t rows = f.i64("rows"), dim = f.i64("dim");
  const float eps = static_cast<float>(f.f64("eps"));
  const bool sizes = rows >= 0 && dim > 0;
  float* out = f.hostF32("out", sizes ? rows * dim : 0);
  const float* x = f.hostF32("x", sizes ? rows * dim : 0);
  const float* w = f.hostF32("weight", sizes ? dim : 0);
  return runTwin(env, st, "ref.rmsnorm", sizes, "bad sizes", [&] { rmsnormRef(out, x, w, rows, dim, eps); });
}

napi_value GemmRef(napi_env env, napi_callback_info info) {
  APB_TWIN_BEGIN("ref.gemm");
  const int64_t m = f.i64("m"), n = f.i64("n"), k = f.i64("k");
  const bool sizes = m >= 0 && n > 0 && k > 0;
  float* y = f.hostF32("y", sizes ? m * n : 0);
  const float* x = f.hostF32("x", sizes ? m * k : 0);
  const float* w = f.hostF32("w", sizes ? n * k : 0);
  return runTwin(env, st, "ref.gemm", sizes, "bad sizes", [&] { gemmRef(y, x, w, m, n, k); });
}

napi_value RopeRef(napi_env env, napi_callback_info info) {
  APB_TWIN_BEGIN("ref.rope");
  const int64_t rows = f.i64("rows"), heads = f.i64("heads"), dh = f.i64("dh"), stride = f.i64("inStride"), col = f.i64("inCol");
  const bool sizes = rows >= 0 && heads > 0 && dh > 0 && dh % 2 == 0 && col >= 0 && stride >= col + heads * dh;
  float* out = f.hostF32("out", sizes ? rows * heads * dh : 0);
  const float* in = f.hostF32("in", sizes && rows > 0 ? (rows - 1) * stride + col + heads * dh : 0);
  const int32_t* pos = f.hostI32("positions", sizes ? rows : 0);
  const double* inv = f.hostF64("invFreq", sizes ? dh / 2 : 0);
  return runTwin(env, st, "ref.rope", sizes, "bad sizes", [&] { ropeRef(out, in, stride, col, pos, inv, rows, heads, dh); });
}

napi_value SwigluRef(napi_env env, napi_callback_info info) {
  APB_TWIN_BEGIN("ref.swiglu");
  const int64_t rows = f.i64("rows"), inter = f.i64("inter");
  const bool sizes = rows >= 0 && inter > 0;
  float* out = f.hostF32("out", sizes ? rows * inter : 0);
  const float* gu = f.hostF32("gateUp", sizes ? rows * 2 * inter : 0);
  return runTwin(env, st, "ref.swiglu", sizes, "bad sizes", [&] { swigluRef(out, gu, rows, inter); });
}

napi_value SiluRef(napi_env env, napi_callback_info info) {
  APB_TWIN_BEGIN("ref.silu");
  const int64_t n = f.i64("count");
  float* x = f.hostF32("x", n >= 0 ? n : 0);
  return runTwin(env, st, "ref.silu", n >= 0, "bad count", [&] { siluRef(x, n); });
}

napi_value AddRef(napi_env env, napi_callback_info info) {
  APB_TWIN_BEGIN("ref.add");
  const int64_t n = f.i64("count");
  const int64_t need = n >= 0 ? n : 0;
  float* out = f.hostF32("out", need);
  const float* a = f.hostF32("a", need);
  const float* b = f.hostF32("b", need);
  return runTwin(env, st, "ref.add", n >= 0, "bad count", [&] { addRef(out, a, b, n); });
}

napi_value BiasAddRef(napi_env env, napi_callback_info info) {
  APB_TWIN_BEGIN("ref.biasAdd");
  const int64_t rows = f.i64("rows"), cols = f.i64("cols");
  const bool sizes = rows >= 0 && cols > 0;
  float* x = f.hostF32("x", sizes ? rows * cols : 0);
  const float* bias = f.hostF32("bias", sizes ? cols : 0);
  return runTwin(env, st, "ref.biasAdd", sizes, "bad sizes", [&] { biasAddRef(x, bias, rows, cols); });
}

napi_value MaxPoolRef(napi_env env, napi_callback_info info) {
  APB_TWIN_BEGIN("ref.maxpool");
  const int64_t rows = f.i64("rows"), channels = f.i64("channels"), kernel = f.i64("kernel");
  const bool sizes = rows >= 0 && channels > 0 && kernel > 0 && kernel % 2 == 1;
  float* out = f.hostF32("out", sizes ? rows * channels : 0);
  const float* in = f.hostF32("in", sizes ? rows * channels : 0);
  return runTwin(env, st, "ref.maxpool", sizes, "bad sizes or even kernel", [&] { maxpoolRef(out, in, rows, channels, static_cast<int>(kernel)); });
}

napi_value TopKRef(napi_env env, napi_callback_info info) {
  APB_TWIN_BEGIN("ref.topk");
  const int64_t rows = f.i64("rows"), channels = f.i64("channels"), maskLen = f.i64("maskLen"), k = f.i64("k");
  const bool sizes = rows >= 0 && channels > 0 && maskLen >= 0 && k >= 0 && k <= rows;
  int32_t* idx = f.hostI32("idx", sizes ? k * channels : 0);
  const float* scores = f.hostF32("scores", sizes ? rows * channels : 0);
  return runTwin(env, st, "ref.topk", sizes, "bad sizes (k must be <= rows)", [&] { topkRef(idx, scores, rows, channels, maskLen, k); });
}

napi_value GatherHeadsRef(napi_env env, napi_callback_info info) {
  APB_TWIN_BEGIN("ref.gatherHeads");
  const int64_t rows = f.i64("rows"), srcRows = f.i64("srcRows"), nkv = f.i64("nkv"), dh = f.i64("dh");
  const bool sizes = rows >= 0 && srcRows >= 0 && nkv > 0 && dh > 0;
  float* out = f.hostF32("out", sizes ? rows * nkv * dh : 0);
  const float* x = f.hostF32("x", sizes ? srcRows * nkv * dh : 0);
  const int32_t* idx = f.hostI32("idx", sizes ? rows * nkv : 0);
  return runTwin(env, st, "ref.gatherHeads", sizes, "bad sizes", [&] { gatherHeadsRef(out, x, idx, rows, srcRows, nkv, dh); });
}

napi_value QueryScoresRef(napi_env env, napi_callback_info info) {
  APB_TWIN_BEGIN("ref.queryScores");
  const int64_t probes = f.i64("probes"), rows = f.i64("rows"), nq = f.i64("nq"), nkv = f.i64("nkv"), dh = f.i64("dh");
  const bool sizes = probes > 0 && rows >= 0 && nkv > 0 && dh > 0 && nq > 0 && nq % nkv == 0;
  float* out = f.hostF32("out", sizes ? rows * nkv : 0);
  const float* q = f.hostF32("q", sizes ? probes * nq * dh : 0);
  const float* k = f.hostF32("k", sizes ? rows * nkv * dh : 0);
  return runTwin(env, st, "ref.queryScores", sizes, "bad sizes", [&] { queryScoresRef(out, q, k, probes, rows, nq, nkv, dh); });
}

napi_value AttentionRef(napi_env env, napi_callback_info info) {
  APB_TWIN_BEGIN("ref.attention");
  AttentionArgs s{};
  s.tq = f.i64("tq");
  s.tk = f.i64("tk");
  s.nq = f.i64("nq");
  s.nkv = f.i64("nkv");
  s.dh = f.i64("dh");
  s.anchorRows = f.i64("anchorRows");
  s.offset = f.i64("offset");
  const bool sizes = s.tq >= 0 && s.tk >= 0 && s.nq > 0 && s.nkv > 0 && s.nq % s.nkv == 0 && s.dh > 0 && s.anchorRows >= 0 && s.offset >= 0;
  float* out = f.hostF32("out", sizes ? s.tq * s.nq * s.dh : 0);
  float* lse = f.hostF32("lse", sizes ? s.tq * s.nq : 0);
  const float* q = f.hostF32("q", sizes ? s.tq * s.nq * s.dh : 0);
  const float* k = f.hostF32("k", sizes ? s.tk * s.nkv * s.dh : 0);
  const float* v = f.hostF32("v", sizes ? s.tk * s.nkv * s.dh : 0);
  return runTwin(env, st, "ref.attention", sizes, "bad sizes", [&] { attentionRef(out, lse, q, k, v, s); });
}

napi_value LseMergeRef(napi_env env, napi_callback_info info) {
  APB_TWIN_BEGIN("ref.lseMerge");
  const int64_t rows = f.i64("rows"), heads = f.i64("heads"), dh = f.i64("dh");
  const bool sizes = rows >= 0 && heads > 0 && dh > 0;
  float* out = f.hostF32("out", sizes ? rows * heads * dh : 0);
  float* lse = f.hostF32("lse", sizes ? rows * heads : 0);
  const float* outB = f.hostF32("outB", sizes ? rows * heads * dh : 0);
  const float* lseB = f.hostF32("lseB", sizes ? rows * heads : 0);
  return runTwin(env, st, "ref.lseMerge", sizes, "bad sizes", [&] { lseMergeRef(out, lse, outB, lseB, rows, heads, dh); });
}

napi_value ArgmaxRef(napi_env env, napi_callback_info info) {
  APB_TWIN_BEGIN("ref.argmax");
  const int64_t rows = f.i64("rows"), vocab = f.i64("vocab");
  const bool sizes = rows >= 0 && vocab > 0;
  int32_t* out = f.hostI32("out", sizes ? rows : 0);
  const float* logits = f.hostF32("logits", sizes ? rows * vocab : 0);
  return runTwin(env, st, "ref.argmax", sizes, "bad sizes", [&] { argmaxRef(out, logits, rows, vocab); });
}

const Export kTwinExports[] = {
    {"cast", CastRef},       {"embed", EmbedRef},     {"rmsnorm", RmsNormRef},         {"gemm", GemmRef},
    {"rope", RopeRef},       {"swiglu", SwigluRef},   {"silu", SiluRef},               {"add", AddRef},
    {"biasAdd", BiasAddRef}, {"maxpool", MaxPoolRef}, {"topk", TopKRef},               {"gatherHeads", GatherHeadsRef},
    {"queryScores", QueryScoresRef}, {"attention", AttentionRef}, {"lseMerge", LseMergeRef}, {"argmax", ArgmaxRef},
};

}  // namespace

void registerTwins(napi_env env, napi_value exports) { defineExports(env, exports, kTwinExports, sizeof(kTwinExports) / sizeof(Export)); }

}  // namespace apb::js
