// Kernel ops from JS: each reads its options object, checks every buffer holds the bytes the op touches, and enqueues
// the launcher on the context's stream (no wait; fence or download to observe results).
#include "../kernels/add/add.cuh"
#include "../kernels/argmax/argmax.cuh"
#include "../kernels/attention/attention-cudnn.h"
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

/** Reads the context (argument 0) and the options object (argument 1) of an op call. */
struct OpCall {
  Status st;
  std::shared_ptr<Context> ctx;
  Fields f;
  OpCall(napi_env env, const char* op, const Args& args) : ctx(args.context(0, &st)), f(env, args.at(1), op, &st) {}
};

#define APB_OP_BEGIN(opName)          \
  Args args(env, info, opName);       \
  OpCall call(env, opName, args);       \
  Fields& f = call.f;                 \
  auto& ctx = call.ctx

napi_value Cast(napi_env env, napi_callback_info info) {
  APB_OP_BEGIN("cast");
  CastArgs a{};
  a.dstType = f.dtype("dstType");
  a.srcType = f.dtype("srcType");
  a.n = f.i64("count");
  a.dst = f.ptr("dst", f.bytesOf({a.n}, dtypeSize(a.dstType)));
  a.src = f.ptr("src", f.bytesOf({a.n}, dtypeSize(a.srcType)));
  return finishOp(env, ctx, call.st, "cast", [&] { return castLaunch(a, ctx->stream()); });
}

napi_value Embed(napi_env env, napi_callback_info info) {
  APB_OP_BEGIN("embed");
  EmbedArgs a{};
  a.dt = f.dtype("dtype");
  a.rows = f.i64("rows");
  a.dim = f.i64("dim");
  a.vocab = f.i64("vocab");
  const size_t es = dtypeSize(a.dt);
  a.out = f.ptr("out", f.bytesOf({a.rows, a.dim}, es));
  a.table = f.ptr("table", f.bytesOf({a.vocab, a.dim}, es));
  a.ids = static_cast<const int32_t*>(f.ptr("ids", f.bytesOf({a.rows}, 4)));
  return finishOp(env, ctx, call.st, "embed", [&] { return embedLaunch(a, ctx->stream()); });
}

napi_value RmsNorm(napi_env env, napi_callback_info info) {
  APB_OP_BEGIN("rmsnorm");
  RmsNormArgs a{};
  a.dt = f.dtype("dtype");
  a.rows = f.i64("rows");
  a.dim = f.i64("dim");
  a.eps = static_cast<float>(f.f64("eps"));
  const size_t es = dtypeSize(a.dt);
  a.out = f.ptr("out", f.bytesOf({a.rows, a.dim}, es));
  a.x = f.ptr("x", f.bytesOf({a.rows, a.dim}, es));
  a.weight = f.ptr("weight", f.bytesOf({a.dim}, es));
  return finishOp(env, ctx, call.st, "rmsnorm", [&] { return rmsnormLaunch(a, ctx->stream()); });
}

napi_value Gemm(napi_env env, napi_callback_info info) {
  APB_OP_BEGIN("gemm");
  GemmArgs a{};
  a.inType = f.dtype("inType");
  a.outType = f.dtype("outType");
  a.m = f.i64("m");
  a.n = f.i64("n");
  a.k = f.i64("k");
  a.y = f.ptr("y", f.bytesOf({a.m, a.n}, dtypeSize(a.outType)));
  a.x = f.ptr("x", f.bytesOf({a.m, a.k}, dtypeSize(a.inType)));
  a.w = f.ptr("w", f.bytesOf({a.n, a.k}, dtypeSize(a.inType)));
  GemmPath used = GemmPath::Tiled;
  napi_value done = finishOp(env, ctx, call.st, "gemm", [&] { return gemmLaunch(a, *ctx, &used); });
  if (done == nullptr) return nullptr;
  return stringValue(env, used == GemmPath::CublasLt ? "cublaslt" : "tiled");
}

napi_value Rope(napi_env env, napi_callback_info info) {
  APB_OP_BEGIN("rope");
  RopeArgs a{};
  a.dt = f.dtype("dtype");
  a.rows = f.i64("rows");
  a.heads = f.i64("heads");
  a.dh = f.i64("dh");
  a.inStride = f.i64("inStride");
  a.inCol = f.i64("inCol");
  const size_t es = dtypeSize(a.dt);
  const int64_t inSpan = a.rows == 0 ? 0 : (a.rows - 1) * a.inStride + a.inCol + a.heads * a.dh;
  a.out = f.ptr("out", f.bytesOf({a.rows, a.heads, a.dh}, es));
  a.in = f.ptr("in", f.bytesOf({inSpan}, es));
  a.positions = static_cast<const int32_t*>(f.ptr("positions", f.bytesOf({a.rows}, 4)));
  a.invFreq = static_cast<const double*>(f.ptr("invFreq", f.bytesOf({a.dh / 2}, 8)));
  return finishOp(env, ctx, call.st, "rope", [&] { return ropeLaunch(a, ctx->stream()); });
}

napi_value Swiglu(napi_env env, napi_callback_info info) {
  APB_OP_BEGIN("swiglu");
  SwigluArgs a{};
  a.dt = f.dtype("dtype");
  a.rows = f.i64("rows");
  a.inter = f.i64("inter");
  const size_t es = dtypeSize(a.dt);
  a.out = f.ptr("out", f.bytesOf({a.rows, a.inter}, es));
  a.gateUp = f.ptr("gateUp", f.bytesOf({a.rows, 2, a.inter}, es));
  return finishOp(env, ctx, call.st, "swiglu", [&] { return swigluLaunch(a, ctx->stream()); });
}

napi_value Silu(napi_env env, napi_callback_info info) {
  APB_OP_BEGIN("silu");
  SiluArgs a{};
  a.dt = f.dtype("dtype");
  a.n = f.i64("count");
  a.x = f.ptr("x", f.bytesOf({a.n}, dtypeSize(a.dt)));
  return finishOp(env, ctx, call.st, "silu", [&] { return siluLaunch(a, ctx->stream()); });
}

napi_value Add(napi_env env, napi_callback_info info) {
  APB_OP_BEGIN("add");
  AddArgs a{};
  a.dt = f.dtype("dtype");
  a.n = f.i64("count");
  const size_t bytes = f.bytesOf({a.n}, dtypeSize(a.dt));
  a.out = f.ptr("out", bytes);
  a.a = f.ptr("a", bytes);
  a.b = f.ptr("b", bytes);
  return finishOp(env, ctx, call.st, "add", [&] { return addLaunch(a, ctx->stream()); });
}

napi_value BiasAdd(napi_env env, napi_callback_info info) {
  APB_OP_BEGIN("biasAdd");
  BiasAddArgs a{};
  a.dt = f.dtype("dtype");
  a.rows = f.i64("rows");
  a.cols = f.i64("cols");
  a.x = f.ptr("x", f.bytesOf({a.rows, a.cols}, dtypeSize(a.dt)));
  a.bias = f.ptr("bias", f.bytesOf({a.cols}, dtypeSize(a.dt)));
  return finishOp(env, ctx, call.st, "biasAdd", [&] { return biasAddLaunch(a, ctx->stream()); });
}

napi_value MaxPool(napi_env env, napi_callback_info info) {
  APB_OP_BEGIN("maxpool");
  MaxPoolArgs a{};
  a.rows = f.i64("rows");
  a.channels = f.i64("channels");
  a.kernel = static_cast<int>(f.i64("kernel"));
  a.out = static_cast<float*>(f.ptr("out", f.bytesOf({a.rows, a.channels}, 4)));
  a.in = static_cast<const float*>(f.ptr("in", f.bytesOf({a.rows, a.channels}, 4)));
  return finishOp(env, ctx, call.st, "maxpool", [&] { return maxpoolLaunch(a, ctx->stream()); });
}

napi_value TopK(napi_env env, napi_callback_info info) {
  APB_OP_BEGIN("topk");
  TopKArgs a{};
  a.rows = f.i64("rows");
  a.channels = f.i64("channels");
  a.maskLen = f.i64("maskLen");
  a.k = f.i64("k");
  a.idx = static_cast<int32_t*>(f.ptr("idx", f.bytesOf({a.k, a.channels}, 4)));
  a.scores = static_cast<const float*>(f.ptr("scores", f.bytesOf({a.rows, a.channels}, 4)));
  return finishOp(env, ctx, call.st, "topk", [&] { return topkLaunch(a, ctx->stream()); });
}

napi_value GatherHeads(napi_env env, napi_callback_info info) {
  APB_OP_BEGIN("gatherHeads");
  GatherHeadsArgs a{};
  a.dt = f.dtype("dtype");
  a.rows = f.i64("rows");
  a.numSrcRows = f.i64("srcRows");
  a.nkv = f.i64("nkv");
  a.dh = f.i64("dh");
  const size_t es = dtypeSize(a.dt);
  a.out = f.ptr("out", f.bytesOf({a.rows, a.nkv, a.dh}, es));
  a.x = f.ptr("x", f.bytesOf({a.numSrcRows, a.nkv, a.dh}, es));
  a.idx = static_cast<const int32_t*>(f.ptr("idx", f.bytesOf({a.rows, a.nkv}, 4)));
  return finishOp(env, ctx, call.st, "gatherHeads", [&] { return gatherHeadsLaunch(a, ctx->stream()); });
}

napi_value QueryScores(napi_env env, napi_callback_info info) {
  APB_OP_BEGIN("queryScores");
  QueryScoresArgs a{};
  a.dt = f.dtype("dtype");
  a.probes = f.i64("probes");
  a.rows = f.i64("rows");
  a.nq = f.i64("nq");
  a.nkv = f.i64("nkv");
  a.dh = f.i64("dh");
  const size_t es = dtypeSize(a.dt);
  a.out = static_cast<float*>(f.ptr("out", f.bytesOf({a.rows, a.nkv}, 4)));
  a.q = f.ptr("q", f.bytesOf({a.probes, a.nq, a.dh}, es));
  a.k = f.ptr("k", f.bytesOf({a.rows, a.nkv, a.dh}, es));
  return finishOp(env, ctx, call.st, "queryScores", [&] { return queryScoresLaunch(a, ctx->stream()); });
}

napi_value Attention(napi_env env, napi_callback_info info) {
  APB_OP_BEGIN("attention");
  AttentionArgs a{};
  a.dt = f.dtype("dtype");
  a.tq = f.i64("tq");
  a.tk = f.i64("tk");
  a.nq = f.i64("nq");
  a.nkv = f.i64("nkv");
  a.dh = f.i64("dh");
  a.anchorRows = f.i64("anchorRows");
  a.offset = f.i64("offset");
  a.split = f.i64Or("split", 0);
  const size_t es = dtypeSize(a.dt);
  a.out = f.ptr("out", f.bytesOf({a.tq, a.nq, a.dh}, es));
  a.lse = static_cast<float*>(f.ptr("lse", f.bytesOf({a.tq, a.nq}, 4)));
  a.q = f.ptr("q", f.bytesOf({a.tq, a.nq, a.dh}, es));
  a.k = f.ptr("k", f.bytesOf({a.tk, a.nkv, a.dh}, es));
  a.v = f.ptr("v", f.bytesOf({a.tk, a.nkv, a.dh}, es));
  const AttentionRoute route = f.i64("route") == 1 ? AttentionRoute::Cudnn : AttentionRoute::Kernel;
  std::string ran = "kernel";
  napi_value done = finishOp(env, ctx, call.st, "attention", [&] { return attentionRouted(a, *ctx, route, &ran); });
  if (done == nullptr) return nullptr;
  return stringValue(env, ran);
}

napi_value LseMerge(napi_env env, napi_callback_info info) {
  APB_OP_BEGIN("lseMerge");
  LseMergeArgs a{};
  a.dt = f.dtype("dtype");
  a.rows = f.i64("rows");
  a.heads = f.i64("heads");
  a.dh = f.i64("dh");
  const size_t outBytes = f.bytesOf({a.rows, a.heads, a.dh}, dtypeSize(a.dt));
  const size_t lseBytes = f.bytesOf({a.rows, a.heads}, 4);
  a.out = f.ptr("out", outBytes);
  a.lse = static_cast<float*>(f.ptr("lse", lseBytes));
  a.outB = f.ptr("outB", outBytes);
  a.lseB = static_cast<const float*>(f.ptr("lseB", lseBytes));
  return finishOp(env, ctx, call.st, "lseMerge", [&] { return lseMergeLaunch(a, ctx->stream()); });
}

napi_value Argmax(napi_env env, napi_callback_info info) {
  APB_OP_BEGIN("argmax");
  ArgmaxArgs a{};
  a.rows = f.i64("rows");
  a.vocab = f.i64("vocab");
  a.out = static_cast<int32_t*>(f.ptr("out", f.bytesOf({a.rows}, 4)));
  a.logits = static_cast<const float*>(f.ptr("logits", f.bytesOf({a.rows, a.vocab}, 4)));
  return finishOp(env, ctx, call.st, "argmax", [&] { return argmaxLaunch(a, ctx->stream()); });
}

const Export kOpExports[] = {
    {"cast", Cast},       {"embed", Embed},     {"rmsnorm", RmsNorm},         {"gemm", Gemm},
    {"rope", Rope},       {"swiglu", Swiglu},   {"silu", Silu},               {"add", Add},
    {"biasAdd", BiasAdd}, {"maxpool", MaxPool}, {"topk", TopK},               {"gatherHeads", GatherHeads},
    {"queryScores", QueryScores}, {"attention", Attention}, {"lseMerge", LseMerge}, {"argmax", Argmax},
};

}  // namespace

void registerOps(napi_env env, napi_value exports) { defineExports(env, exports, kOpExports, sizeof(kOpExports) / sizeof(Export)); }

}  // namespace apb::js
