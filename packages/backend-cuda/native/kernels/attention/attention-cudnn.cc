// cuDNN 9 fused flash attention through the backend (graph) API, written from NVIDIA's public cuDNN documentation:
// the SDPA forward pattern S = (Q·Kᵀ)·scale → [bottom-right causal select] → softmax with stats (LSE = max + log Σ)
// → O = P·V, bfloat16 I/O, float32 math, GQA by K/V head count, our [rows, heads*dh] layout expressed with strides.
// Plans are built once per shape and cached on the context; a graph cuDNN cannot build is remembered as a reason and
// our own kernel runs instead. UNVERIFIED ON A GPU (see README "cuDNN attention route").
#include "attention-cudnn.h"

#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <vector>

#include "../../common/cudnn-loader.h"
#include "../../common/launch.cuh"

namespace apb {

namespace {

using namespace dnn;

// Unique ids of the graph's real and by-value tensors (the variant pack names them); virtual ones start at 100.
enum Uid : int64_t { kQ = 1, kK = 2, kV = 3, kO = 4, kStats = 5, kScale = 6, kDiag = 7, kMaskValue = 8 };

/** Plan cache key: sq, sk, nq, nkv, dh, causal. */
using SdpaKey = std::array<int64_t, 6>;

/** One built plan and every descriptor it was built from (kept alive with it), or why it could not be built. */
struct SdpaPlan {
  Descriptor plan = nullptr;
  int64_t workspace = 0;
  std::vector<Descriptor> owned;
  std::string unsupported;  // non-empty: cuDNN could not build this graph
};

/** The per-context cuDNN state: a handle on the context's stream and the plans by shape. */
struct CudnnState {
  const Api* api = nullptr;
  Handle handle = nullptr;
  std::map<SdpaKey, SdpaPlan> plans;
  ~CudnnState() {
    for (auto& [key, p] : plans)
      for (auto it = p.owned.rbegin(); it != p.owned.rend(); ++it) api->destroyDescriptor(*it);
    if (handle != nullptr) api->destroy(handle);
  }
};

std::string statusText(const Api* api, DnnStatus s) {
  const char* t = api->getErrorString(s);
  return (t == nullptr ? std::string("cudnnStatus ") : std::string(t)) + " (" + std::to_string(s) + ")";
}

/** Builds the SDPA graph of one shape; every failure is a reason string (the caller falls back). */
class GraphBuilder {
 public:
  GraphBuilder(const Api* api, SdpaPlan* plan) : api_(api), plan_(plan) {}

  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }

  Descriptor make(int type, const char* what) {
    if (failed()) return nullptr;
    Descriptor d = nullptr;
    check(api_->createDescriptor(type, &d), what);
    if (!failed()) plan_->owned.push_back(d);
    return failed() ? nullptr : d;
  }
  void set(Descriptor d, int name, int type, int64_t count, const void* value, const char* what) {
    if (failed()) return;
    check(api_->setAttribute(d, name, type, count, value), what);
  }
  void finalize(Descriptor d, const char* what) {
    if (failed()) return;
    check(api_->finalize(d), what);
  }

  /** A tensor of 4 dims with strides; virtual intermediates get fresh ids from 100. */
  Descriptor tensor(int64_t uid, int dtype, std::array<int64_t, 4> dims, std::array<int64_t, 4> strides, bool isVirtual,
                    bool byValue = false) {
    Descriptor t = make(kTensorDescriptor, "tensor");
    const int64_t id = uid > 0 ? uid : nextVirtual_++;
    const int64_t align = 16;
    set(t, kTensorDataType, kTypeDataType, 1, &dtype, "tensor data type");
    set(t, kTensorDimensions, kTypeInt64, 4, dims.data(), "tensor dims");
    set(t, kTensorStrides, kTypeInt64, 4, strides.data(), "tensor strides");
    set(t, kTensorUniqueId, kTypeInt64, 1, &id, "tensor uid");
    set(t, kTensorByteAlignment, kTypeInt64, 1, &align, "tensor alignment");
    const bool v = isVirtual;
    set(t, kTensorIsVirtual, kTypeBoolean, 1, &v, "tensor virtual");
    if (byValue) {
      const bool bv = true;
      set(t, kTensorIsByValue, kTypeBoolean, 1, &bv, "tensor by value");
    }
    finalize(t, "tensor finalize");
    return t;
  }
  /** A virtual float/int/bool tensor shaped like `dims`, packed. */
  Descriptor virt(int dtype, std::array<int64_t, 4> dims) {
    return tensor(0, dtype, dims, {dims[1] * dims[2] * dims[3], dims[2] * dims[3], dims[3], 1}, true);
  }

  /** A pointwise op y = mode(x[, b][, t]); `axis` >= 0 for GEN_INDEX. */
  void pointwise(int mode, Descriptor x, Descriptor b, Descriptor t, Descriptor y, int64_t axis = -1) {
    Descriptor pw = make(kPointwiseDescriptor, "pointwise");
    const int prec = kFloat;
    set(pw, kPointwiseMode, kTypePointwiseMode, 1, &mode, "pointwise mode");
    set(pw, kPointwiseMathPrec, kTypeDataType, 1, &prec, "pointwise precision");
    if (axis >= 0) set(pw, kPointwiseAxis, kTypeInt64, 1, &axis, "pointwise axis");
    finalize(pw, "pointwise finalize");
    Descriptor op = make(kOperationPointwiseDescriptor, "pointwise op");
    set(op, kOpPointwisePwDescriptor, kTypeBackendDescriptor, 1, &pw, "pointwise op desc");
    set(op, kOpPointwiseXDesc, kTypeBackendDescriptor, 1, &x, "pointwise x");
    if (b != nullptr) set(op, kOpPointwiseBDesc, kTypeBackendDescriptor, 1, &b, "pointwise b");
    if (t != nullptr) set(op, kOpPointwiseTDesc, kTypeBackendDescriptor, 1, &t, "pointwise t");
    set(op, kOpPointwiseYDesc, kTypeBackendDescriptor, 1, &y, "pointwise y");
    finalize(op, "pointwise op finalize");
    ops_.push_back(op);
  }
  void matmul(Descriptor a, Descriptor b, Descriptor c) {
    Descriptor mm = make(kMatmulDescriptor, "matmul");
    const int comp = kFloat;
    set(mm, kMatmulCompType, kTypeDataType, 1, &comp, "matmul compute type");
    finalize(mm, "matmul finalize");
    Descriptor op = make(kOperationMatmulDescriptor, "matmul op");
    set(op, kOpMatmulADesc, kTypeBackendDescriptor, 1, &a, "matmul a");
    set(op, kOpMatmulBDesc, kTypeBackendDescriptor, 1, &b, "matmul b");
    set(op, kOpMatmulCDesc, kTypeBackendDescriptor, 1, &c, "matmul c");
    set(op, kOpMatmulDesc, kTypeBackendDescriptor, 1, &mm, "matmul desc");
    finalize(op, "matmul op finalize");
    ops_.push_back(op);
  }
  void reduce(int reduceOp, Descriptor x, Descriptor y) {
    Descriptor r = make(kReductionDescriptor, "reduction");
    const int comp = kFloat;
    set(r, kReductionOperator, kTypeReductionOperator, 1, &reduceOp, "reduction operator");
    set(r, kReductionCompType, kTypeDataType, 1, &comp, "reduction compute type");
    finalize(r, "reduction finalize");
    Descriptor op = make(kOperationReductionDescriptor, "reduction op");
    set(op, kOpReductionXDesc, kTypeBackendDescriptor, 1, &x, "reduction x");
    set(op, kOpReductionYDesc, kTypeBackendDescriptor, 1, &y, "reduction y");
    set(op, kOpReductionDesc, kTypeBackendDescriptor, 1, &r, "reduction desc");
    finalize(op, "reduction op finalize");
    ops_.push_back(op);
  }

  /** Operation graph → heuristics → the first engine config that finalizes into a plan. */
  void plan(Handle handle) {
    Descriptor graph = make(kOperationGraphDescriptor, "operation graph");
    set(graph, kOperationGraphHandle, kTypeHandle, 1, &handle, "graph handle");
    set(graph, kOperationGraphOps, kTypeBackendDescriptor, static_cast<int64_t>(ops_.size()), ops_.data(), "graph ops");
    finalize(graph, "graph finalize");
    for (const int mode : {static_cast<int>(kHeurInstant), static_cast<int>(kHeurFallback)}) {
      if (failed() || plan_->plan != nullptr) return;
      tryHeuristic(handle, graph, mode);
    }
    if (!failed() && plan_->plan == nullptr) error_ = "no engine config of the heuristics finalized into a plan";
  }

 private:
  void check(DnnStatus s, const char* what) {
    if (s != kSuccess && error_.empty()) error_ = std::string(what) + ": " + statusText(api_, s);
  }
  void tryHeuristic(Handle handle, Descriptor graph, int mode) {
    Descriptor heur = make(kEngineHeurDescriptor, "engine heuristics");
    set(heur, kEngineHeurOperationGraph, kTypeBackendDescriptor, 1, &graph, "heuristics graph");
    set(heur, kEngineHeurMode, kTypeHeurMode, 1, &mode, "heuristics mode");
    finalize(heur, "heuristics finalize");
    if (failed()) return;
    int64_t count = 0;
    check(api_->getAttribute(heur, kEngineHeurResults, kTypeBackendDescriptor, 0, &count, nullptr), "heuristics count");
    if (failed() || count <= 0) return;
    count = std::min<int64_t>(count, 16);
    std::vector<Descriptor> cfgs;
    for (int64_t i = 0; i < count && !failed(); i++) cfgs.push_back(make(kEngineCfgDescriptor, "engine config"));
    int64_t got = 0;
    check(api_->getAttribute(heur, kEngineHeurResults, kTypeBackendDescriptor, count, &got, cfgs.data()), "heuristics results");
    std::string lastPlanError;
    for (int64_t i = 0; i < got && !failed(); i++) {
      Descriptor p = nullptr;
      if (api_->createDescriptor(kExecutionPlanDescriptor, &p) != kSuccess) continue;
      DnnStatus s = api_->setAttribute(p, kExecutionPlanHandle, kTypeHandle, 1, &handle);
      if (s == kSuccess) s = api_->setAttribute(p, kExecutionPlanEngineConfig, kTypeBackendDescriptor, 1, &cfgs[i]);
      if (s == kSuccess) s = api_->finalize(p);
      int64_t ws = 0, n = 0;
      if (s == kSuccess) s = api_->getAttribute(p, kExecutionPlanWorkspaceSize, kTypeInt64, 1, &n, &ws);
      if (s != kSuccess) {
        lastPlanError = statusText(api_, s);
        api_->destroyDescriptor(p);
        continue;
      }
      plan_->owned.push_back(p);
      plan_->plan = p;
      plan_->workspace = ws;
      return;
    }
    if (!lastPlanError.empty() && plan_->plan == nullptr && error_.empty() && mode == kHeurFallback)
      error_ = "execution plan finalize: " + lastPlanError;
  }

  const Api* api_;
  SdpaPlan* plan_;
  std::vector<Descriptor> ops_;
  int64_t nextVirtual_ = 100;
  std::string error_;
};

/** Builds the SDPA forward graph for one shape (bfloat16, b = 1, GQA by nkv). */
void buildSdpa(const Api* api, Handle handle, const SdpaKey& key, SdpaPlan* out) {
  const auto [sq, sk, nq, nkv, dh, causal] = key;
  GraphBuilder g(api, out);
  const int bf = kBfloat16;
  // Our layout [rows, heads*dh] as [b=1, h, s, d] with strides (BSHD); Kᵀ is the same memory with d and s swapped.
  Descriptor q = g.tensor(kQ, bf, {1, nq, sq, dh}, {sq * nq * dh, dh, nq * dh, 1}, false);
  Descriptor kT = g.tensor(kK, bf, {1, nkv, dh, sk}, {sk * nkv * dh, dh, 1, nkv * dh}, false);
  Descriptor v = g.tensor(kV, bf, {1, nkv, sk, dh}, {sk * nkv * dh, dh, nkv * dh, 1}, false);
  Descriptor o = g.tensor(kO, bf, {1, nq, sq, dh}, {sq * nq * dh, dh, nq * dh, 1}, false);
  Descriptor stats = g.tensor(kStats, kFloat, {1, nq, sq, 1}, {nq * sq, sq, 1, 1}, false);
  Descriptor scale = g.tensor(kScale, kFloat, {1, 1, 1, 1}, {1, 1, 1, 1}, false, true);
  const std::array<int64_t, 4> full{1, nq, sq, sk}, row{1, nq, sq, 1};

  Descriptor s1 = g.virt(kFloat, full);
  g.matmul(q, kT, s1);
  Descriptor s2 = g.virt(kFloat, full);
  g.pointwise(kPwMul, s1, scale, nullptr, s2);
  Descriptor scores = s2;
  if (causal != 0) {
    Descriptor diag = g.tensor(kDiag, kInt32, {1, 1, 1, 1}, {1, 1, 1, 1}, false, true);
    Descriptor maskValue = g.tensor(kMaskValue, kFloat, {1, 1, 1, 1}, {1, 1, 1, 1}, false, true);
    Descriptor rowIdx = g.virt(kInt32, full), colIdx = g.virt(kInt32, full), shifted = g.virt(kInt32, full);
    Descriptor keep = g.virt(kBoolean, full), masked = g.virt(kFloat, full);
    g.pointwise(kPwGenIndex, s2, nullptr, nullptr, rowIdx, 2);
    g.pointwise(kPwGenIndex, s2, nullptr, nullptr, colIdx, 3);
    g.pointwise(kPwAdd, rowIdx, diag, nullptr, shifted);          // row + (sk - sq): bottom-right alignment
    g.pointwise(kPwCmpGe, shifted, colIdx, nullptr, keep);        // col <= row + (sk - sq)
    g.pointwise(kPwBinarySelect, s2, maskValue, keep, masked);    // keep ? s : lowest
    scores = masked;
  }
  Descriptor mx = g.virt(kFloat, row), centered = g.virt(kFloat, full), e = g.virt(kFloat, full);
  Descriptor sum = g.virt(kFloat, row), logSum = g.virt(kFloat, row), p = g.virt(kFloat, full);
  g.reduce(kReduceMax, scores, mx);
  g.pointwise(kPwSub, scores, mx, nullptr, centered);
  g.pointwise(kPwExp, centered, nullptr, nullptr, e);
  g.reduce(kReduceAdd, e, sum);
  g.pointwise(kPwLog, sum, nullptr, nullptr, logSum);
  g.pointwise(kPwAdd, mx, logSum, nullptr, stats);  // natural-log LSE of the scaled scores
  g.pointwise(kPwDiv, e, sum, nullptr, p);
  g.matmul(p, v, o);
  g.plan(handle);
  if (g.failed()) out->unsupported = g.error();
}

/** The context's cuDNN state, created on first use (handle bound to the context's stream). */
Status stateOf(Context& ctx, const Api* api, CudnnState** out, std::string* reason) {
  *out = static_cast<CudnnState*>(ctx.cudnnState().get());
  if (*out != nullptr) return okStatus();
  auto state = std::make_shared<CudnnState>();
  state->api = api;
  DnnStatus s = api->create(&state->handle);
  if (s != kSuccess) {
    state->handle = nullptr;
    *reason = "cudnnCreate: " + statusText(api, s);
    return okStatus();
  }
  s = api->setStream(state->handle, ctx.stream());
  if (s != kSuccess) return cudnnFailure(s, statusText(api, s), "cudnnSetStream", __FILE__, __LINE__).inOp("attention");
  ctx.cudnnState() = state;
  *out = state.get();
  return okStatus();
}

/** Runs one SDPA call through cuDNN; `reason` non-empty (and nothing enqueued) when this shape is unsupported. */
Status runSdpa(Context& ctx, CudnnState& st, const SdpaCall& c, const AttentionArgs& a, std::string* reason) {
  const SdpaKey key{c.sq, c.sk, a.nq, a.nkv, a.dh, c.causal ? 1 : 0};
  auto it = st.plans.find(key);
  if (it == st.plans.end()) {
    it = st.plans.emplace(key, SdpaPlan{}).first;
    buildSdpa(st.api, st.handle, key, &it->second);
  }
  const SdpaPlan& plan = it->second;
  if (!plan.unsupported.empty()) {
    *reason = plan.unsupported;
    return okStatus();
  }
  if (c.sq == 0) return okStatus();
  void* stats = nullptr;
  APB_TRY(ctx.alloc(static_cast<size_t>(c.sq * a.nq) * sizeof(float), &stats));
  void* workspace = ctx.workspace();
  void* ownWorkspace = nullptr;
  if (static_cast<size_t>(plan.workspace) > ctx.workspaceBytes()) {
    Status ws = ctx.alloc(static_cast<size_t>(plan.workspace), &ownWorkspace);
    if (!ws.ok()) {
      ctx.release(stats);
      return ws;
    }
    workspace = ownWorkspace;
  }
  float scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(a.dh)));
  int32_t diag = static_cast<int32_t>(c.sk - c.sq);
  float maskValue = std::numeric_limits<float>::lowest();
  // By-value tensors point at host scalars; cuDNN reads them when the call is enqueued.
  int64_t uids[8] = {kQ, kK, kV, kO, kStats, kScale, kDiag, kMaskValue};
  void* ptrs[8] = {const_cast<void*>(c.q), const_cast<void*>(c.k), const_cast<void*>(c.v), c.out, stats, &scale, &diag, &maskValue};
  const int64_t n = c.causal ? 8 : 6;
  const Api* api = st.api;
  Descriptor pack = nullptr;
  DnnStatus s = api->createDescriptor(kVariantPackDescriptor, &pack);
  if (s == kSuccess) s = api->setAttribute(pack, kVariantPackUniqueIds, kTypeInt64, n, uids);
  if (s == kSuccess) s = api->setAttribute(pack, kVariantPackDataPointers, kTypeVoidPtr, n, ptrs);
  if (s == kSuccess) s = api->setAttribute(pack, kVariantPackWorkspace, kTypeVoidPtr, 1, &workspace);
  if (s == kSuccess) s = api->finalize(pack);
  if (s == kSuccess) s = api->execute(st.handle, plan.plan, pack);
  if (pack != nullptr) api->destroyDescriptor(pack);
  Status done = okStatus();
  if (s != kSuccess) done = cudnnFailure(s, statusText(api, s), "cudnnBackendExecute(sdpa)", __FILE__, __LINE__).inOp("attention");
  if (done.ok()) done = attentionStatsLaunch(c.lse, static_cast<const float*>(stats), c.sq, a.nq, ctx.stream());
  ctx.release(stats);
  if (ownWorkspace != nullptr) ctx.release(ownWorkspace);
  return done;
}

/**
 * The APB mask as standard calls on disjoint query rows (APB.md 3.8): rows [0, A) causal over keys [0, A); rows
 * [A, tq) either unmasked over all keys (every one sees all) or bottom-right causal over the key prefix tq + offset.
 * Returns false with a reason when the mask does not split this way.
 */
bool splitMask(const AttentionArgs& a, std::vector<SdpaCall>* calls, std::string* reason) {
  const int64_t A = a.anchorRows < a.tq ? a.anchorRows : a.tq;
  const size_t es = dtypeSize(a.dt);
  const auto qAt = [&](int64_t row) { return static_cast<const char*>(a.q) + row * a.nq * a.dh * es; };
  const auto oAt = [&](int64_t row) { return static_cast<char*>(a.out) + row * a.nq * a.dh * es; };
  if (A > 0) {
    if (A > a.tk) {
      *reason = "anchor rows exceed the key count";
      return false;
    }
    calls->push_back(SdpaCall{a.out, a.lse, a.q, a.k, a.v, A, A, true});
  }
  if (A == a.tq) return true;
  const int64_t rows = a.tq - A;
  if (A + 1 + a.offset >= a.tk) {
    calls->push_back(SdpaCall{oAt(A), a.lse + A * a.nq, qAt(A), a.k, a.v, rows, a.tk, false});
  } else if (a.offset <= a.tk - a.tq) {
    calls->push_back(SdpaCall{oAt(A), a.lse + A * a.nq, qAt(A), a.k, a.v, rows, a.tq + a.offset, true});
  } else {
    *reason = "mask offset beyond bottom-right alignment";
    return false;
  }
  return true;
}

std::string whyNotCudnn(const AttentionArgs& a) {
  if (cudnnApi() == nullptr) return "not loaded";
  if (a.dt != DType::BF16) return "needs bfloat16";
  if (a.dh % 8 != 0 || a.dh > 256) return "head dim must be a multiple of 8 up to 256";
  if (a.tk == 0) return "no keys";
  return "";
}

}  // namespace

Status attentionRouted(const AttentionArgs& a, Context& ctx, AttentionRoute route, std::string* ran) {
  *ran = "kernel";
  if (route == AttentionRoute::Kernel) return attentionLaunch(a, ctx.stream());
  std::string reason = whyNotCudnn(a);
  std::vector<SdpaCall> calls;
  if (reason.empty()) splitMask(a, &calls, &reason);
  CudnnState* st = nullptr;
  if (reason.empty()) APB_TRY(stateOf(ctx, cudnnApi(), &st, &reason));
  // Build (or find) every call's plan before enqueueing any, so a fallback never leaves half an output.
  for (size_t i = 0; reason.empty() && i < calls.size(); i++) {
    const SdpaCall& c = calls[i];
    const SdpaKey key{c.sq, c.sk, a.nq, a.nkv, a.dh, c.causal ? 1 : 0};
    auto it = st->plans.find(key);
    if (it == st->plans.end()) {
      it = st->plans.emplace(key, SdpaPlan{}).first;
      buildSdpa(st->api, st->handle, key, &it->second);
    }
    reason = it->second.unsupported;
  }
  if (!reason.empty()) {
    *ran = "kernel (cuDNN: " + reason + ")";
    return attentionLaunch(a, ctx.stream());
  }
  NvtxRange range("attention.cudnn");
  for (const SdpaCall& c : calls) {
    std::string late;
    APB_TRY(runSdpa(ctx, *st, c, a, &late));
    if (!late.empty()) return invalidArgument("attention", "cuDNN plan vanished: " + late);
  }
  *ran = "cudnn";
  return okStatus();
}

}  // namespace apb
