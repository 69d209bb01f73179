// Loads cuDNN 9 with dlopen from a list of candidate paths (the TS side builds the list) and hands out its API. cuDNN
// is optional: without it the attention op runs our own kernel and says why.
#pragma once

#include <string>
#include <vector>

#include "cudnn-api.h"

namespace apb {

/** What loading cuDNN did: the path that worked, its version (e.g. 91000), or every failure in order. */
struct CudnnLoadResult {
  bool loaded = false;
  std::string path;
  size_t version = 0;
  std::vector<std::string> errors;
  std::string nvrtc;  // which NVRTC the runtime-compiled engines can find (diagnostics; see nvrtcNote())
};

/** Tries each candidate until one opens and exports every entry point. Process-wide and idempotent once loaded. */
CudnnLoadResult loadCudnn(const std::vector<std::string>& candidates);

/** The loaded API, or nullptr when cuDNN is not loaded. */
const dnn::Api* cudnnApi();

/** The loaded cuDNN's version (e.g. 91900), 0 when not loaded. */
size_t cudnnVersion();

/**
 * Which NVRTC sonames are resident in the process now, e.g. "libnvrtc.so.12 resident (preloaded from <dir>)" or "no
 * libnvrtc resident": cuDNN's SDPA engines are runtime-compiled and dlopen NVRTC when a plan is finalized, so a plan
 * failure with no NVRTC resident points at LD_LIBRARY_PATH rather than the graph.
 */
std::string nvrtcNote();

}  // namespace apb
