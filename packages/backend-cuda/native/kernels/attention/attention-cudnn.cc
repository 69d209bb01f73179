// cuDNN 9 fused flash attention through the backend (graph) API, written from NVIDIA's public cuDNN documentation and
// checked op by op against what NVIDIA's cudnn-frontend lowers its SDPA node to (README "cuDNN attention route"):
//   S = (Q·Kᵀ)·scale → [causal: gen_index row/col (int32), bottom-right shift row + s_kv − s_q (int32 math),
//   cmp_ge (boolean math), binary_select(S, −inf, keep)] → softmax with stats (max, sub, exp, sum, log, add = LSE; div
//   = P, P in bfloat16 as the fused engine requires for the second matmul's A operand) → O = P·V,
// bfloat16 I/O, float32 math, GQA by K/V head count, our [rows, heads*dh] layout expressed with strides. Where that
// composite graph builds no plan and the call is unmasked, cuDNN ≥ 9.13's single SDPA_FWD operation is tried too.
// Plans are built once per shape and cached on the context; a graph cuDNN cannot build is remembered as a reason (with
// cuDNN's own error text) and our own kernel runs instead.
//
// Diagnostics: APB_CUDNN_DEBUG=1 prints each build to stderr (heuristics result count per mode, each engine config's
// plan-finalize status with cuDNN's last error text, the NVRTC situation). cuDNN's own log is
// CUDNN_LOGLEVEL_DBG=3 CUDNN_LOGDEST_DBG=stderr (levels 1 errors, 2 + warnings, 3 + info; very verbose).
// Verified on an H200 with cuDNN 9.19 (2026-11-28): every gpu-check row within tolerance, README for the figures.
#include "attention-cudnn.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "../../common/cudnn-loader.h"
#include "../../common/launch.cuh"

namespace apb {

namespace {

using namespace dnn;

// Unique ids of the graph's real and by-value tensors (the variant pack names them); virtual ones start at 100.
enum Uid : int64_t { kQ = 1, kK = 2, kV = 3, kO = 4, kStats = 5, kScale = 6, kMaskValue = 7, kSeqKv = 8, kSeqQ = 9 };

/** Plan cache key: sq, sk, nq, nkv, dh, causal. */
using SdpaKey = std::array<int64_t, 6>;

/** Which graph a plan came from (it decides the variant pack). */
enum class SdpaGraph { Composite, Unified };

/** The causal mask as built: none, top-left (sq == sk, no shift) or bottom-right (row shifted by s_kv − s_q). */
enum class SdpaMask { None, TopLeft, BottomRight };

/** One built plan and every descriptor it was built from (kept alive with it), or why it could not be built. */
struct SdpaPlan {
  Descriptor plan = nullptr;
  int64_t workspace = 0;
  std::vector<Descriptor> owned;
  SdpaGraph graph = SdpaGraph::Composite;
  SdpaMask mask = SdpaMask::None;
  float maskValue = 0.0f;   // the by-value fill of masked scores (−inf from cuDNN 9.10, lowest float before)
  std::string unsupported;  // non-empty: cuDNN could not build this shape
};

/** The per-context cuDNN state: a handle on the context's stream and the plans by shape. */
struct CudnnState {
  const Api* api = nullptr;
  Handle handle = nullptr;
  std::map<SdpaKey, SdpaPlan> plans;
  /** Destroys every cached plan (and the descriptors it was built from). */
  void dropPlans() {
    for (auto& [key, p] : plans)
      for (auto it = p.owned.rbegin(); it != p.owned.rend(); ++it) api->destroyDescriptor(*it);
    plans.clear();
  }
  ~CudnnState() {
    dropPlans();
    if (handle != nullptr) api->destroy(handle);
  }
};

// A long-lived worker sees many prompt lengths, and every (rows, keys) pair is its own plan: past this many the cache
// is emptied (after the stream drains, since enqueued executions may still use a plan) and refilled on demand.
constexpr size_t kMaxCachedPlans = 256;

// What `ran` says when our kernel ran split over key chunks (few query rows over many keys: attentionSplitPlan).
constexpr const char* kKernelSplit = "kernel split-K";
// ... and when the one-row decode kernel ran (attention.cu, decodeApplies).
constexpr const char* kKernelDecode = "kernel decode";

const char* kernelLabel(int64_t chunks, bool decode) { return decode ? kKernelDecode : chunks > 1 ? kKernelSplit : "kernel"; }

bool debugOn() {
  static const bool on = [] {
    const char* v = std::getenv("APB_CUDNN_DEBUG");
    return v != nullptr && std::strcmp(v, "1") == 0;
  }();
  return on;
}

/** cuDNN's detailed text of its last error (cudnnGetLastErrorString, optional), one line, quotes made single. */
std::string lastErrorText(const Api* api) {
  if (api->getLastErrorString == nullptr) return "";
  char buf[2048];
  buf[0] = '\0';
  api->getLastErrorString(buf, sizeof(buf));
  buf[sizeof(buf) - 1] = '\0';
  std::string s(buf);
  for (char& c : s) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    if (c == '"') c = '\'';
    if (c == '\\') c = '/';
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();
  if (s.size() > 400) s = s.substr(0, 400) + "…";
  return s;
}

/** Reads and drops any pending last-error text so that the next one read belongs to the next call. */
void drainLastError(const Api* api) { (void)lastErrorText(api); }

std::string statusText(const Api* api, DnnStatus s) {
  const char* t = api->getErrorString(s);
  return (t == nullptr ? std::string("cudnnStatus ") : std::string(t)) + " (" + std::to_string(s) + ")";
}

/** A failed call's status plus cuDNN's last error text when it has one. */
std::string failureText(const Api* api, DnnStatus s) {
  const std::string last = lastErrorText(api);
  return statusText(api, s) + (last.empty() ? "" : ": " + last);
}

const char* heurName(int mode) {
  switch (mode) {
    case kHeurA: return "A";
    case kHeurInstant: return "INSTANT";
    case kHeurB: return "B";
    case kHeurFallback: return "FALLBACK";
    default: return "?";
  }
}

/**
 * Builds one operation graph and its plan; every failure is a reason string (the caller falls back). Descriptors are
 * owned by the builder until `adoptInto` hands them (and the plan) to an SdpaPlan; a failed builder destroys its own.
 */
class GraphBuilder {
 public:
  GraphBuilder(const Api* api, const char* label) : api_(api), label_(label) {}
  ~GraphBuilder() {
    for (auto it = owned_.rbegin(); it != owned_.rend(); ++it) api_->destroyDescriptor(*it);
  }
  GraphBuilder(const GraphBuilder&) = delete;
  GraphBuilder& operator=(const GraphBuilder&) = delete;

  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }

  Descriptor make(int type, const char* what) {
    if (failed()) return nullptr;
    Descriptor d = nullptr;
    check(api_->createDescriptor(type, &d), what);
    if (failed()) return nullptr;
    owned_.push_back(d);
    return d;
  }
  void set(Descriptor d, int name, int type, int64_t count, const void* value, const char* what) {
    if (failed()) return;
    check(api_->setAttribute(d, name, type, count, value), what);
  }
  void finalize(Descriptor d, const char* what) {
    if (failed()) return;
    check(api_->finalize(d), what);
  }

  /** A 4-d tensor with strides, byte alignment 16 (as the frontend sets); virtual intermediates get ids from 100. */
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
    // Like the frontend: IS_VIRTUAL / IS_BY_VALUE are set only when true (both default to false).
    if (isVirtual) {
      const bool v = true;
      set(t, kTensorIsVirtual, kTypeBoolean, 1, &v, "tensor virtual");
    }
    if (byValue) {
      const bool bv = true;
      set(t, kTensorIsByValue, kTypeBoolean, 1, &bv, "tensor by value");
    }
    finalize(t, "tensor finalize");
    return t;
  }
  /** A virtual tensor of `dtype` shaped like `dims`, packed row-major (what the frontend infers for these). */
  Descriptor virt(int dtype, std::array<int64_t, 4> dims) {
    return tensor(0, dtype, dims, {dims[1] * dims[2] * dims[3], dims[2] * dims[3], dims[3], 1}, true);
  }
  /** A by-value scalar (host pointer in the variant pack), [1,1,1,1]. */
  Descriptor scalar(int64_t uid, int dtype) { return tensor(uid, dtype, {1, 1, 1, 1}, {1, 1, 1, 1}, false, true); }

  /** A pointwise op y = mode(x[, b][, t]) computed in `mathPrec`; `axis` >= 0 only for GEN_INDEX. */
  void pointwise(int mode, int mathPrec, Descriptor x, Descriptor b, Descriptor t, Descriptor y, int64_t axis = -1) {
    Descriptor pw = make(kPointwiseDescriptor, "pointwise");
    set(pw, kPointwiseMode, kTypePointwiseMode, 1, &mode, "pointwise mode");
    set(pw, kPointwiseMathPrec, kTypeDataType, 1, &mathPrec, "pointwise precision");
    if (axis >= 0) set(pw, kPointwiseAxis, kTypeInt64, 1, &axis, "pointwise axis");
    finalize(pw, "pointwise finalize");
    Descriptor op = make(kOperationPointwiseDescriptor, "pointwise op");
    set(op, kOpPointwisePwDescriptor, kTypeBackendDescriptor, 1, &pw, "pointwise op desc");
    set(op, kOpPointwiseXDesc, kTypeBackendDescriptor, 1, &x, "pointwise x");
    if (b != nullptr) set(op, kOpPointwiseBDesc, kTypeBackendDescriptor, 1, &b, "pointwise b");
    if (t != nullptr) set(op, kOpPointwiseTDesc, kTypeBackendDescriptor, 1, &t, "pointwise t");
    set(op, kOpPointwiseYDesc, kTypeBackendDescriptor, 1, &y, "pointwise y");
    const float one = 1.0f;  // the frontend always sets both blend factors (float 1)
    set(op, kOpPointwiseAlpha1, kTypeFloat, 1, &one, "pointwise alpha1");
    set(op, kOpPointwiseAlpha2, kTypeFloat, 1, &one, "pointwise alpha2");
    finalize(op, "pointwise op finalize");
    addOp(op);
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
    addOp(op);
  }
  void reduce(int reduceOp, Descriptor x, Descriptor y) {
    Descriptor r = make(kReductionDescriptor, "reduction");
    const int comp = kFloat;
    set(r, kReductionCompType, kTypeDataType, 1, &comp, "reduction compute type");
    set(r, kReductionOperator, kTypeReductionOperator, 1, &reduceOp, "reduction operator");
    if (cudnnVersion() >= 91100) {  // the frontend sets it (false) from 9.11 on
      const bool deterministic = false;
      set(r, kReductionIsDeterministic, kTypeBoolean, 1, &deterministic, "reduction deterministic");
    }
    finalize(r, "reduction finalize");
    Descriptor op = make(kOperationReductionDescriptor, "reduction op");
    set(op, kOpReductionDesc, kTypeBackendDescriptor, 1, &r, "reduction desc");
    set(op, kOpReductionXDesc, kTypeBackendDescriptor, 1, &x, "reduction x");
    set(op, kOpReductionYDesc, kTypeBackendDescriptor, 1, &y, "reduction y");
    finalize(op, "reduction op finalize");
    addOp(op);
  }
  /** Appends a finalized operation to the graph (in data-flow order, as the frontend passes them). */
  void addOp(Descriptor op) {
    if (!failed()) ops_.push_back(op);
  }

  /** Operation graph → heuristics (A, INSTANT, FALLBACK) → the first engine config that finalizes into a plan. */
  void plan(Handle handle) {
    Descriptor graph = make(kOperationGraphDescriptor, "operation graph");
    set(graph, kOperationGraphOps, kTypeBackendDescriptor, static_cast<int64_t>(ops_.size()), ops_.data(), "graph ops");
    set(graph, kOperationGraphHandle, kTypeHandle, 1, &handle, "graph handle");
    finalize(graph, "graph finalize");
    if (failed()) return;
    if (debugOn()) std::fprintf(stderr, "[apb cudnn] %s: operation graph of %zu ops finalized\n", label_, ops_.size());
    for (const int mode : {static_cast<int>(kHeurA), static_cast<int>(kHeurInstant), static_cast<int>(kHeurFallback)}) {
      tryHeuristic(handle, graph, mode);
      if (plan_ != nullptr) return;
    }
    int64_t total = 0;
    for (const int64_t n : configCounts_) total += std::max<int64_t>(n, 0);
    std::string why = total == 0 ? "heuristics returned no engine config, so cuDNN did not match the graph to an engine ("
                                 : "no engine config of the heuristics finalized into a plan (";
    why += heurSummary_ + ")";
    if (!planErrors_.empty()) {
      why += "; plan finalize:";
      for (size_t i = 0; i < planErrors_.size(); i++) why += (i == 0 ? " " : " | ") + planErrors_[i];
      if (seenPlanErrors_.size() > planErrors_.size())
        why += " | (" + std::to_string(seenPlanErrors_.size() - planErrors_.size()) + " more distinct)";
      why += "; NVRTC: " + nvrtcNote();
    }
    error_ = why;
  }

  /** Hands the plan and every descriptor to `out` (call only when !failed()). */
  void adoptInto(SdpaPlan* out) {
    out->plan = plan_;
    out->workspace = workspace_;
    out->owned.insert(out->owned.end(), owned_.begin(), owned_.end());
    owned_.clear();
  }

 private:
  void check(DnnStatus s, const char* what) {
    if (s != kSuccess && error_.empty()) error_ = std::string(what) + ": " + failureText(api_, s);
  }

  /** "engine <global index>[, runtime-compiled]" of an engine config; "engine ?" when cuDNN does not say. */
  std::string engineLabel(Descriptor cfg) {
    Descriptor engine = nullptr;
    if (api_->createDescriptor(kEngineDescriptor, &engine) != kSuccess) return "engine ?";
    int64_t n = 0, index = -1;
    std::string label = "engine ?";
    if (api_->getAttribute(cfg, kEngineCfgEngine, kTypeBackendDescriptor, 1, &n, &engine) == kSuccess) {
      if (api_->getAttribute(engine, kEngineGlobalIndex, kTypeInt64, 1, &n, &index) == kSuccess)
        label = "engine " + std::to_string(index);
      int notes[8] = {};
      int64_t count = 0;
      if (api_->getAttribute(engine, kEngineBehaviorNote, kTypeBehaviorNote, 8, &count, notes) == kSuccess) {
        for (int64_t i = 0; i < std::min<int64_t>(count, 8); i++)
          if (notes[i] == kBehaviorNoteRuntimeCompilation) label += ", runtime-compiled";
      }
    }
    api_->destroyDescriptor(engine);
    drainLastError(api_);  // these diagnostic reads must not leave text behind for the next real failure
    return label;
  }

  void note(int mode, const std::string& text) {
    heurSummary_ += (heurSummary_.empty() ? "" : ", ") + std::string(heurName(mode)) + ": " + text;
    if (debugOn()) std::fprintf(stderr, "[apb cudnn] %s: heuristics %s: %s\n", label_, heurName(mode), text.c_str());
  }

  /** One heuristics mode; its own failures are recorded (not fatal) so the next mode still runs. */
  void tryHeuristic(Handle handle, Descriptor graph, int mode) {
    Descriptor heur = nullptr;
    drainLastError(api_);
    DnnStatus s = api_->createDescriptor(kEngineHeurDescriptor, &heur);
    if (s != kSuccess) {
      configCounts_.push_back(-1);
      note(mode, "create failed, " + failureText(api_, s));
      return;
    }
    owned_.push_back(heur);
    s = api_->setAttribute(heur, kEngineHeurOperationGraph, kTypeBackendDescriptor, 1, &graph);
    if (s == kSuccess) s = api_->setAttribute(heur, kEngineHeurMode, kTypeHeurMode, 1, &mode);
    if (s == kSuccess) s = api_->finalize(heur);
    int64_t count = 0;
    if (s == kSuccess) s = api_->getAttribute(heur, kEngineHeurResults, kTypeBackendDescriptor, 0, &count, nullptr);
    if (s != kSuccess) {
      configCounts_.push_back(-1);
      note(mode, "failed, " + failureText(api_, s));
      return;
    }
    configCounts_.push_back(count);
    note(mode, std::to_string(count) + (count == 1 ? " config" : " configs"));
    if (count <= 0) return;
    count = std::min<int64_t>(count, 16);
    std::vector<Descriptor> cfgs;
    for (int64_t i = 0; i < count; i++) {
      Descriptor c = nullptr;
      if (api_->createDescriptor(kEngineCfgDescriptor, &c) != kSuccess) break;
      owned_.push_back(c);
      cfgs.push_back(c);
    }
    int64_t got = 0;
    s = api_->getAttribute(heur, kEngineHeurResults, kTypeBackendDescriptor, static_cast<int64_t>(cfgs.size()), &got, cfgs.data());
    if (s != kSuccess) {
      note(mode, "results read failed, " + failureText(api_, s));
      return;
    }
    for (int64_t i = 0; i < std::min<int64_t>(got, static_cast<int64_t>(cfgs.size())); i++) {
      drainLastError(api_);
      Descriptor p = nullptr;
      s = api_->createDescriptor(kExecutionPlanDescriptor, &p);
      if (s == kSuccess) s = api_->setAttribute(p, kExecutionPlanHandle, kTypeHandle, 1, &handle);
      if (s == kSuccess) s = api_->setAttribute(p, kExecutionPlanEngineConfig, kTypeBackendDescriptor, 1, &cfgs[i]);
      if (s == kSuccess) s = api_->finalize(p);
      int64_t ws = 0, n = 0;
      if (s == kSuccess) s = api_->getAttribute(p, kExecutionPlanWorkspaceSize, kTypeInt64, 1, &n, &ws);
      const std::string why = s == kSuccess ? "" : failureText(api_, s);  // read before any other cuDNN call
      const std::string engine = engineLabel(cfgs[i]);
      if (s != kSuccess) {
        if (p != nullptr) api_->destroyDescriptor(p);
        const std::string entry = "[" + engine + "] " + why;
        if (std::find(seenPlanErrors_.begin(), seenPlanErrors_.end(), entry) == seenPlanErrors_.end()) {
          seenPlanErrors_.push_back(entry);
          if (planErrors_.size() < 3) planErrors_.push_back(entry);
        }
        if (debugOn())
          std::fprintf(stderr, "[apb cudnn] %s: heuristics %s config %lld (%s): plan finalize failed: %s\n", label_, heurName(mode),
                       static_cast<long long>(i), engine.c_str(), why.c_str());
        continue;
      }
      if (debugOn())
        std::fprintf(stderr, "[apb cudnn] %s: heuristics %s config %lld (%s): plan finalized, workspace %lld bytes\n", label_,
                     heurName(mode), static_cast<long long>(i), engine.c_str(), static_cast<long long>(ws));
      owned_.push_back(p);
      plan_ = p;
      workspace_ = ws;
      return;
    }
  }

  const Api* api_;
  const char* label_;
  std::vector<Descriptor> owned_;
  std::vector<Descriptor> ops_;
  int64_t nextVirtual_ = 100;
  std::string error_;
  Descriptor plan_ = nullptr;
  int64_t workspace_ = 0;
  std::string heurSummary_;
  std::vector<int64_t> configCounts_;
  std::vector<std::string> planErrors_;      // the first few distinct plan-finalize failures (for the reason)
  std::vector<std::string> seenPlanErrors_;  // every distinct one (at most 3 modes x 16 configs)
};

/** Our [rows, heads*dh] bfloat16 buffers as [b=1, heads, rows, dh] (BSHD strides); Kᵀ swaps the last two. */
struct SdpaTensors {
  Descriptor q, k, v, o, stats, scale;
};

SdpaTensors ioTensors(GraphBuilder& g, const SdpaKey& key, bool transposeK) {
  const auto [sq, sk, nq, nkv, dh, causal] = key;
  (void)causal;
  const int bf = kBfloat16;
  SdpaTensors t{};
  t.q = g.tensor(kQ, bf, {1, nq, sq, dh}, {sq * nq * dh, dh, nq * dh, 1}, false);
  t.k = transposeK ? g.tensor(kK, bf, {1, nkv, dh, sk}, {sk * nkv * dh, dh, 1, nkv * dh}, false)
                   : g.tensor(kK, bf, {1, nkv, sk, dh}, {sk * nkv * dh, dh, nkv * dh, 1}, false);
  t.v = g.tensor(kV, bf, {1, nkv, sk, dh}, {sk * nkv * dh, dh, nkv * dh, 1}, false);
  t.o = g.tensor(kO, bf, {1, nq, sq, dh}, {sq * nq * dh, dh, nq * dh, 1}, false);
  t.stats = g.tensor(kStats, kFloat, {1, nq, sq, 1}, {nq * sq, sq, 1, 1}, false);  // float32 [b, h, sq, 1]
  t.scale = g.scalar(kScale, kFloat);
  return t;
}

/**
 * The SDPA forward pattern as individual operations, in the order and with the types NVIDIA's frontend lowers its
 * composite SDPA node to for cuDNN < 9.21 (matmul, scale, mask, softmax with stats, matmul).
 */
void buildComposite(GraphBuilder& g, const SdpaKey& key, SdpaMask mask) {
  const auto [sq, sk, nq, nkv, dh, causal] = key;
  (void)nkv;
  (void)dh;
  (void)causal;
  const SdpaTensors t = ioTensors(g, key, /*transposeK=*/true);
  const std::array<int64_t, 4> full{1, nq, sq, sk}, row{1, nq, sq, 1};

  Descriptor s1 = g.virt(kFloat, full);
  g.matmul(t.q, t.k, s1);
  Descriptor s2 = g.virt(kFloat, full);
  g.pointwise(kPwMul, kFloat, s1, t.scale, nullptr, s2);
  Descriptor scores = s2;
  if (mask != SdpaMask::None) {
    // Row/column indices: GEN_INDEX computed in float, written as int32 (axis 2 = query row, 3 = key column).
    Descriptor rowIdx = g.virt(kInt32, full), colIdx = g.virt(kInt32, full);
    g.pointwise(kPwGenIndex, kFloat, s2, nullptr, nullptr, rowIdx, 2);
    g.pointwise(kPwGenIndex, kFloat, s2, nullptr, nullptr, colIdx, 3);
    Descriptor diagRow = rowIdx;
    if (mask == SdpaMask::BottomRight) {
      // row + s_kv − s_q, as two int32 ops on by-value int32 scalars (the frontend's bottom-right form).
      Descriptor seqKv = g.scalar(kSeqKv, kInt32), seqQ = g.scalar(kSeqQ, kInt32);
      Descriptor plusKv = g.virt(kInt32, full), shifted = g.virt(kInt32, full);
      g.pointwise(kPwAdd, kInt32, rowIdx, seqKv, nullptr, plusKv);
      g.pointwise(kPwSub, kInt32, plusKv, seqQ, nullptr, shifted);
      diagRow = shifted;
    }
    Descriptor keep = g.virt(kBoolean, full), masked = g.virt(kFloat, full);
    Descriptor fill = g.scalar(kMaskValue, kFloat);
    g.pointwise(kPwCmpGe, kBoolean, diagRow, colIdx, nullptr, keep);  // keep key col iff col <= row (+ s_kv − s_q)
    g.pointwise(kPwBinarySelect, kFloat, s2, fill, keep, masked);     // y = keep ? s : fill
    scores = masked;
  }
  Descriptor mx = g.virt(kFloat, row), centered = g.virt(kFloat, full), e = g.virt(kFloat, full);
  Descriptor sum = g.virt(kFloat, row), logSum = g.virt(kFloat, row);
  // P feeds the second matmul's A operand: the fused engine wants it in the I/O type (bfloat16), not float32.
  Descriptor p = g.virt(kBfloat16, full);
  g.reduce(kReduceMax, scores, mx);
  g.pointwise(kPwSub, kFloat, scores, mx, nullptr, centered);
  g.pointwise(kPwExp, kFloat, centered, nullptr, nullptr, e);
  g.reduce(kReduceAdd, e, sum);
  g.pointwise(kPwLog, kFloat, sum, nullptr, nullptr, logSum);
  g.pointwise(kPwAdd, kFloat, mx, logSum, nullptr, t.stats);  // natural-log LSE of the scaled scores
  g.pointwise(kPwDiv, kFloat, e, sum, nullptr, p);
  g.matmul(p, t.v, t.o);
}

/** cuDNN ≥ 9.13's single SDPA_FWD operation (unmasked only before 9.21): Q, K (not transposed), V, O, stats, scale. */
void buildUnified(GraphBuilder& g, const SdpaKey& key) {
  const SdpaTensors t = ioTensors(g, key, /*transposeK=*/false);
  Descriptor op = g.make(kOperationSdpaFwdDescriptor, "sdpa_fwd op");
  g.set(op, kOpSdpaFwdQDesc, kTypeBackendDescriptor, 1, &t.q, "sdpa_fwd q");
  g.set(op, kOpSdpaFwdKDesc, kTypeBackendDescriptor, 1, &t.k, "sdpa_fwd k");
  g.set(op, kOpSdpaFwdVDesc, kTypeBackendDescriptor, 1, &t.v, "sdpa_fwd v");
  g.set(op, kOpSdpaFwdODesc, kTypeBackendDescriptor, 1, &t.o, "sdpa_fwd o");
  g.set(op, kOpSdpaFwdStatsDesc, kTypeBackendDescriptor, 1, &t.stats, "sdpa_fwd stats");
  g.set(op, kOpSdpaFwdScaleDesc, kTypeBackendDescriptor, 1, &t.scale, "sdpa_fwd scale");
  g.finalize(op, "sdpa_fwd op finalize");
  g.addOp(op);
}

std::string describeKey(const SdpaKey& key, SdpaMask mask) {
  const auto [sq, sk, nq, nkv, dh, causal] = key;
  (void)causal;
  const char* m = mask == SdpaMask::None ? "none" : mask == SdpaMask::TopLeft ? "causal" : "bottom-right causal";
  return "sq " + std::to_string(sq) + ", sk " + std::to_string(sk) + ", heads " + std::to_string(nq) + "/" + std::to_string(nkv) +
         ", dh " + std::to_string(dh) + ", mask " + m;
}

/** Builds the SDPA forward plan for one shape (bfloat16, b = 1, GQA by nkv); a failure leaves the reason in `out`. */
void buildSdpa(const Api* api, Handle handle, const SdpaKey& key, SdpaPlan* out) {
  const auto [sq, sk, nq, nkv, dh, causal] = key;
  (void)nq;
  (void)nkv;
  (void)dh;
  if (causal != 0 && sq > sk) {
    out->unsupported = "bottom-right causal needs sq <= sk";
    return;
  }
  const size_t version = cudnnVersion();
  const SdpaMask mask = causal == 0 ? SdpaMask::None : sq == sk ? SdpaMask::TopLeft : SdpaMask::BottomRight;
  out->mask = mask;
  out->maskValue = version >= 91000 ? -std::numeric_limits<float>::infinity() : std::numeric_limits<float>::lowest();
  if (debugOn())
    std::fprintf(stderr, "[apb cudnn] building SDPA (%s), cuDNN %zu, last-error text %s, NVRTC: %s\n", describeKey(key, mask).c_str(),
                 version, api->getLastErrorString != nullptr ? "available" : "unavailable", nvrtcNote().c_str());
  std::string reasons;
  {
    GraphBuilder g(api, "composite graph");
    buildComposite(g, key, mask);
    if (!g.failed()) g.plan(handle);
    if (!g.failed()) {
      g.adoptInto(out);
      out->graph = SdpaGraph::Composite;
      return;
    }
    reasons = "composite graph: " + g.error();
  }
  if (mask == SdpaMask::None && version >= 91301) {
    GraphBuilder g(api, "sdpa_fwd op");
    buildUnified(g, key);
    if (!g.failed()) g.plan(handle);
    if (!g.failed()) {
      g.adoptInto(out);
      out->graph = SdpaGraph::Unified;
      return;
    }
    reasons += "; sdpa_fwd op: " + g.error();
  }
  out->unsupported = reasons;
  if (debugOn()) std::fprintf(stderr, "[apb cudnn] SDPA (%s) unsupported: %s\n", describeKey(key, mask).c_str(), reasons.c_str());
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
    *reason = "cudnnCreate: " + failureText(api, s);
    return okStatus();
  }
  s = api->setStream(state->handle, ctx.stream());
  if (s != kSuccess) return cudnnFailure(s, failureText(api, s), "cudnnSetStream", __FILE__, __LINE__).inOp("attention");
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
  float maskValue = plan.maskValue;
  int32_t seqKv = static_cast<int32_t>(c.sk), seqQ = static_cast<int32_t>(c.sq);
  // By-value tensors point at host scalars; cuDNN reads them when the call is enqueued.
  std::vector<int64_t> uids{kQ, kK, kV, kO, kStats, kScale};
  std::vector<void*> ptrs{const_cast<void*>(c.q), const_cast<void*>(c.k), const_cast<void*>(c.v), c.out, stats, &scale};
  if (plan.graph == SdpaGraph::Composite && plan.mask != SdpaMask::None) {
    uids.push_back(kMaskValue);
    ptrs.push_back(&maskValue);
  }
  if (plan.graph == SdpaGraph::Composite && plan.mask == SdpaMask::BottomRight) {
    uids.insert(uids.end(), {kSeqKv, kSeqQ});
    ptrs.insert(ptrs.end(), {&seqKv, &seqQ});
  }
  const int64_t n = static_cast<int64_t>(uids.size());
  const Api* api = st.api;
  Descriptor pack = nullptr;
  DnnStatus s = api->createDescriptor(kVariantPackDescriptor, &pack);
  if (s == kSuccess) s = api->setAttribute(pack, kVariantPackUniqueIds, kTypeInt64, n, uids.data());
  if (s == kSuccess) s = api->setAttribute(pack, kVariantPackDataPointers, kTypeVoidPtr, n, ptrs.data());
  if (s == kSuccess) s = api->setAttribute(pack, kVariantPackWorkspace, kTypeVoidPtr, 1, &workspace);
  if (s == kSuccess) s = api->finalize(pack);
  if (s == kSuccess) s = api->execute(st.handle, plan.plan, pack);
  const std::string why = s == kSuccess ? "" : failureText(api, s);
  if (pack != nullptr) api->destroyDescriptor(pack);
  Status done = okStatus();
  if (s != kSuccess) done = cudnnFailure(s, why, "cudnnBackendExecute(sdpa)", __FILE__, __LINE__).inOp("attention");
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
  // A decode step has one query row and one more key than the last: each would be a new plan (tens of ms to build
  // against microseconds of work), so single rows stay on our kernel.
  if (a.tq == 1) return "single-row decode step";
  return "";
}

}  // namespace

Status attentionRouted(const AttentionArgs& a, Context& ctx, AttentionRoute route, std::string* ran) {
  *ran = "kernel";
  int64_t chunks = 1;
  bool decode = false;
  if (route == AttentionRoute::Kernel) {
    const Status st = attentionLaunch(a, ctx.stream(), &chunks, &decode);
    *ran = kernelLabel(chunks, decode);
    return st;
  }
  std::string reason = whyNotCudnn(a);
  std::vector<SdpaCall> calls;
  if (reason.empty()) splitMask(a, &calls, &reason);
  CudnnState* st = nullptr;
  if (reason.empty()) APB_TRY(stateOf(ctx, cudnnApi(), &st, &reason));
  if (st != nullptr && st->plans.size() + calls.size() > kMaxCachedPlans) {
    APB_CUDA_TRY(cudaStreamSynchronize(ctx.stream()));
    st->dropPlans();
  }
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
    const Status fell = attentionLaunch(a, ctx.stream(), &chunks, &decode);
    *ran = std::string(kernelLabel(chunks, decode)) + " (cuDNN: " + reason + ")";
    return fell;
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
