// Node-API helpers: errors, typed externals (napi_type_tag_object guards against passing the wrong handle), readers.
#include "napi-util.h"

namespace apb::js {

namespace {

const napi_type_tag kContextTag = {0x6170622d63747800ULL, 0x91c3a5e2f0b74d11ULL};
const napi_type_tag kBufferTag = {0x6170622d62756600ULL, 0x5d2e8f4a7c1b3e09ULL};

void finalizeContext(napi_env, void* data, void*) { delete static_cast<ContextHolder*>(data); }
void finalizeBuffer(napi_env, void* data, void*) { delete static_cast<DeviceBuffer*>(data); }

bool isTagged(napi_env env, napi_value v, const napi_type_tag* tag) {
  napi_valuetype t;
  if (v == nullptr || napi_typeof(env, v, &t) != napi_ok || t != napi_external) return false;
  bool ok = false;
  return napi_check_object_type_tag(env, v, tag, &ok) == napi_ok && ok;
}

}  // namespace

napi_value undefinedValue(napi_env env) {
  napi_value v;
  napi_get_undefined(env, &v);
  return v;
}

napi_value numberValue(napi_env env, double d) {
  napi_value v;
  napi_create_double(env, d, &v);
  return v;
}

napi_value stringValue(napi_env env, const std::string& s) {
  napi_value v;
  napi_create_string_utf8(env, s.c_str(), s.size(), &v);
  return v;
}

napi_value boolValue(napi_env env, bool b) {
  napi_value v;
  napi_get_boolean(env, b, &v);
  return v;
}

void setField(napi_env env, napi_value obj, const char* name, napi_value value) { napi_set_named_property(env, obj, name, value); }

napi_value errorValue(napi_env env, const Status& s) {
  const std::string text = (s.op.empty() ? std::string("cuda") : s.op) + ": " + s.message + (s.name.empty() ? "" : " (" + s.name + ")");
  napi_value err;
  napi_create_error(env, stringValue(env, "APB_CUDA_NATIVE"), stringValue(env, text), &err);
  setField(env, err, "kind", stringValue(env, statusKindName(s.kind)));
  setField(env, err, "op", stringValue(env, s.op));
  setField(env, err, "status", numberValue(env, s.code));
  setField(env, err, "statusName", stringValue(env, s.name));
  setField(env, err, "where", stringValue(env, s.where));
  return err;
}

napi_value throwStatus(napi_env env, const Status& s) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) napi_throw(env, errorValue(env, s));
  return nullptr;
}

napi_value wrapContext(napi_env env, std::shared_ptr<Context> ctx) {
  auto* holder = new ContextHolder{std::move(ctx)};
  napi_value v;
  if (napi_create_external(env, holder, finalizeContext, nullptr, &v) != napi_ok) {
    delete holder;
    return nullptr;
  }
  napi_type_tag_object(env, v, &kContextTag);
  return v;
}

napi_value wrapBuffer(napi_env env, std::unique_ptr<DeviceBuffer> buf) {
  napi_value v;
  DeviceBuffer* raw = buf.get();
  if (napi_create_external(env, raw, finalizeBuffer, nullptr, &v) != napi_ok) return nullptr;  // buf still owns it
  buf.release();
  napi_type_tag_object(env, v, &kBufferTag);
  return v;
}

DeviceBuffer* unwrapBuffer(napi_env env, napi_value v, const char* op, Status* status) {
  if (!isTagged(env, v, &kBufferTag)) {
    *status = invalidArgument(op, "expected a device buffer handle");
    return nullptr;
  }
  void* data = nullptr;
  napi_get_value_external(env, v, &data);
  return static_cast<DeviceBuffer*>(data);
}

Args::Args(napi_env env, napi_callback_info info, const char* op) : env_(env), op_(op) {
  argc_ = 4;
  if (napi_get_cb_info(env, info, &argc_, argv_, nullptr, nullptr) != napi_ok) argc_ = 0;
  if (argc_ > 4) argc_ = 4;
}

std::shared_ptr<Context> Args::context(size_t i, Status* status) const {
  napi_value v = at(i);
  if (!isTagged(env_, v, &kContextTag)) {
    *status = invalidArgument(op_, "expected a CUDA context handle");
    return nullptr;
  }
  void* data = nullptr;
  napi_get_value_external(env_, v, &data);
  auto* holder = static_cast<ContextHolder*>(data);
  if (!holder->ctx) {
    *status = closedFailure(op_);
    return nullptr;
  }
  return holder->ctx;
}

DeviceBuffer* Args::buffer(size_t i, Status* status) const { return unwrapBuffer(env_, at(i), op_, status); }

Fields::Fields(napi_env env, napi_value obj, const char* op, Status* status) : env_(env), obj_(obj), op_(op), status_(status) {
  napi_valuetype t;
  if (obj == nullptr || napi_typeof(env, obj, &t) != napi_ok || t != napi_object) fail("expected an options object");
}

bool Fields::fail(const std::string& message) {
  if (status_->ok()) *status_ = invalidArgument(op_, message);
  return false;
}

napi_value Fields::get(const char* name) {
  if (!status_->ok()) return nullptr;
  napi_value v = nullptr;
  if (napi_get_named_property(env_, obj_, name, &v) != napi_ok) {
    fail(std::string("cannot read field ") + name);
    return nullptr;
  }
  return v;
}

double Fields::f64(const char* name) {
  napi_value v = get(name);
  if (v == nullptr) return 0.0;
  double d = 0.0;
  if (napi_get_value_double(env_, v, &d) != napi_ok) {
    fail(std::string("field ") + name + " must be a number");
    return 0.0;
  }
  return d;
}

int64_t Fields::i64(const char* name) {
  const double d = f64(name);
  if (!status_->ok()) return 0;
  if (d != static_cast<double>(static_cast<int64_t>(d))) {
    fail(std::string("field ") + name + " must be an integer");
    return 0;
  }
  return static_cast<int64_t>(d);
}

int64_t Fields::i64Or(const char* name, int64_t fallback) {
  napi_value v = get(name);
  if (v == nullptr) return 0;
  napi_valuetype t;
  if (napi_typeof(env_, v, &t) != napi_ok || t == napi_undefined || t == napi_null) return fallback;
  return i64(name);
}

DType Fields::dtype(const char* name) {
  const int64_t v = i64(name);
  if (status_->ok() && !validDType(static_cast<int>(v))) fail(std::string("field ") + name + " is not a dtype code (0 = f32, 1 = bf16)");
  return static_cast<DType>(status_->ok() ? v : 0);
}

std::string Fields::str(const char* name) {
  napi_value v = get(name);
  if (v == nullptr) return "";
  size_t len = 0;
  if (napi_get_value_string_utf8(env_, v, nullptr, 0, &len) != napi_ok) {
    fail(std::string("field ") + name + " must be a string");
    return "";
  }
  std::string s(len, '\0');
  napi_get_value_string_utf8(env_, v, s.data(), len + 1, &len);
  return s;
}

DeviceBuffer* Fields::buffer(const char* name, bool optional) {
  napi_value v = get(name);
  if (v == nullptr) return nullptr;
  napi_valuetype t;
  napi_typeof(env_, v, &t);
  if (optional && (t == napi_undefined || t == napi_null)) return nullptr;
  DeviceBuffer* b = unwrapBuffer(env_, v, op_, status_);
  if (b != nullptr && b->freed) {
    fail(std::string("buffer ") + name + " was freed");
    return nullptr;
  }
  return b;
}

void* Fields::ptr(const char* name, size_t bytes, size_t byteOffset) {
  DeviceBuffer* b = buffer(name);
  if (b == nullptr) return nullptr;
  if (byteOffset + bytes > b->bytes) {
    fail(std::string("buffer ") + name + " holds " + std::to_string(b->bytes) + " bytes, the op needs " + std::to_string(byteOffset + bytes));
    return nullptr;
  }
  return static_cast<char*>(b->ptr) + byteOffset;
}

void* Fields::typedArray(const char* name, napi_typedarray_type* type, size_t* length) {
  napi_value v = get(name);
  if (v == nullptr) return nullptr;
  bool is = false;
  if (napi_is_typedarray(env_, v, &is) != napi_ok || !is) {
    fail(std::string("field ") + name + " must be a typed array");
    return nullptr;
  }
  void* data = nullptr;
  napi_value ab;
  size_t offset = 0;
  napi_get_typedarray_info(env_, v, type, length, &data, &ab, &offset);
  return data;
}

float* Fields::hostF32(const char* name, int64_t need) {
  napi_typedarray_type type = napi_float32_array;
  size_t length = 0;
  void* data = typedArray(name, &type, &length);
  if (!ok()) return nullptr;
  if (type != napi_float32_array || static_cast<int64_t>(length) < need) {
    fail(std::string("field ") + name + " must be a Float32Array of at least " + std::to_string(need) + " values");
    return nullptr;
  }
  return static_cast<float*>(data);
}

int32_t* Fields::hostI32(const char* name, int64_t need) {
  napi_typedarray_type type = napi_int32_array;
  size_t length = 0;
  void* data = typedArray(name, &type, &length);
  if (!ok()) return nullptr;
  if (type != napi_int32_array || static_cast<int64_t>(length) < need) {
    fail(std::string("field ") + name + " must be an Int32Array of at least " + std::to_string(need) + " values");
    return nullptr;
  }
  return static_cast<int32_t*>(data);
}

double* Fields::hostF64(const char* name, int64_t need) {
  napi_typedarray_type type = napi_float64_array;
  size_t length = 0;
  void* data = typedArray(name, &type, &length);
  if (!ok()) return nullptr;
  if (type != napi_float64_array || static_cast<int64_t>(length) < need) {
    fail(std::string("field ") + name + " must be a Float64Array of at least " + std::to_string(need) + " values");
    return nullptr;
  }
  return static_cast<double*>(data);
}

size_t Fields::bytesOf(std::initializer_list<int64_t> dims, size_t elemBytes) {
  if (!ok()) return 0;
  size_t n = elemBytes;
  for (int64_t d : dims) {
    if (d < 0 || d > (int64_t{1} << 40)) {
      fail("negative or too large dimension");
      return 0;
    }
    if (d != 0 && n > (size_t{1} << 62) / static_cast<size_t>(d)) {
      fail("tensor too large");
      return 0;
    }
    n *= static_cast<size_t>(d);
  }
  return n;
}

}  // namespace apb::js
