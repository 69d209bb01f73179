// dlopen/dlsym of cuDNN 9 (libcudnn.so.9, which itself loads its graph/engine sub-libraries from its own folder): no
// link-time dependency, so the addon builds without cuDNN and the attention op falls back to our kernel without it.
#include "cudnn-loader.h"

#include <dlfcn.h>
#include <sys/stat.h>

#include <mutex>

namespace apb {

namespace {

std::mutex gMutex;
dnn::Api gApi;
bool gLoaded = false;
CudnnLoadResult gResult;
std::string gNvrtcPreloaded;  // "<path>" of an NVRTC we preloaded from the wheel folders, empty if none

// NVRTC sonames cuDNN 9's runtime-compiled engines may ask for (CUDA 13 and CUDA 12 builds of cuDNN).
constexpr const char* kNvrtcSonames[] = {"libnvrtc.so.13", "libnvrtc.so.12"};

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
  const bool all =
      resolve(lib, "cudnnCreate", &api->create, missing) && resolve(lib, "cudnnDestroy", &api->destroy, missing) &&
      resolve(lib, "cudnnSetStream", &api->setStream, missing) && resolve(lib, "cudnnGetVersion", &api->getVersion, missing) &&
      resolve(lib, "cudnnGetErrorString", &api->getErrorString, missing) &&
      resolve(lib, "cudnnBackendCreateDescriptor", &api->createDescriptor, missing) &&
      resolve(lib, "cudnnBackendDestroyDescriptor", &api->destroyDescriptor, missing) &&
      resolve(lib, "cudnnBackendSetAttribute", &api->setAttribute, missing) &&
      resolve(lib, "cudnnBackendGetAttribute", &api->getAttribute, missing) &&
      resolve(lib, "cudnnBackendFinalize", &api->finalize, missing) && resolve(lib, "cudnnBackendExecute", &api->execute, missing);
  if (!all) return false;
  // Optional: cuDNN 9's detailed text of the last error (void cudnnGetLastErrorString(char*, size_t)).
  std::string ignored;
  resolve(lib, "cudnnGetLastErrorString", &api->getLastErrorString, &ignored);
  return true;
}

bool isFile(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

/**
 * Best effort, never an error: when cuDNN came from a pip wheel (…/site-packages/nvidia/cudnn/lib/libcudnn.so.9), the
 * matching NVRTC usually sits in the sibling wheel folder …/nvidia/cuda_nvrtc/lib and is not on LD_LIBRARY_PATH
 * (PyTorch preloads it itself). cuDNN's runtime-compiled SDPA engines dlopen NVRTC by soname; a library already loaded
 * under that soname satisfies the lookup, so loading the wheel's copy (RTLD_GLOBAL) here lets those engines find it.
 * Skipped for a soname that already resolves (already resident or on the loader path).
 */
void preloadWheelNvrtc(const std::string& cudnnPath) {
  const size_t slash = cudnnPath.rfind('/');
  if (slash == std::string::npos) return;
  const std::string dir = cudnnPath.substr(0, slash);
  for (const char* soname : kNvrtcSonames) {
    if (void* h = dlopen(soname, RTLD_NOW | RTLD_NOLOAD)) {
      dlclose(h);
      continue;  // already resident
    }
    // nvidia-cuda-nvrtc-cu12 installs to nvidia/cuda_nvrtc/lib; the CUDA 13 wheels to nvidia/cu13/lib.
    for (const std::string& wheelDir : {dir + "/../../cuda_nvrtc/lib", dir + "/../../cu13/lib"}) {
      const std::string path = wheelDir + "/" + soname;
      if (!isFile(path)) continue;
      if (dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL) != nullptr) {  // stays loaded for the life of the process
        gNvrtcPreloaded += (gNvrtcPreloaded.empty() ? "" : ", ") + path;
        break;
      }
    }
  }
}

std::string nvrtcNoteLocked() {
  std::string resident;
  for (const char* soname : kNvrtcSonames) {
    if (void* h = dlopen(soname, RTLD_NOW | RTLD_NOLOAD)) {
      dlclose(h);
      resident += (resident.empty() ? "" : ", ") + std::string(soname);
    }
  }
  std::string note = resident.empty() ? "no libnvrtc resident" : resident + " resident";
  if (!gNvrtcPreloaded.empty()) note += " (preloaded " + gNvrtcPreloaded + ")";
  return note;
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
    // Where the soname was given (no folder), the loader's own resolution of libcudnn.so.9 names the folder.
    std::string where = path;
    if (where.find('/') == std::string::npos) {
      Dl_info info{};
      if (dladdr(reinterpret_cast<void*>(api.getVersion), &info) != 0 && info.dli_fname != nullptr) where = info.dli_fname;
    }
    preloadWheelNvrtc(where);
    gApi = api;  // the library stays open for the life of the process
    gLoaded = true;
    result.loaded = true;
    result.path = path;
    result.version = version;
    result.nvrtc = nvrtcNoteLocked();
    gResult = result;
    return result;
  }
  return result;
}

const dnn::Api* cudnnApi() {
  std::lock_guard<std::mutex> lock(gMutex);
  return gLoaded ? &gApi : nullptr;
}

size_t cudnnVersion() {
  std::lock_guard<std::mutex> lock(gMutex);
  return gLoaded ? gResult.version : 0;
}

std::string nvrtcNote() {
  std::lock_guard<std::mutex> lock(gMutex);
  return nvrtcNoteLocked();
}

}  // namespace apb
