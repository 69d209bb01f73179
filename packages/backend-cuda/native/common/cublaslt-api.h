// The few cuBLASLt entry points, types and enum values this addon uses, declared by hand from NVIDIA's public cuBLAS
// documentation (cublasLt API reference) so the addon compiles where no cuBLAS headers exist (GPU.md). The library
// itself is dlopen'ed at run time (cublaslt-loader.cc). Only the values used are declared; all are stable ABI.
#pragma once

#include <cuda_runtime.h>
#include <library_types.h>  // cudaDataType_t (CUDA_R_32F = 0, CUDA_R_16BF = 14): part of the CUDA runtime headers

#include <cstddef>
#include <cstdint>

namespace apb::lt {

using LtStatus = int;  // cublasStatus_t; 0 = CUBLAS_STATUS_SUCCESS
constexpr LtStatus kSuccess = 0;

// Opaque handles: only ever created and destroyed through the library.
struct OpaqueContext;
struct OpaqueMatmulDesc;
struct OpaqueMatrixLayout;
struct OpaqueMatmulPreference;
using Handle = OpaqueContext*;             // cublasLtHandle_t
using MatmulDesc = OpaqueMatmulDesc*;      // cublasLtMatmulDesc_t
using MatrixLayout = OpaqueMatrixLayout*;  // cublasLtMatrixLayout_t
using MatmulPreference = OpaqueMatmulPreference*;  // cublasLtMatmulPreference_t

/** cublasLtMatmulAlgo_t: 8 opaque 64-bit words. */
struct MatmulAlgo {
  uint64_t data[8];
};

/** cublasLtMatmulHeuristicResult_t as documented: algo, workspaceSize, state, wavesCount, reserved[4]. */
struct MatmulHeuristicResult {
  MatmulAlgo algo;
  size_t workspaceSize;
  LtStatus state;
  float wavesCount;
  int reserved[4];
};

// cublasComputeType_t
constexpr int kCompute32F = 68;  // CUBLAS_COMPUTE_32F: float32 accumulation, no TF32 shortcut
// cublasOperation_t
constexpr int kOpN = 0;
constexpr int kOpT = 1;
// cublasLtMatmulDescAttributes_t
constexpr int kDescTransA = 3;  // CUBLASLT_MATMUL_DESC_TRANSA (int32 cublasOperation_t)
constexpr int kDescTransB = 4;  // CUBLASLT_MATMUL_DESC_TRANSB
// cublasLtMatmulPreferenceAttributes_t
constexpr int kPrefMaxWorkspaceBytes = 1;  // CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES (uint64)

using CreateFn = LtStatus (*)(Handle*);
using DestroyFn = LtStatus (*)(Handle);
using GetVersionFn = size_t (*)();
using MatmulDescCreateFn = LtStatus (*)(MatmulDesc*, int computeType, cudaDataType_t scaleType);
using MatmulDescDestroyFn = LtStatus (*)(MatmulDesc);
using MatmulDescSetAttributeFn = LtStatus (*)(MatmulDesc, int attr, const void* buf, size_t sizeInBytes);
using MatrixLayoutCreateFn = LtStatus (*)(MatrixLayout*, cudaDataType_t type, uint64_t rows, uint64_t cols, int64_t ld);
using MatrixLayoutDestroyFn = LtStatus (*)(MatrixLayout);
using MatmulPreferenceCreateFn = LtStatus (*)(MatmulPreference*);
using MatmulPreferenceDestroyFn = LtStatus (*)(MatmulPreference);
using MatmulPreferenceSetAttributeFn = LtStatus (*)(MatmulPreference, int attr, const void* buf, size_t sizeInBytes);
using MatmulAlgoGetHeuristicFn = LtStatus (*)(Handle, MatmulDesc, MatrixLayout a, MatrixLayout b, MatrixLayout c, MatrixLayout d,
                                            MatmulPreference, int requestedAlgoCount, MatmulHeuristicResult* results,
                                            int* returnAlgoCount);
using MatmulFn = LtStatus (*)(Handle, MatmulDesc, const void* alpha, const void* a, MatrixLayout aDesc, const void* b,
                            MatrixLayout bDesc, const void* beta, const void* c, MatrixLayout cDesc, void* d,
                            MatrixLayout dDesc, const MatmulAlgo* algo, void* workspace, size_t workspaceBytes,
                            cudaStream_t stream);

/** The resolved entry points; all non-null once loaded. */
struct Api {
  CreateFn create = nullptr;
  DestroyFn destroy = nullptr;
  GetVersionFn getVersion = nullptr;
  MatmulDescCreateFn matmulDescCreate = nullptr;
  MatmulDescDestroyFn matmulDescDestroy = nullptr;
  MatmulDescSetAttributeFn matmulDescSetAttribute = nullptr;
  MatrixLayoutCreateFn matrixLayoutCreate = nullptr;
  MatrixLayoutDestroyFn matrixLayoutDestroy = nullptr;
  MatmulPreferenceCreateFn matmulPreferenceCreate = nullptr;
  MatmulPreferenceDestroyFn matmulPreferenceDestroy = nullptr;
  MatmulPreferenceSetAttributeFn matmulPreferenceSetAttribute = nullptr;
  MatmulAlgoGetHeuristicFn matmulAlgoGetHeuristic = nullptr;
  MatmulFn matmul = nullptr;
};

}  // namespace apb::lt
