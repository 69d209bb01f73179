// dlopen/dlsym of cuDNN 9 (libcudnn.so.9, which itself loads its graph/engine sub-libraries from its own folder): no
// link-time dependency, so the addon builds without cuDNN and the attention op falls back to our kernel without it.
#include "cudnn-loader.h"

#include <dlfcn.h>

#include <mutex>

namespace apb {

namespace {

std::mutex gMutex;
dnn::Api gApi;
bool gLoaded = false;
CudnnLoadResult gResult;

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

bool resolveAll(void* lib, dnn::Api* api, std::string* missing) {
  return resolve(lib, "cudnnCreate", &api->create, missing) && resolve(lib, "cudnnDestroy", &api->destroy, missing) &&
         resolve(lib, "cudnnSetStream", &api->setStream, missing) && resolve(lib, "cudnnGetVersion", &api->getVersion, missing) &&
         resolve(lib, "cudnnGetErrorString", &api->getErrorString, missing) &&
         resolve(lib, "cudnnBackendCreateDescriptor", &api->createDescriptor, missing) &&
         resolve(lib, "cudnnBackendDestroyDescriptor", &api->destroyDescriptor, missing) &&
         resolve(lib, "cudnnBackendSetAttribute", &api->setAttribute, missing) &&
         resolve(lib, "cudnnBackendGetAttribute", &api->getAttribute, missing) &&
         resolve(lib, "cudnnBackendFinalize", &api->finalize, missing) && resolve(lib, "cudnnBackendExecute", &api->execute, missing);
}

}  // namespace

CudnnLoadResult loadCudnn(const std::vector<std::string>& candidates) {
  std::lock_guard<std::mutex> lock(gMutex);
  if (gLoaded) return gResult;
  CudnnLoadResult result;
  for (const std::string& path : candidates) {
    // RTLD_GLOBAL: cuDNN 9 dlopens its sub-libraries (libcudnn_graph, libcudnn_engines_*) that resolve against it.
    void* lib = dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL);
    if (lib == nullptr) {
      const char* why = dlerror();
      result.errors.push_back(path + ": " + (why == nullptr ? "dlopen failed" : why));
      continue;
    }
    dnn::Api api;
    std::string missing;
    if (!resolveAll(lib, &api, &missing)) {
      result.errors.push_back(path + ": missing symbol " + missing);
      dlclose(lib);
      continue;
    }
    const size_t version = api.getVersion();
    if (version < 90000) {
      result.errors.push_back(path + ": cuDNN " + std::to_string(version) + " is older than 9.0");
      dlclose(lib);
      continue;
    }
    gApi = api;  // the library stays open for the life of the process
    gLoaded = true;
    result.loaded = true;
    result.path = path;
    result.version = version;
    gResult = result;
    return result;
  }
  return result;
}

const dnn::Api* cudnnApi() {
  std::lock_guard<std::mutex> lock(gMutex);
  return gLoaded ? &gApi : nullptr;
}

}  // namespace apb
