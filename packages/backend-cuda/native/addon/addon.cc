// The addon's entry point (context-aware, so worker threads can load it): registers every binding table, plus the
// shared op tail (finishOp) and export helper.
#include "bindings.h"

namespace apb::js {

void defineExports(napi_env env, napi_value target, const Export* list, size_t count) {
  for (size_t i = 0; i < count; i++) {
    napi_value fn;
    napi_create_function(env, list[i].name, NAPI_AUTO_LENGTH, list[i].fn, nullptr, &fn);
    napi_set_named_property(env, target, list[i].name, fn);
  }
}

napi_value finishOp(napi_env env, const std::shared_ptr<Context>& ctx, const Status& argStatus, const char* op,
                    const std::function<Status()>& launch, napi_value result) {
  Status st = argStatus;
  if (st.ok()) st = ctx->use(op);
  if (st.ok()) st = launch();
  if (st.ok() && ctx->syncEachOp) {
    const cudaError_t e = cudaStreamSynchronize(ctx->stream());
    if (e != cudaSuccess) st = cudaFailure(static_cast<int>(e), "cudaStreamSynchronize (sync-each-op)", __FILE__, __LINE__);
  }
  if (!st.ok()) return throwStatus(env, st.inOp(op));
  return result != nullptr ? result : undefinedValue(env);
}

}  // namespace apb::js

NAPI_MODULE_INIT() {
  apb::js::registerDevice(env, exports);
  apb::js::registerMemory(env, exports);
  apb::js::registerOps(env, exports);
  napi_value ref;
  napi_create_object(env, &ref);
  apb::js::registerTwins(env, ref);
  napi_set_named_property(env, exports, "ref", ref);
  napi_set_named_property(env, exports, "version", apb::js::stringValue(env, "0.1.0"));
  return exports;
}
