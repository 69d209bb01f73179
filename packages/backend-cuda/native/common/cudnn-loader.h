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
};

/** Tries each candidate until one opens and exports every entry point. Process-wide and idempotent once loaded. */
CudnnLoadResult loadCudnn(const std::vector<std::string>& candidates);

/** The loaded API, or nullptr when cuDNN is not loaded. */
const dnn::Api* cudnnApi();

}  // namespace apb
