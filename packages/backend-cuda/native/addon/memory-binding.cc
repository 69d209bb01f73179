// Device memory from JS: alloc/free, uploads (float32 data converted to the buffer's dtype, staged through pinned
// blocks in chunks), downloads as promises, device copies, fill, and fence (a promise for "all work so far").
#include <cstring>
#include <string>

#include "../kernels/convert/convert.cuh"
#include "async-job.h"
#include "bindings.h"

namespace apb::js {

namespace {

// Uploads go through pinned blocks of at most this size. A copy straight from pageable memory would wait for the whole
// stream first (the driver stages it) and then run at a few GB/s; staged chunks queue behind the stream's work and run
// at PCIe speed, while the pool bounds the pinned memory in flight (PinnedPool::kMaxPendingBytes).
constexpr size_t kUploadChunk = size_t{4} << 20;

/** One chunk (≤ kUploadChunk) copied into a pinned block and queued; the block is reused once its copy finished. */
Status stageChunk(Context& ctx, void* dst, const void* src, size_t bytes) {
  void* pinned = nullptr;
  size_t cap = 0;
  APB_TRY(ctx.pinned().acquire(bytes, &pinned, &cap));
  std::memcpy(pinned, src, bytes);
  cudaEvent_t ev = nullptr;
  cudaError_t e = cudaMemcpyAsync(dst, pinned, bytes, cudaMemcpyHostToDevice, ctx.stream());
  if (e == cudaSuccess) e = cudaEventCreateWithFlags(&ev, cudaEventDisableTiming);
  if (e == cudaSuccess) e = cudaEventRecord(ev, ctx.stream());
  if (e != cudaSuccess) {
    if (ev != nullptr) cudaEventDestroy(ev);
    cudaStreamSynchronize(ctx.stream());  // the block may be read by a queued copy: wait before reusing it
    ctx.pinned().release(pinned, cap, nullptr);
    return cudaFailure(static_cast<int>(e), "cudaMemcpyAsync", __FILE__, __LINE__);
  }
  ctx.pinned().release(pinned, cap, ev);
  return okStatus();
}

Status hostToDevice(Context& ctx, void* dst, const void* src, size_t bytes) {
  for (size_t off = 0; off < bytes; off += kUploadChunk) {
    const size_t n = bytes - off < kUploadChunk ? bytes - off : kUploadChunk;
    APB_TRY(stageChunk(ctx, static_cast<char*>(dst) + off, static_cast<const char*>(src) + off, n));
  }
  return okStatus();
}

/** float32 host data into a buffer of dtype `dt` at element offset: direct for F32, staged and cast for BF16. */
Status uploadF32(Context& ctx, void* dst, DType dt, const float* src, int64_t count) {
  if (count == 0) return okStatus();
  if (dt == DType::F32) return hostToDevice(ctx, dst, src, static_cast<size_t>(count) * 4);
  void* staged = nullptr;
  APB_TRY(ctx.alloc(static_cast<size_t>(count) * 4, &staged));
  Status st = hostToDevice(ctx, staged, src, static_cast<size_t>(count) * 4);
  if (st.ok()) st = castLaunch(CastArgs{dst, dt, staged, DType::F32, count}, ctx.stream());
  ctx.release(staged);
  return st;
}

napi_value Alloc(napi_env env, napi_callback_info info) {
  Args args(env, info, "alloc");
  Status st;
  auto ctx = args.context(0, &st);
  double bytes = 0;
  if (st.ok() && napi_get_value_double(env, args.at(1), &bytes) != napi_ok) st = invalidArgument("alloc", "bytes must be a number");
  if (st.ok() && !(bytes >= 0 && bytes < 9.0e15 && bytes == static_cast<double>(static_cast<int64_t>(bytes)))) st = invalidArgument("alloc", "bad byte count");
  if (st.ok()) st = ctx->use("alloc");
  auto buf = std::make_unique<DeviceBuffer>();
  if (st.ok()) st = ctx->alloc(static_cast<size_t>(bytes), &buf->ptr);
  if (!st.ok()) return throwStatus(env, st.inOp("alloc"));
  buf->ctx = ctx;
  buf->bytes = static_cast<size_t>(bytes);
  return wrapBuffer(env, std::move(buf));
}

napi_value Free(napi_env env, napi_callback_info info) {
  Args args(env, info, "free");
  Status st;
  DeviceBuffer* b = args.buffer(0, &st);
  if (!st.ok()) return throwStatus(env, st);
  b->free();
  return undefinedValue(env);
}

napi_value Upload(napi_env env, napi_callback_info info) {
  Args args(env, info, "upload");
  Status st;
  auto ctx = args.context(0, &st);
  Fields f(env, args.at(1), "upload", &st);
  napi_typedarray_type type = napi_float32_array;
  size_t length = 0;
  void* data = f.typedArray("data", &type, &length);
  const int64_t offset = f.i64("offset");
  const DType dt = f.dtype("dtype");
  size_t elem = 4;
  if (type == napi_float32_array) elem = dtypeSize(dt);
  else if (type == napi_float64_array) elem = 8;
  else if (type != napi_int32_array && st.ok()) st = invalidArgument("upload", "data must be a Float32Array, Int32Array or Float64Array");
  const size_t at = f.bytesOf({offset}, elem);
  void* dst = f.ptr("dst", f.bytesOf({static_cast<int64_t>(length)}, elem), at);
  return finishOp(env, ctx, st, "upload", [&]() -> Status {
    if (type == napi_float32_array) return uploadF32(*ctx, dst, dt, static_cast<const float*>(data), static_cast<int64_t>(length));
    return hostToDevice(*ctx, dst, data, length * elem);
  });
}

napi_value Download(napi_env env, napi_callback_info info) {
  Args args(env, info, "download");
  Status st;
  auto ctx = args.context(0, &st);
  Fields f(env, args.at(1), "download", &st);
  const int64_t count = f.i64("count");
  const int64_t offset = f.i64("offset");
  const bool asInt = f.str("as") == "i32";
  const DType dt = asInt ? DType::F32 : f.dtype("dtype");
  const size_t elem = asInt ? 4 : dtypeSize(dt);
  const void* src = f.ptr("src", f.bytesOf({count}, elem), f.bytesOf({offset}, elem));
  if (st.ok()) st = ctx->use("download");
  if (!st.ok()) return throwStatus(env, st.inOp("download"));
  napi_value ab = nullptr;
  void* dst = nullptr;
  const size_t outBytes = static_cast<size_t>(count) * 4;
  napi_value result = nullptr;
  // A JS buffer this large may not be allocatable (V8's ArrayBuffer limit, host memory): fail with a status instead of
  // copying into a null pointer.
  if (napi_create_arraybuffer(env, outBytes, &dst, &ab) != napi_ok || (dst == nullptr && outBytes > 0) ||
      napi_create_typedarray(env, asInt ? napi_int32_array : napi_float32_array, static_cast<size_t>(count), ab, 0, &result) != napi_ok) {
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (pending) {
      napi_value ignored;
      napi_get_and_clear_last_exception(env, &ignored);
    }
    return throwStatus(env, invalidArgument("download", "cannot allocate a JS array of " + std::to_string(outBytes) + " bytes"));
  }
  if (count == 0) return settleAfterStream(env, ctx, "download", result, nullptr);
  const void* from = src;
  void* converted = nullptr;
  if (!asInt && dt == DType::BF16) {
    st = ctx->alloc(outBytes, &converted);
    if (st.ok()) st = castLaunch(CastArgs{converted, DType::F32, src, DType::BF16, count}, ctx->stream());
    from = converted;
  }
  HostCopy copy;
  copy.dst = dst;
  copy.bytes = outBytes;
  if (st.ok()) st = ctx->pinned().acquire(outBytes, &copy.pinned, &copy.capacity);
  if (st.ok()) {
    const cudaError_t e = cudaMemcpyAsync(copy.pinned, from, outBytes, cudaMemcpyDeviceToHost, ctx->stream());
    if (e != cudaSuccess) {
      st = cudaFailure(static_cast<int>(e), "cudaMemcpyAsync", __FILE__, __LINE__);
      ctx->pinned().release(copy.pinned, copy.capacity, nullptr);
    }
  }
  if (converted != nullptr) ctx->release(converted);
  if (!st.ok()) return throwStatus(env, st.inOp("download"));
  return settleAfterStream(env, ctx, "download", result, &copy);
}

napi_value Copy(napi_env env, napi_callback_info info) {
  Args args(env, info, "copy");
  Status st;
  auto ctx = args.context(0, &st);
  Fields f(env, args.at(1), "copy", &st);
  const int64_t bytes = f.i64("bytes");
  const size_t n = f.bytesOf({bytes}, 1);
  void* dst = f.ptr("dst", n, f.bytesOf({f.i64("dstOffset")}, 1));
  const void* src = f.ptr("src", n, f.bytesOf({f.i64("srcOffset")}, 1));
  return finishOp(env, ctx, st, "copy", [&]() -> Status {
    if (n == 0) return okStatus();
    APB_CUDA_TRY(cudaMemcpyAsync(dst, src, n, cudaMemcpyDeviceToDevice, ctx->stream()));
    return okStatus();
  });
}

napi_value Copy2d(napi_env env, napi_callback_info info) {
  Args args(env, info, "copy2d");
  Status st;
  auto ctx = args.context(0, &st);
  Fields f(env, args.at(1), "copy2d", &st);
  const int64_t width = f.i64("width");
  const int64_t height = f.i64("height");
  const int64_t dstPitch = f.i64("dstPitch");
  const int64_t srcPitch = f.i64("srcPitch");
  if (st.ok() && (width < 0 || height < 0 || dstPitch < width || srcPitch < width)) st = invalidArgument("copy2d", "pitches must be >= width >= 0");
  const size_t dstSpan = height == 0 ? 0 : f.bytesOf({(height - 1) * dstPitch + width}, 1);
  const size_t srcSpan = height == 0 ? 0 : f.bytesOf({(height - 1) * srcPitch + width}, 1);
  void* dst = f.ptr("dst", dstSpan, f.bytesOf({f.i64("dstOffset")}, 1));
  const void* src = f.ptr("src", srcSpan, f.bytesOf({f.i64("srcOffset")}, 1));
  return finishOp(env, ctx, st, "copy2d", [&]() -> Status {
    if (width == 0 || height == 0) return okStatus();
    APB_CUDA_TRY(cudaMemcpy2DAsync(dst, static_cast<size_t>(dstPitch), src, static_cast<size_t>(srcPitch), static_cast<size_t>(width),
                                   static_cast<size_t>(height), cudaMemcpyDeviceToDevice, ctx->stream()));
    return okStatus();
  });
}

napi_value Fill(napi_env env, napi_callback_info info) {
  Args args(env, info, "fill");
  Status st;
  auto ctx = args.context(0, &st);
  Fields f(env, args.at(1), "fill", &st);
  FillArgs a{};
  a.dt = f.dtype("dtype");
  a.n = f.i64("count");
  a.value = static_cast<float>(f.f64("value"));
  a.dst = f.ptr("dst", f.bytesOf({a.n}, dtypeSize(a.dt)));
  return finishOp(env, ctx, st, "fill", [&] { return fillLaunch(a, ctx->stream()); });
}

napi_value Fence(napi_env env, napi_callback_info info) {
  Args args(env, info, "fence");
  Status st;
  auto ctx = args.context(0, &st);
  std::string op = "fence";
  size_t len = 0;
  if (st.ok() && napi_get_value_string_utf8(env, args.at(1), nullptr, 0, &len) == napi_ok) {
    op.assign(len, '\0');
    napi_get_value_string_utf8(env, args.at(1), op.data(), len + 1, &len);
  }
  if (st.ok()) st = ctx->use(op.c_str());
  if (!st.ok()) return throwStatus(env, st.inOp(op.c_str()));
  return settleAfterStream(env, ctx, op.c_str(), nullptr, nullptr);
}

const Export kMemoryExports[] = {
    {"alloc", Alloc}, {"free", Free}, {"upload", Upload}, {"download", Download},
    {"copy", Copy},   {"copy2d", Copy2d}, {"fill", Fill},   {"fence", Fence},
};

}  // namespace

void registerMemory(napi_env env, napi_value exports) { defineExports(env, exports, kMemoryExports, sizeof(kMemoryExports) / sizeof(Export)); }

}  // namespace apb::js
