// napi async work that waits on a CUDA event (blocking-sync events: the worker sleeps instead of spinning).
#include "async-job.h"

#include <cstring>
#include <string>

namespace apb::js {

namespace {

struct Job {
  napi_async_work work = nullptr;
  napi_deferred deferred = nullptr;
  napi_ref result = nullptr;
  std::shared_ptr<Context> ctx;
  cudaEvent_t event = nullptr;
  std::string op;
  Status status;
  bool hasCopy = false;
  HostCopy copy;
};

void execute(napi_env, void* data) {
  Job* j = static_cast<Job*>(data);
  cudaError_t e = cudaSetDevice(j->ctx->device());
  if (e == cudaSuccess) e = cudaEventSynchronize(j->event);
  if (e != cudaSuccess) {
    j->status = cudaFailure(static_cast<int>(e), "cudaEventSynchronize", __FILE__, __LINE__);
    j->status.inOp(j->op.c_str());
    return;
  }
  if (j->hasCopy && j->copy.bytes > 0) std::memcpy(j->copy.dst, j->copy.pinned, j->copy.bytes);
}

void complete(napi_env env, napi_status napiStatus, void* data) {
  std::unique_ptr<Job> j(static_cast<Job*>(data));
  if (j->hasCopy) j->ctx->pinned().release(j->copy.pinned, j->copy.capacity, nullptr);
  cudaEventDestroy(j->event);
  if (napiStatus != napi_ok && j->status.ok()) {
    j->status.kind = StatusKind::Internal;
    j->status.name = "AsyncWorkFailed";
    j->status.message = "the async work was cancelled or failed to run";
    j->status.inOp(j->op.c_str());
  }
  if (j->status.ok()) {
    napi_value v = undefinedValue(env);
    if (j->result != nullptr) napi_get_reference_value(env, j->result, &v);
    napi_resolve_deferred(env, j->deferred, v);
  } else {
    napi_reject_deferred(env, j->deferred, errorValue(env, j->status));
  }
  if (j->result != nullptr) napi_delete_reference(env, j->result);
  napi_delete_async_work(env, j->work);
}

}  // namespace

napi_value settleAfterStream(napi_env env, const std::shared_ptr<Context>& ctx, const char* op, napi_value result, const HostCopy* copy) {
  auto job = std::make_unique<Job>();
  job->ctx = ctx;
  job->op = op;
  cudaError_t e = cudaEventCreateWithFlags(&job->event, cudaEventDisableTiming | cudaEventBlockingSync);
  if (e == cudaSuccess) e = cudaEventRecord(job->event, ctx->stream());
  if (e != cudaSuccess) {
    if (job->event != nullptr) cudaEventDestroy(job->event);
    if (copy != nullptr) ctx->pinned().release(copy->pinned, copy->capacity, nullptr);
    return throwStatus(env, cudaFailure(static_cast<int>(e), "cudaEventRecord", __FILE__, __LINE__).inOp(op));
  }
  if (copy != nullptr) {
    job->hasCopy = true;
    job->copy = *copy;
  }
  napi_value promise;
  napi_create_promise(env, &job->deferred, &promise);
  if (result != nullptr) napi_create_reference(env, result, 1, &job->result);
  napi_value name = stringValue(env, std::string("apb-cuda:") + op);
  napi_create_async_work(env, nullptr, name, execute, complete, job.get(), &job->work);
  if (napi_queue_async_work(env, job->work) != napi_ok) {
    // complete() never runs: settle here
    Job* j = job.get();
    napi_reject_deferred(env, j->deferred, errorValue(env, invalidArgument(op, "could not queue the async work")));
    if (j->hasCopy) ctx->pinned().release(j->copy.pinned, j->copy.capacity, nullptr);
    cudaEventDestroy(j->event);
    if (j->result != nullptr) napi_delete_reference(env, j->result);
    napi_delete_async_work(env, j->work);
    return promise;
  }
  job.release();
  return promise;
}

}  // namespace apb::js
