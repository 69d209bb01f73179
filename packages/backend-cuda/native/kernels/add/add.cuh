// Residual add (out = a + b, elementwise) and bias add (x[r, c] += bias[c]).
#pragma once

#include <cstdint>

#include "../../common/dtype.cuh"

namespace apb {

constexpr int kAddThreads = 256;

struct AddArgs {
  void* out;      // [n]; may alias a or b
  const void* a;  // [n]
  const void* b;  // [n]
  int64_t n;
  DType dt;
};

struct BiasAddArgs {
  void* x;           // [rows, cols], in place
  const void* bias;  // [cols]
  int64_t rows;
  int64_t cols;
  DType dt;
};

Status addLaunch(const AddArgs& a, cudaStream_t stream);
Status biasAddLaunch(const BiasAddArgs& a, cudaStream_t stream);

/** CPU twins. */
void addRef(float* out, const float* a, const float* b, int64_t n);
void biasAddRef(float* x, const float* bias, int64_t rows, int64_t cols);

}  // namespace apb
