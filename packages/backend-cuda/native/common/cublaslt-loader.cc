// dlopen/dlsym of cuBLASLt (ECOSYSTEM.md 6.4.3): no link-time dependency, so the addon builds without cuBLAS and
// reports a clear reason at run time when the library is absent.
#include "cublaslt-loader.h"

#include <dlfcn.h>

#include <mutex>

namespace apb {

namespace {

std::mutex gMutex;
lt::Api gApi;
bool gLoaded = false;
CublasLtLoadResult gResult;

template <typename F>
bool resolve(void* lib, const char* name, F* out, std::string* missing) {
  void* sym = dlsym(lib, name);
  if (sym == nullptr) {
    *missing = name;
    return false;
  }
  *out = reinterpret_cast<F>(sym);
  return true;
}

bool resolveAll(void* lib, lt::Api* api, std::string* missing) {
  return resolve(lib, "cublasLtCreate", &api->create, missing) && resolve(lib, "cublasLtDestroy", &api->destroy, missing) &&
         resolve(lib, "cublasLtGetVersion", &api->getVersion, missing) &&
         resolve(lib, "cublasLtMatmulDescCreate", &api->matmulDescCreate, missing) &&
         resolve(lib, "cublasLtMatmulDescDestroy", &api->matmulDescDestroy, missing) &&
         resolve(lib, "cublasLtMatmulDescSetAttribute", &api->matmulDescSetAttribute, missing) &&
         resolve(lib, "cublasLtMatrixLayoutCreate", &api->matrixLayoutCreate, missing) &&
         resolve(lib, "cublasLtMatrixLayoutDestroy", &api->matrixLayoutDestroy, missing) &&
         resolve(lib, "cublasLtMatmulPreferenceCreate", &api->matmulPreferenceCreate, missing) &&
         resolve(lib, "cublasLtMatmulPreferenceDestroy", &api->matmulPreferenceDestroy, missing) &&
         resolve(lib, "cublasLtMatmulPreferenceSetAttribute", &api->matmulPreferenceSetAttribute, missing) &&
         resolve(lib, "cublasLtMatmulAlgoGetHeuristic", &api->matmulAlgoGetHeuristic, missing) &&
         resolve(lib, "cublasLtMatmul", &api->matmul, missing);
}

}  // namespace

CublasLtLoadResult loadCublasLt(const std::vector<std::string>& candidates) {
  std::lock_guard<std::mutex> lock(gMutex);
  if (gLoaded) return gResult;
  CublasLtLoadResult result;
  for (const std::string& path : candidates) {
    void* lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
      const char* why = dlerror();
      result.errors.push_back(path + ": " + (why == nullptr ? "dlopen failed" : why));
      continue;
    }
    lt::Api api;
    std::string missing;
    if (!resolveAll(lib, &api, &missing)) {
      result.errors.push_back(path + ": missing symbol " + missing);
      dlclose(lib);
      continue;
    }
    gApi = api;  // the library stays open for the life of the process
    gLoaded = true;
    result.loaded = true;
    result.path = path;
    result.version = api.getVersion();
    gResult = result;
    return result;
  }
  return result;
}

const lt::Api* cublasLtApi() {
  std::lock_guard<std::mutex> lock(gMutex);
  return gLoaded ? &gApi : nullptr;
}

}  // namespace apb
