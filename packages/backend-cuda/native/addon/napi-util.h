// Node-API helpers (plain C API, node_api.h): JS errors built from a Status, typed externals for contexts and device
// buffers, and readers for positional arguments and for the fields of an options object.
#pragma once

#define NAPI_VERSION 8
#include <node_api.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "../common/dtype.cuh"
#include "../common/status.h"
#include "../runtime/context.h"

namespace apb::js {

/** The JS Error for a failed status: code "APB_CUDA_NATIVE" plus kind, op, status, statusName, where. */
napi_value errorValue(napi_env env, const Status& s);
/** Throws errorValue(s) (unless an exception is already pending) and returns nullptr. */
napi_value throwStatus(napi_env env, const Status& s);

napi_value undefinedValue(napi_env env);
napi_value numberValue(napi_env env, double v);
napi_value stringValue(napi_env env, const std::string& s);
napi_value boolValue(napi_env env, bool v);
void setField(napi_env env, napi_value obj, const char* name, napi_value value);

/** Holder of a context in a JS external (the Context lives while buffers or the holder reference it). */
struct ContextHolder {
  std::shared_ptr<Context> ctx;
};

napi_value wrapContext(napi_env env, std::shared_ptr<Context> ctx);
napi_value wrapBuffer(napi_env env, std::unique_ptr<DeviceBuffer> buf);

/** Positional arguments of one call. */
class Args {
 public:
  Args(napi_env env, napi_callback_info info, const char* op);
  size_t count() const { return argc_; }
  napi_value at(size_t i) const { return i < argc_ ? argv_[i] : nullptr; }
  /** The context in argument i (Closed or InvalidArgument status otherwise). */
  std::shared_ptr<Context> context(size_t i, Status* status) const;
  DeviceBuffer* buffer(size_t i, Status* status) const;
  napi_env env() const { return env_; }
  const char* op() const { return op_; }

 private:
  napi_env env_;
  const char* op_;
  size_t argc_ = 0;
  napi_value argv_[4] = {nullptr, nullptr, nullptr, nullptr};
};

/** Reads named fields of an options object; the first problem is kept in *status and later reads return zeros. */
class Fields {
 public:
  Fields(napi_env env, napi_value obj, const char* op, Status* status);
  int64_t i64(const char* name);
  /** An optional integer field: `fallback` when it is undefined or null. */
  int64_t i64Or(const char* name, int64_t fallback);
  double f64(const char* name);
  DType dtype(const char* name);
  std::string str(const char* name);
  /** A device buffer field; when `optional`, null/undefined give nullptr. */
  DeviceBuffer* buffer(const char* name, bool optional = false);
  /** Device pointer of a buffer field plus a byte offset, checked to hold `bytes` bytes from there. */
  void* ptr(const char* name, size_t bytes, size_t byteOffset = 0);
  /** A typed array field: its data, its element count and its type. */
  void* typedArray(const char* name, napi_typedarray_type* type, size_t* length);
  /** Host typed-array fields of a given element type holding at least `need` elements. */
  float* hostF32(const char* name, int64_t need);
  int32_t* hostI32(const char* name, int64_t need);
  double* hostF64(const char* name, int64_t need);
  /** Bytes of a tensor with these dims and element size; records InvalidArgument for a negative or huge dim. */
  size_t bytesOf(std::initializer_list<int64_t> dims, size_t elemBytes);
  bool ok() const { return status_->ok(); }

 private:
  napi_value get(const char* name);
  bool fail(const std::string& message);
  napi_env env_;
  napi_value obj_;
  const char* op_;
  Status* status_;
};

/** Reads buffer `v` (tagged external) or records InvalidArgument. */
DeviceBuffer* unwrapBuffer(napi_env env, napi_value v, const char* op, Status* status);

}  // namespace apb::js
