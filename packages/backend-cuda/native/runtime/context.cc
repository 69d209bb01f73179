// Context lifetime: stream, memory-pool release threshold, cuBLASLt handle and workspace, pinned host pool.
#include "context.h"

#include "../common/cublaslt-loader.h"

namespace apb {

PinnedPool::~PinnedPool() {
  for (const Pending& p : pending_) cudaEventDestroy(p.event);
  for (void* p : all_) cudaFreeHost(p);
}

void PinnedPool::reclaim() {
  for (size_t i = 0; i < pending_.size();) {
    if (cudaEventQuery(pending_[i].event) == cudaSuccess) {
      cudaEventDestroy(pending_[i].event);
      free_.emplace(pending_[i].capacity, pending_[i].ptr);
      pending_[i] = pending_.back();
      pending_.pop_back();
    } else {
      i++;
    }
  }
}

Status PinnedPool::acquire(size_t bytes, void** ptr, size_t* capacity) {
  std::lock_guard<std::mutex> lock(mutex_);
  reclaim();
  size_t inFlight = 0;
  for (const Pending& p : pending_) inFlight += p.capacity;
  if (inFlight > kMaxPendingBytes) {
    // Pending blocks complete in stream order; wait for the oldest, then take back whatever has finished.
    size_t oldest = 0;
    for (size_t i = 1; i < pending_.size(); i++) {
      if (pending_[i].seq < pending_[oldest].seq) oldest = i;
    }
    APB_CUDA_TRY(cudaEventSynchronize(pending_[oldest].event));
    reclaim();
  }
  auto it = free_.lower_bound(bytes);
  if (it != free_.end() && it->first <= 2 * bytes + (1u << 20)) {  // reuse a block that is not much larger
    *capacity = it->first;
    *ptr = it->second;
    free_.erase(it);
    return okStatus();
  }
  size_t cap = 4096;
  while (cap < bytes) cap *= 2;
  APB_CUDA_TRY(cudaMallocHost(ptr, cap));
  all_.push_back(*ptr);
  *capacity = cap;
  return okStatus();
}

void PinnedPool::release(void* ptr, size_t capacity, cudaEvent_t pending) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (pending == nullptr) {
    free_.emplace(capacity, ptr);
  } else {
    pending_.push_back(Pending{ptr, capacity, pending, nextSeq_++});
  }
}

Status Context::create(int device, size_t workspaceBytes, GemmMode mode, std::shared_ptr<Context>* out) {
  std::shared_ptr<Context> ctx(new Context());
  ctx->device_ = device;
  ctx->gemmMode_ = mode;
  APB_CUDA_TRY(cudaSetDevice(device));
  APB_CUDA_TRY(cudaStreamCreateWithFlags(&ctx->stream_, cudaStreamNonBlocking));
  cudaMemPool_t pool = nullptr;
  APB_CUDA_TRY(cudaDeviceGetDefaultMemPool(&pool, device));
  uint64_t keep = UINT64_MAX;  // keep freed blocks in the pool instead of returning them at every sync
  APB_CUDA_TRY(cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &keep));
  const lt::Api* api = cublasLtApi();
  if (api != nullptr && mode != GemmMode::Tiled) {
    const lt::LtStatus st = api->create(&ctx->lt_);
    if (st != lt::kSuccess) return cublasFailure(st, "cublasLtCreate", __FILE__, __LINE__);
    if (workspaceBytes > 0) APB_CUDA_TRY(cudaMalloc(&ctx->workspace_, workspaceBytes));
    ctx->workspaceBytes_ = workspaceBytes;
  }
  *out = std::move(ctx);
  return okStatus();
}

Context::~Context() {
  cudaSetDevice(device_);
  if (!closed_) close();
  if (stream_ != nullptr) cudaStreamDestroy(stream_);
}

Status Context::use(const char* op) const {
  if (closed_) return closedFailure(op);
  APB_CUDA_TRY(cudaSetDevice(device_));
  return okStatus();
}

Status Context::alloc(size_t bytes, void** ptr) const {
  *ptr = nullptr;
  if (bytes == 0) return okStatus();
  APB_CUDA_TRY(cudaMallocAsync(ptr, bytes, stream_));
  return okStatus();
}

void Context::release(void* ptr) const {
  if (ptr == nullptr) return;
  cudaSetDevice(device_);
  if (closed_) {
    cudaFree(ptr);
  } else {
    cudaFreeAsync(ptr, stream_);
  }
}

Status Context::close() {
  if (closed_) return okStatus();
  closed_ = true;
  APB_CUDA_TRY(cudaSetDevice(device_));
  const cudaError_t syncErr = cudaStreamSynchronize(stream_);
  const lt::Api* api = cublasLtApi();
  if (lt_ != nullptr && api != nullptr) api->destroy(lt_);
  lt_ = nullptr;
  cudnnState_.reset();  // destroys the cuDNN plans and handle (its deleter lives in attention-cudnn.cc)
  if (workspace_ != nullptr) cudaFree(workspace_);
  workspace_ = nullptr;
  if (syncErr != cudaSuccess) return cudaFailure(static_cast<int>(syncErr), "cudaStreamSynchronize", __FILE__, __LINE__);
  return okStatus();
}

}  // namespace apb
