// Device discovery and contexts from JS: probe (never throws: it reports the CUDA status), device info, loading
// cuBLASLt from candidate paths, creating/closing a backend's context, and the device's memory (pool peaks).
#include <string>
#include <vector>

#include "../common/cublaslt-loader.h"
#include "../common/cudnn-loader.h"
#include "bindings.h"

namespace apb::js {

namespace {

napi_value Probe(napi_env env, napi_callback_info) {
  int count = 0;
  const cudaError_t e = cudaGetDeviceCount(&count);
  int runtimeVersion = 0;
  int driverVersion = 0;
  cudaRuntimeGetVersion(&runtimeVersion);
  cudaDriverGetVersion(&driverVersion);
  cudaGetLastError();  // a failed probe must not leave a sticky-looking error for the next call
  napi_value out;
  napi_create_object(env, &out);
  setField(env, out, "status", numberValue(env, static_cast<int>(e)));
  setField(env, out, "statusName", stringValue(env, cudaGetErrorName(e)));
  setField(env, out, "deviceCount", numberValue(env, e == cudaSuccess ? count : 0));
  setField(env, out, "runtimeVersion", numberValue(env, runtimeVersion));
  setField(env, out, "driverVersion", numberValue(env, driverVersion));
  return out;
}

napi_value DeviceInfo(napi_env env, napi_callback_info info) {
  Args args(env, info, "deviceInfo");
  int32_t device = 0;
  if (napi_get_value_int32(env, args.at(0), &device) != napi_ok) return throwStatus(env, invalidArgument("deviceInfo", "device must be an integer"));
  cudaDeviceProp p{};
  const cudaError_t e = cudaGetDeviceProperties(&p, device);
  if (e != cudaSuccess) return throwStatus(env, cudaFailure(static_cast<int>(e), "cudaGetDeviceProperties", __FILE__, __LINE__).inOp("deviceInfo"));
  napi_value out;
  napi_create_object(env, &out);
  setField(env, out, "name", stringValue(env, p.name));
  setField(env, out, "major", numberValue(env, p.major));
  setField(env, out, "minor", numberValue(env, p.minor));
  setField(env, out, "totalMem", numberValue(env, static_cast<double>(p.totalGlobalMem)));
  setField(env, out, "multiProcessorCount", numberValue(env, p.multiProcessorCount));
  setField(env, out, "l2CacheSize", numberValue(env, p.l2CacheSize));
  return out;
}

/** Reads argument 0 as an array of path strings; false when it is not an array. */
bool readCandidates(napi_env env, napi_value arr, std::vector<std::string>* candidates) {
  uint32_t n = 0;
  bool isArray = false;
  napi_is_array(env, arr, &isArray);
  if (!isArray) return false;
  napi_get_array_length(env, arr, &n);
  for (uint32_t i = 0; i < n; i++) {
    napi_value v;
    napi_get_element(env, arr, i, &v);
    size_t len = 0;
    if (napi_get_value_string_utf8(env, v, nullptr, 0, &len) != napi_ok) continue;
    std::string s(len, '\0');
    napi_get_value_string_utf8(env, v, s.data(), len + 1, &len);
    candidates->push_back(s);
  }
  return true;
}

/** { loaded, path, version, errors } of a dlopen search. */
napi_value loadResultValue(napi_env env, bool loaded, const std::string& path, size_t version, const std::vector<std::string>& errs) {
  napi_value out;
  napi_create_object(env, &out);
  setField(env, out, "loaded", boolValue(env, loaded));
  setField(env, out, "path", stringValue(env, path));
  setField(env, out, "version", numberValue(env, static_cast<double>(version)));
  napi_value errors;
  napi_create_array_with_length(env, errs.size(), &errors);
  for (size_t i = 0; i < errs.size(); i++) napi_set_element(env, errors, static_cast<uint32_t>(i), stringValue(env, errs[i]));
  setField(env, out, "errors", errors);
  return out;
}

napi_value LoadCublasLt(napi_env env, napi_callback_info info) {
  Args args(env, info, "loadCublasLt");
  std::vector<std::string> candidates;
  if (!readCandidates(env, args.at(0), &candidates)) return throwStatus(env, invalidArgument("loadCublasLt", "expected an array of paths"));
  const CublasLtLoadResult r = loadCublasLt(candidates);
  return loadResultValue(env, r.loaded, r.path, r.version, r.errors);
}

napi_value LoadCudnn(napi_env env, napi_callback_info info) {
  Args args(env, info, "loadCudnn");
  std::vector<std::string> candidates;
  if (!readCandidates(env, args.at(0), &candidates)) return throwStatus(env, invalidArgument("loadCudnn", "expected an array of paths"));
  const CudnnLoadResult r = loadCudnn(candidates);
  return loadResultValue(env, r.loaded, r.path, r.version, r.errors);
}

napi_value CreateContext(napi_env env, napi_callback_info info) {
  Args args(env, info, "createContext");
  Status st;
  Fields f(env, args.at(0), "createContext", &st);
  const int64_t device = f.i64("device");
  const int64_t workspaceBytes = f.i64("workspaceBytes");
  const int64_t mode = f.i64("gemmMode");
  const int64_t syncEachOp = f.i64("syncEachOp");
  if (st.ok() && (device < 0 || workspaceBytes < 0 || mode < 0 || mode > 2)) st = invalidArgument("createContext", "bad device, workspace or gemm mode");
  std::shared_ptr<Context> ctx;
  if (st.ok()) st = Context::create(static_cast<int>(device), static_cast<size_t>(workspaceBytes), static_cast<GemmMode>(mode), &ctx);
  if (!st.ok()) return throwStatus(env, st.inOp("createContext"));
  ctx->syncEachOp = syncEachOp != 0;
  return wrapContext(env, std::move(ctx));
}

napi_value CloseContext(napi_env env, napi_callback_info info) {
  Args args(env, info, "closeContext");
  Status st;
  auto ctx = args.context(0, &st);
  if (st.ok()) st = ctx->close();
  if (!st.ok() && st.kind != StatusKind::Closed) return throwStatus(env, st.inOp("closeContext"));
  return undefinedValue(env);
}

napi_value ContextInfo(napi_env env, napi_callback_info info) {
  Args args(env, info, "contextInfo");
  Status st;
  auto ctx = args.context(0, &st);
  if (!st.ok()) return throwStatus(env, st);
  napi_value out;
  napi_create_object(env, &out);
  setField(env, out, "device", numberValue(env, ctx->device()));
  setField(env, out, "cublasLt", boolValue(env, ctx->ltHandle() != nullptr));
  setField(env, out, "gemmMode", numberValue(env, static_cast<int>(ctx->gemmMode())));
  setField(env, out, "closed", boolValue(env, ctx->closed()));
  return out;
}

/** Reads one attribute of the device's default memory pool (the pool every stream-ordered allocation comes from). */
Status poolAttribute(cudaMemPool_t pool, cudaMemPoolAttr attr, uint64_t* value) {
  *value = 0;
  APB_CUDA_TRY(cudaMemPoolGetAttribute(pool, attr, value));
  return okStatus();
}

/**
 * Device memory of a context's device: cudaMemGetInfo's free/total, and the default pool's bytes in use and reserved,
 * current and high-water marks (every allocation of this addon but the cuBLASLt workspace goes through that pool).
 * With `resetPeaks: 1` the high-water marks are reset after being read, so the next read gives the peak since now.
 */
napi_value MemoryInfo(napi_env env, napi_callback_info info) {
  Args args(env, info, "memoryInfo");
  Status st;
  auto ctx = args.context(0, &st);
  Fields f(env, args.at(1), "memoryInfo", &st);
  const bool reset = f.i64("resetPeaks") != 0;
  if (st.ok()) st = ctx->use("memoryInfo");
  size_t freeBytes = 0;
  size_t totalBytes = 0;
  cudaMemPool_t pool = nullptr;
  uint64_t used = 0, usedHigh = 0, reserved = 0, reservedHigh = 0;
  if (st.ok()) {
    const cudaError_t e = cudaMemGetInfo(&freeBytes, &totalBytes);
    if (e != cudaSuccess) st = cudaFailure(static_cast<int>(e), "cudaMemGetInfo", __FILE__, __LINE__);
  }
  if (st.ok()) {
    const cudaError_t e = cudaDeviceGetDefaultMemPool(&pool, ctx->device());
    if (e != cudaSuccess) st = cudaFailure(static_cast<int>(e), "cudaDeviceGetDefaultMemPool", __FILE__, __LINE__);
  }
  if (st.ok()) st = poolAttribute(pool, cudaMemPoolAttrUsedMemCurrent, &used);
  if (st.ok()) st = poolAttribute(pool, cudaMemPoolAttrUsedMemHigh, &usedHigh);
  if (st.ok()) st = poolAttribute(pool, cudaMemPoolAttrReservedMemCurrent, &reserved);
  if (st.ok()) st = poolAttribute(pool, cudaMemPoolAttrReservedMemHigh, &reservedHigh);
  if (st.ok() && reset) {
    uint64_t zero = 0;  // the documented way to reset a high-water mark
    cudaError_t e = cudaMemPoolSetAttribute(pool, cudaMemPoolAttrUsedMemHigh, &zero);
    if (e == cudaSuccess) e = cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReservedMemHigh, &zero);
    if (e != cudaSuccess) st = cudaFailure(static_cast<int>(e), "cudaMemPoolSetAttribute", __FILE__, __LINE__);
  }
  if (!st.ok()) return throwStatus(env, st.inOp("memoryInfo"));
  napi_value out;
  napi_create_object(env, &out);
  setField(env, out, "freeBytes", numberValue(env, static_cast<double>(freeBytes)));
  setField(env, out, "totalBytes", numberValue(env, static_cast<double>(totalBytes)));
  setField(env, out, "poolUsedBytes", numberValue(env, static_cast<double>(used)));
  setField(env, out, "poolUsedHighBytes", numberValue(env, static_cast<double>(usedHigh)));
  setField(env, out, "poolReservedBytes", numberValue(env, static_cast<double>(reserved)));
  setField(env, out, "poolReservedHighBytes", numberValue(env, static_cast<double>(reservedHigh)));
  return out;
}

const Export kDeviceExports[] = {
    {"probe", Probe},
    {"deviceInfo", DeviceInfo},
    {"loadCublasLt", LoadCublasLt},
    {"loadCudnn", LoadCudnn},
    {"createContext", CreateContext},
    {"closeContext", CloseContext},
    {"contextInfo", ContextInfo},
    {"memoryInfo", MemoryInfo},
};

}  // namespace

void registerDevice(napi_env env, napi_value exports) { defineExports(env, exports, kDeviceExports, sizeof(kDeviceExports) / sizeof(Export)); }

}  // namespace apb::js
