// Promises settled off the JS thread: an event recorded on the context's stream now is waited for on a libuv worker
// (napi async work), then an optional pinned-to-JS copy runs there, and the promise resolves on the JS thread.
#pragma once

#include <memory>

#include "napi-util.h"

namespace apb::js {

/** A pinned block filled by a device-to-host copy already enqueued, and where its bytes go once it completed. */
struct HostCopy {
  void* pinned = nullptr;
  size_t capacity = 0;
  void* dst = nullptr;  // the JS typed array's memory (kept alive by a reference to `result`)
  size_t bytes = 0;
};

/**
 * Records an event on ctx's stream and returns a promise that resolves with `result` (undefined when null) after the
 * stream reached the event, or rejects with a CUDA error naming `op`. `copy`, when given, is done before resolving and
 * its pinned block goes back to the pool. Returns nullptr with a JS exception pending when it cannot start.
 */
napi_value settleAfterStream(napi_env env, const std::shared_ptr<Context>& ctx, const char* op, napi_value result, const HostCopy* copy);

}  // namespace apb::js
