// SwiGLU gate of the MLP (out = silu(gate) * up, gate and up side by side in one GEMM output) and plain SiLU in place
// (the retaining heads' activation).
#pragma once

#include <cstdint>

#include "../../common/dtype.cuh"

namespace apb {

constexpr int kSwigluThreads = 256;

struct SwigluArgs {
  void* out;           // [rows, inter]
  const void* gateUp;  // [rows, 2*inter]: gate in columns [0, inter), up in [inter, 2*inter)
  int64_t rows;
  int64_t inter;
  DType dt;
};

struct SiluArgs {
  void* x;  // [n], in place
  int64_t n;
  DType dt;
};

Status swigluLaunch(const SwigluArgs& a, cudaStream_t stream);
Status siluLaunch(const SiluArgs& a, cudaStream_t stream);

/** CPU twins (double math). */
void swigluRef(float* out, const float* gateUp, int64_t rows, int64_t inter);
void siluRef(float* x, int64_t n);

}  // namespace apb
