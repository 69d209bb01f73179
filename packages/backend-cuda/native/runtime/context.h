// One backend instance's CUDA state: its device, its one stream, the cuBLASLt handle and workspace, a pool of pinned
// host blocks for downloads, and device buffers that keep their context alive (freed stream-ordered).
#pragma once

#include <cuda_runtime.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "../common/cublaslt-api.h"
#include "../common/status.h"

namespace apb {

/** How GEMMs run: cuBLASLt when it has an algorithm (Auto), always our tiled kernel, or cuBLASLt only. */
enum class GemmMode : int { Auto = 0, Tiled = 1, CublasLt = 2 };

/**
 * Pinned host blocks for downloads and uploads. cudaFreeHost synchronizes the device, so blocks are kept and reused; a
 * block handed back with an event (an upload still in flight) is reused only once that event completed. When more than
 * kMaxPendingBytes are in flight, acquire waits for the oldest upload (so a long queue of uploads behind busy kernels
 * does not pin unbounded host memory).
 */
class PinnedPool {
 public:
  static constexpr size_t kMaxPendingBytes = size_t{64} << 20;
  ~PinnedPool();
  Status acquire(size_t bytes, void** ptr, size_t* capacity);
  /** Returns a block; `pending` (may be null) must complete before the block is reused. Takes the event. */
  void release(void* ptr, size_t capacity, cudaEvent_t pending);

 private:
  struct Pending {
    void* ptr;
    size_t capacity;
    cudaEvent_t event;
    uint64_t seq;  // release order (reclaim reorders pending_)
  };
  void reclaim();  // moves completed pending blocks to the free list (mutex held)
  std::mutex mutex_;
  std::multimap<size_t, void*> free_;  // capacity → block
  std::vector<Pending> pending_;
  uint64_t nextSeq_ = 0;
  std::vector<void*> all_;
};

/** Key of a cached cuBLASLt algorithm: m, n, k, input dtype, output dtype. */
using GemmKey = std::array<int64_t, 5>;

class Context {
 public:
  /** Creates the stream, the memory-pool settings and (when cuBLASLt is loaded) its handle and workspace. */
  static Status create(int device, size_t workspaceBytes, GemmMode mode, std::shared_ptr<Context>* out);
  /** Synchronize after every op so a failure names its op (debugging and the GPU check). */
  bool syncEachOp = false;
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  int device() const { return device_; }
  cudaStream_t stream() const { return stream_; }
  bool closed() const { return closed_; }
  GemmMode gemmMode() const { return gemmMode_; }
  lt::Handle ltHandle() const { return lt_; }
  void* workspace() const { return workspace_; }
  size_t workspaceBytes() const { return workspaceBytes_; }
  PinnedPool& pinned() { return pinned_; }
  std::map<GemmKey, lt::MatmulAlgo>& gemmAlgos() { return gemmAlgos_; }
  /** The cuDNN attention state (handle, plans by shape), created on first use by attention-cudnn.cc; released by close(). */
  std::shared_ptr<void>& cudnnState() { return cudnnState_; }

  /** Makes this context's device current on the calling thread; Closed after close(). */
  Status use(const char* op) const;
  /** Stream-ordered allocation (nullptr for 0 bytes). */
  Status alloc(size_t bytes, void** ptr) const;
  /** Stream-ordered free; errors are ignored (called from finalizers). */
  void release(void* ptr) const;
  /** Waits for the stream, releases cuBLASLt and the workspace; later ops fail with Closed. */
  Status close();

 private:
  Context() = default;
  int device_ = 0;
  cudaStream_t stream_ = nullptr;
  bool closed_ = false;
  GemmMode gemmMode_ = GemmMode::Auto;
  lt::Handle lt_ = nullptr;
  void* workspace_ = nullptr;
  size_t workspaceBytes_ = 0;
  PinnedPool pinned_;
  std::map<GemmKey, lt::MatmulAlgo> gemmAlgos_;
  std::shared_ptr<void> cudnnState_;
};

/** Device memory owned by one context; freed explicitly or by the JS finalizer, whichever comes first. */
struct DeviceBuffer {
  std::shared_ptr<Context> ctx;
  void* ptr = nullptr;
  size_t bytes = 0;
  bool freed = false;

  void free() {
    if (ptr != nullptr && ctx) ctx->release(ptr);
    ptr = nullptr;
    bytes = 0;
    freed = true;
  }
  ~DeviceBuffer() { free(); }
};

}  // namespace apb
