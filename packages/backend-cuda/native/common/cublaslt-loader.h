// Loads cuBLASLt with dlopen from a list of candidate paths (the TS loader builds the list) and hands out its API.
#pragma once

#include <string>
#include <vector>

#include "cublaslt-api.h"

namespace apb {

/** What loading cuBLASLt did: the path that worked, its version, or every failure in order. */
struct CublasLtLoadResult {
  bool loaded = false;
  std::string path;
  size_t version = 0;
  std::vector<std::string> errors;
};

/**
 * Tries each candidate (a file name for the loader's search or an absolute path) until one opens and exports every
 * entry point. Process-wide and idempotent: once loaded, later calls return the first result.
 */
CublasLtLoadResult loadCublasLt(const std::vector<std::string>& candidates);

/** The loaded API, or nullptr when cuBLASLt is not loaded. */
const lt::Api* cublasLtApi();

}  // namespace apb
