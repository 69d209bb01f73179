// The binding tables each *-binding.cc file registers on the module's exports, and the shared tail of every op call.
#pragma once

#include <functional>

#include "napi-util.h"

namespace apb::js {

/** One exported function. */
struct Export {
  const char* name;
  napi_callback fn;
};

/** Defines each export as a property of `target`. */
void defineExports(napi_env env, napi_value target, const Export* list, size_t count);

void registerDevice(napi_env env, napi_value exports);
void registerMemory(napi_env env, napi_value exports);
void registerOps(napi_env env, napi_value exports);
void registerTwins(napi_env env, napi_value exports);

/**
 * The end of every enqueueing op: throws the argument status if it failed, else makes the context current, runs the
 * launcher, and (in sync-each-op mode) waits for the stream so a failure names this op. Returns `result` or undefined.
 */
napi_value finishOp(napi_env env, const std::shared_ptr<Context>& ctx, const Status& argStatus, const char* op,
                    const std::function<Status()>& launch, napi_value result = nullptr);

}  // namespace apb::js
