// Warp and block reductions (sum, max) in float32 with shuffles; blockDim.x must be a multiple of 32.
#pragma once

#include <cuda_runtime.h>

#include <cfloat>

namespace apb {

__device__ __forceinline__ float warpSum(float v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

__device__ __forceinline__ float warpMax(float v) {
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}

/** Sum over the whole block, returned to every thread. `scratch` holds 32 floats of shared memory. */
__device__ __forceinline__ float blockSum(float v, float* scratch) {
  const int lane = threadIdx.x & 31;
  const int warp = threadIdx.x >> 5;
  const int numWarps = blockDim.x >> 5;
  v = warpSum(v);
  __syncthreads();  // scratch may still be read by a previous call
  if (lane == 0) scratch[warp] = v;
  __syncthreads();
  float total = lane < numWarps ? scratch[lane] : 0.0f;
  return warpSum(total);
}

}  // namespace apb
