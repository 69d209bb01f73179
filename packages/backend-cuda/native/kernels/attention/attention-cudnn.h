// The attention op's routes: our own kernel, or cuDNN 9's fused flash attention (SDPA forward through the backend
// graph API) with the APB mask split into two standard calls on disjoint query rows (APB.md 3.8): anchor rows are
// causal over the anchor keys, the other rows bottom-right causal (or unmasked) over a key prefix. Where cuDNN is not
// loaded, the dtype is not bfloat16, the mask does not split, or cuDNN cannot build the graph, our kernel runs and
// the reason is returned (never a failure). Plans are cached per shape on the context.
#pragma once

#include <string>

#include "../../runtime/context.h"
#include "attention.cuh"

namespace apb {

/** Which implementation the caller asks for. */
enum class AttentionRoute : int { Kernel = 0, Cudnn = 1 };

/** One standard SDPA call: queries [sq, nq*dh], keys/values [sk, nkv*dh], bottom-right causal when `causal`. */
struct SdpaCall {
  void* out;       // [sq, nq*dh]
  float* lse;      // [sq, nq] (our layout: row-major by query row)
  const void* q;
  const void* k;
  const void* v;
  int64_t sq;
  int64_t sk;
  bool causal;     // key c visible to local query row r iff c <= r + (sk - sq)
};

/**
 * Runs `a` on the route asked for. `ran` becomes "kernel", "cudnn", or "kernel (cuDNN: <reason>)" when cuDNN was
 * asked for but could not run this call; "kernel split-K" instead of "kernel" when our kernel ran split over key
 * chunks. Returns a failed Status only for a real failure (CUDA, cuDNN execute).
 */
Status attentionRouted(const AttentionArgs& a, Context& ctx, AttentionRoute route, std::string* ran);

/** Transposes cuDNN's softmax stats [nq, sq] (contiguous) into our [sq, nq] rows (attention-stats.cu). */
Status attentionStatsLaunch(float* lse, const float* stats, int64_t sq, int64_t nq, cudaStream_t stream);

}  // namespace apb
