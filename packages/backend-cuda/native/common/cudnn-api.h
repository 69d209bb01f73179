// The few cuDNN 9 entry points, types and enum values the fused-attention route uses, declared by hand from NVIDIA's
// public cuDNN documentation (cuDNN API reference: "cudnn_graph" backend descriptor types, attribute names, attribute
// types, data types, pointwise modes, reduction operators, heuristic modes) so the addon compiles where no cuDNN
// headers exist (GPU.md). The library is dlopen'ed at run time (cudnn-loader.cc). Only what is used is declared.
// Every value below was cross-checked (2026-11-28) against two public bindgen outputs of cuDNN 9's cudnn_graph.h
// (coreylowman/cudarc src/cudnn/sys/mod.rs, the cuDNN 9 branch of each enum; a cuDNN 9.13+ Rust binding for the
// SDPA_FWD additions) and agrees with NVIDIA's cudnn-frontend usage. No mismatch was found.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>

namespace apb::dnn {

using DnnStatus = int;  // cudnnStatus_t; 0 = CUDNN_STATUS_SUCCESS (cuDNN 9 groups errors by thousands)
constexpr DnnStatus kSuccess = 0;

struct OpaqueHandle;
struct OpaqueBackendDescriptor;
using Handle = OpaqueHandle*;                // cudnnHandle_t
using Descriptor = OpaqueBackendDescriptor*;  // cudnnBackendDescriptor_t

// cudnnBackendDescriptorType_t
enum DescriptorType : int {
  kPointwiseDescriptor = 0,            // CUDNN_BACKEND_POINTWISE_DESCRIPTOR
  kEngineDescriptor = 2,               // CUDNN_BACKEND_ENGINE_DESCRIPTOR (read back from an engine config, diagnostics)
  kEngineCfgDescriptor = 3,            // CUDNN_BACKEND_ENGINECFG_DESCRIPTOR
  kEngineHeurDescriptor = 4,           // CUDNN_BACKEND_ENGINEHEUR_DESCRIPTOR
  kExecutionPlanDescriptor = 5,        // CUDNN_BACKEND_EXECUTION_PLAN_DESCRIPTOR
  kOperationPointwiseDescriptor = 13,  // CUDNN_BACKEND_OPERATION_POINTWISE_DESCRIPTOR
  kOperationGraphDescriptor = 15,      // CUDNN_BACKEND_OPERATIONGRAPH_DESCRIPTOR
  kVariantPackDescriptor = 16,         // CUDNN_BACKEND_VARIANT_PACK_DESCRIPTOR
  kTensorDescriptor = 17,              // CUDNN_BACKEND_TENSOR_DESCRIPTOR
  kMatmulDescriptor = 18,              // CUDNN_BACKEND_MATMUL_DESCRIPTOR
  kOperationMatmulDescriptor = 19,     // CUDNN_BACKEND_OPERATION_MATMUL_DESCRIPTOR
  kReductionDescriptor = 21,           // CUDNN_BACKEND_REDUCTION_DESCRIPTOR
  kOperationReductionDescriptor = 22,  // CUDNN_BACKEND_OPERATION_REDUCTION_DESCRIPTOR
  kOperationSdpaFwdDescriptor = 41,    // CUDNN_BACKEND_OPERATION_SDPA_FWD_DESCRIPTOR (cuDNN >= 9.13: one fused SDPA op)
};

// cudnnBackendAttributeName_t
enum AttributeName : int {
  kPointwiseMode = 0,      // CUDNN_ATTR_POINTWISE_MODE
  kPointwiseMathPrec = 1,  // CUDNN_ATTR_POINTWISE_MATH_PREC
  kPointwiseAxis = 9,      // CUDNN_ATTR_POINTWISE_AXIS (GEN_INDEX)
  kEngineHeurMode = 200,            // CUDNN_ATTR_ENGINEHEUR_MODE
  kEngineHeurOperationGraph = 201,  // CUDNN_ATTR_ENGINEHEUR_OPERATION_GRAPH
  kEngineHeurResults = 202,         // CUDNN_ATTR_ENGINEHEUR_RESULTS
  kEngineCfgEngine = 300,           // CUDNN_ATTR_ENGINECFG_ENGINE
  kExecutionPlanHandle = 400,         // CUDNN_ATTR_EXECUTION_PLAN_HANDLE
  kExecutionPlanEngineConfig = 401,   // CUDNN_ATTR_EXECUTION_PLAN_ENGINE_CONFIG
  kExecutionPlanWorkspaceSize = 402,  // CUDNN_ATTR_EXECUTION_PLAN_WORKSPACE_SIZE
  kOpPointwisePwDescriptor = 750,  // CUDNN_ATTR_OPERATION_POINTWISE_PW_DESCRIPTOR
  kOpPointwiseXDesc = 751,         // CUDNN_ATTR_OPERATION_POINTWISE_XDESC
  kOpPointwiseBDesc = 752,         // CUDNN_ATTR_OPERATION_POINTWISE_BDESC
  kOpPointwiseYDesc = 753,         // CUDNN_ATTR_OPERATION_POINTWISE_YDESC
  kOpPointwiseAlpha1 = 754,        // CUDNN_ATTR_OPERATION_POINTWISE_ALPHA1
  kOpPointwiseAlpha2 = 755,        // CUDNN_ATTR_OPERATION_POINTWISE_ALPHA2
  kOpPointwiseTDesc = 758,         // CUDNN_ATTR_OPERATION_POINTWISE_TDESC (BINARY_SELECT condition)
  kOperationGraphHandle = 800,  // CUDNN_ATTR_OPERATIONGRAPH_HANDLE
  kOperationGraphOps = 801,     // CUDNN_ATTR_OPERATIONGRAPH_OPS
  kTensorByteAlignment = 900,  // CUDNN_ATTR_TENSOR_BYTE_ALIGNMENT
  kTensorDataType = 901,       // CUDNN_ATTR_TENSOR_DATA_TYPE
  kTensorDimensions = 902,     // CUDNN_ATTR_TENSOR_DIMENSIONS
  kTensorStrides = 903,        // CUDNN_ATTR_TENSOR_STRIDES
  kTensorUniqueId = 906,       // CUDNN_ATTR_TENSOR_UNIQUE_ID
  kTensorIsVirtual = 907,      // CUDNN_ATTR_TENSOR_IS_VIRTUAL
  kTensorIsByValue = 908,      // CUDNN_ATTR_TENSOR_IS_BY_VALUE
  kVariantPackUniqueIds = 1000,     // CUDNN_ATTR_VARIANT_PACK_UNIQUE_IDS
  kVariantPackDataPointers = 1001,  // CUDNN_ATTR_VARIANT_PACK_DATA_POINTERS
  kVariantPackWorkspace = 1003,     // CUDNN_ATTR_VARIANT_PACK_WORKSPACE
  kEngineGlobalIndex = 1301,        // CUDNN_ATTR_ENGINE_GLOBAL_INDEX
  kEngineBehaviorNote = 1305,       // CUDNN_ATTR_ENGINE_BEHAVIOR_NOTE
  kMatmulCompType = 1500,  // CUDNN_ATTR_MATMUL_COMP_TYPE
  kOpMatmulADesc = 1520,   // CUDNN_ATTR_OPERATION_MATMUL_ADESC
  kOpMatmulBDesc = 1521,   // CUDNN_ATTR_OPERATION_MATMUL_BDESC
  kOpMatmulCDesc = 1522,   // CUDNN_ATTR_OPERATION_MATMUL_CDESC
  kOpMatmulDesc = 1523,    // CUDNN_ATTR_OPERATION_MATMUL_DESC
  kReductionOperator = 1600,   // CUDNN_ATTR_REDUCTION_OPERATOR
  kReductionCompType = 1601,   // CUDNN_ATTR_REDUCTION_COMP_TYPE
  kReductionIsDeterministic = 1602,  // CUDNN_ATTR_REDUCTION_IS_DETERMINISTIC (cuDNN >= 9.11)
  kOpReductionXDesc = 1610,    // CUDNN_ATTR_OPERATION_REDUCTION_XDESC
  kOpReductionYDesc = 1611,    // CUDNN_ATTR_OPERATION_REDUCTION_YDESC
  kOpReductionDesc = 1612,     // CUDNN_ATTR_OPERATION_REDUCTION_DESC
  kOpSdpaFwdQDesc = 2800,      // CUDNN_ATTR_OPERATION_SDPA_FWD_QDESC (cuDNN >= 9.13)
  kOpSdpaFwdKDesc = 2801,      // CUDNN_ATTR_OPERATION_SDPA_FWD_KDESC
  kOpSdpaFwdVDesc = 2802,      // CUDNN_ATTR_OPERATION_SDPA_FWD_VDESC
  kOpSdpaFwdODesc = 2803,      // CUDNN_ATTR_OPERATION_SDPA_FWD_ODESC
  kOpSdpaFwdStatsDesc = 2804,  // CUDNN_ATTR_OPERATION_SDPA_FWD_STATSDESC
  kOpSdpaFwdScaleDesc = 2805,  // CUDNN_ATTR_OPERATION_SDPA_FWD_SCALEDESC
};

// cudnnBackendAttributeType_t
enum AttributeType : int {
  kTypeHandle = 0,               // CUDNN_TYPE_HANDLE
  kTypeDataType = 1,             // CUDNN_TYPE_DATA_TYPE
  kTypeBoolean = 2,              // CUDNN_TYPE_BOOLEAN (bool)
  kTypeInt64 = 3,                // CUDNN_TYPE_INT64
  kTypeFloat = 4,                // CUDNN_TYPE_FLOAT
  kTypeVoidPtr = 6,              // CUDNN_TYPE_VOID_PTR
  kTypeHeurMode = 8,             // CUDNN_TYPE_HEUR_MODE
  kTypePointwiseMode = 14,       // CUDNN_TYPE_POINTWISE_MODE
  kTypeBackendDescriptor = 15,   // CUDNN_TYPE_BACKEND_DESCRIPTOR
  kTypeReductionOperator = 18,   // CUDNN_TYPE_REDUCTION_OPERATOR_TYPE
  kTypeBehaviorNote = 19,        // CUDNN_TYPE_BEHAVIOR_NOTE
};

// cudnnBackendBehaviorNote_t (only the one the diagnostics print)
constexpr int kBehaviorNoteRuntimeCompilation = 0;  // CUDNN_BEHAVIOR_NOTE_RUNTIME_COMPILATION (needs NVRTC)

// cudnnDataType_t
enum DataType : int {
  kFloat = 0,      // CUDNN_DATA_FLOAT
  kInt32 = 4,      // CUDNN_DATA_INT32
  kBfloat16 = 9,   // CUDNN_DATA_BFLOAT16
  kBoolean = 11,   // CUDNN_DATA_BOOLEAN
};

// cudnnPointwiseMode_t
enum PointwiseMode : int {
  kPwAdd = 0,            // CUDNN_POINTWISE_ADD
  kPwMul = 1,            // CUDNN_POINTWISE_MUL
  kPwDiv = 6,            // CUDNN_POINTWISE_DIV
  kPwSub = 9,            // CUDNN_POINTWISE_SUB
  kPwExp = 13,           // CUDNN_POINTWISE_EXP
  kPwLog = 15,           // CUDNN_POINTWISE_LOG
  kPwCmpGe = 303,        // CUDNN_POINTWISE_CMP_GE
  kPwGenIndex = 501,     // CUDNN_POINTWISE_GEN_INDEX
  kPwBinarySelect = 601, // CUDNN_POINTWISE_BINARY_SELECT (y = t ? x : b)
};

// cudnnReduceTensorOp_t
enum ReduceOp : int {
  kReduceAdd = 0,  // CUDNN_REDUCE_TENSOR_ADD
  kReduceMax = 3,  // CUDNN_REDUCE_TENSOR_MAX
};

// cudnnBackendHeurMode_t
enum HeurMode : int {
  kHeurInstant = 0,   // CUDNN_HEUR_MODE_INSTANT
  kHeurB = 1,         // CUDNN_HEUR_MODE_B
  kHeurFallback = 2,  // CUDNN_HEUR_MODE_FALLBACK
  kHeurA = 3,         // CUDNN_HEUR_MODE_A (what NVIDIA's frontend samples use for SDPA)
};

using CreateFn = DnnStatus (*)(Handle*);
using DestroyFn = DnnStatus (*)(Handle);
using SetStreamFn = DnnStatus (*)(Handle, cudaStream_t);
using GetVersionFn = size_t (*)();
using GetErrorStringFn = const char* (*)(DnnStatus);
using GetLastErrorStringFn = void (*)(char* message, size_t maxSize);  // cuDNN 9: the last error's detailed text
using BackendCreateDescriptorFn = DnnStatus (*)(int descriptorType, Descriptor*);
using BackendDestroyDescriptorFn = DnnStatus (*)(Descriptor);
using BackendSetAttributeFn = DnnStatus (*)(Descriptor, int name, int type, int64_t elementCount, const void* elements);
using BackendGetAttributeFn = DnnStatus (*)(Descriptor, int name, int type, int64_t requestedCount, int64_t* elementCount,
                                            void* elements);
using BackendFinalizeFn = DnnStatus (*)(Descriptor);
using BackendExecuteFn = DnnStatus (*)(Handle, Descriptor plan, Descriptor variantPack);

/** The resolved entry points; all non-null once loaded, except the optional ones marked so. */
struct Api {
  CreateFn create = nullptr;
  DestroyFn destroy = nullptr;
  SetStreamFn setStream = nullptr;
  GetVersionFn getVersion = nullptr;
  GetErrorStringFn getErrorString = nullptr;
  BackendCreateDescriptorFn createDescriptor = nullptr;
  BackendDestroyDescriptorFn destroyDescriptor = nullptr;
  BackendSetAttributeFn setAttribute = nullptr;
  BackendGetAttributeFn getAttribute = nullptr;
  BackendFinalizeFn finalize = nullptr;
  BackendExecuteFn execute = nullptr;
  GetLastErrorStringFn getLastErrorString = nullptr;  // optional (cuDNN 9 exports it; null if a build does not)
};

}  // namespace apb::dnn
