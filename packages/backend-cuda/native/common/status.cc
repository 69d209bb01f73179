// Builders of Status values and the names of CUDA and cuBLAS status codes.
#include "status.h"

#include <cuda_runtime_api.h>

namespace apb {

namespace {

std::string whereOf(const char* file, int line) {
  std::string f = file == nullptr ? "?" : file;
  const size_t slash = f.find_last_of('/');
  if (slash != std::string::npos) f = f.substr(slash + 1);
  return f + ":" + std::to_string(line);
}

}  // namespace

Status invalidArgument(const char* op, const std::string& message) {
  Status s;
  s.kind = StatusKind::InvalidArgument;
  s.name = "InvalidArgument";
  s.op = op == nullptr ? "" : op;
  s.message = message;
  return s;
}

Status cudaFailure(int code, const char* call, const char* file, int line) {
  Status s;
  s.kind = StatusKind::Cuda;
  s.code = code;
  s.name = cudaGetErrorName(static_cast<cudaError_t>(code));
  s.message = std::string(call) + ": " + cudaGetErrorString(static_cast<cudaError_t>(code));
  s.where = whereOf(file, line);
  return s;
}

Status cublasFailure(int code, const char* call, const char* file, int line) {
  Status s;
  s.kind = StatusKind::Cublas;
  s.code = code;
  s.name = cublasStatusName(code);
  s.message = std::string(call) + " returned " + s.name;
  s.where = whereOf(file, line);
  return s;
}

Status cudnnFailure(int code, const std::string& name, const std::string& call, const char* file, int line) {
  Status s;
  s.kind = StatusKind::Cudnn;
  s.code = code;
  s.name = name;
  s.message = call + " returned " + name;
  s.where = whereOf(file, line);
  return s;
}

Status notLoaded(const char* op, const std::string& message) {
  Status s;
  s.kind = StatusKind::NotLoaded;
  s.name = "NotLoaded";
  s.op = op == nullptr ? "" : op;
  s.message = message;
  return s;
}

Status closedFailure(const char* op) {
  Status s;
  s.kind = StatusKind::Closed;
  s.name = "Closed";
  s.op = op == nullptr ? "" : op;
  s.message = "the CUDA context was closed";
  return s;
}

const char* cublasStatusName(int code) {
  switch (code) {
    case 0: return "CUBLAS_STATUS_SUCCESS";
    case 1: return "CUBLAS_STATUS_NOT_INITIALIZED";
    case 3: return "CUBLAS_STATUS_ALLOC_FAILED";
    case 7: return "CUBLAS_STATUS_INVALID_VALUE";
    case 8: return "CUBLAS_STATUS_ARCH_MISMATCH";
    case 11: return "CUBLAS_STATUS_MAPPING_ERROR";
    case 13: return "CUBLAS_STATUS_EXECUTION_FAILED";
    case 14: return "CUBLAS_STATUS_INTERNAL_ERROR";
    case 15: return "CUBLAS_STATUS_NOT_SUPPORTED";
    case 16: return "CUBLAS_STATUS_LICENSE_ERROR";
    default: return "CUBLAS_STATUS_UNKNOWN";
  }
}

const char* statusKindName(StatusKind kind) {
  switch (kind) {
    case StatusKind::Ok: return "ok";
    case StatusKind::Cuda: return "cuda";
    case StatusKind::Cublas: return "cublas";
    case StatusKind::InvalidArgument: return "invalid-argument";
    case StatusKind::NotLoaded: return "not-loaded";
    case StatusKind::Closed: return "closed";
    case StatusKind::Internal: return "internal";
    case StatusKind::Cudnn: return "cudnn";
  }
  return "internal";
}

}  // namespace apb
