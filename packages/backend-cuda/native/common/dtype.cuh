// Element types of device tensors (float32, bfloat16), their conversions to and from the float32 math type, and
// the one dtype dispatch every launcher uses.
#pragma once

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>

#include "status.h"

namespace apb {

/** Storage type of a device tensor. The numeric values cross the JS boundary (0 = f32, 1 = bf16). */
enum class DType : int { F32 = 0, BF16 = 1 };

inline bool validDType(int v) { return v == 0 || v == 1; }
inline size_t dtypeSize(DType dt) { return dt == DType::F32 ? 4 : 2; }

__host__ __device__ __forceinline__ float toF32(float x) { return x; }
__host__ __device__ __forceinline__ float toF32(__nv_bfloat16 x) { return __bfloat162float(x); }

template <typename T>
__host__ __device__ __forceinline__ T fromF32(float x);
template <>
__host__ __device__ __forceinline__ float fromF32<float>(float x) { return x; }
template <>
__host__ __device__ __forceinline__ __nv_bfloat16 fromF32<__nv_bfloat16>(float x) { return __float2bfloat16_rn(x); }

/** Calls f(T{}) with T = float or __nv_bfloat16 for `dt`; InvalidArgument for anything else. */
template <typename F>
Status dispatchDType(DType dt, const char* op, F&& f) {
  switch (dt) {
    case DType::F32: return f(float{});
    case DType::BF16: return f(__nv_bfloat16{});
  }
  return invalidArgument(op, "unknown dtype");
}

}  // namespace apb
