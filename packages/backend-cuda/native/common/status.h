// Status values every native function returns instead of exiting or aborting (STYLE.md G6): what failed, which
// library call, its numeric code and name, and where. The binding turns a failed Status into a JS CudaError.
#pragma once

#include <string>

namespace apb {

/** The failure family of a Status; the TS side maps it to an error kind. */
enum class StatusKind : int { Ok = 0, Cuda = 1, Cublas = 2, InvalidArgument = 3, NotLoaded = 4, Closed = 5, Internal = 6, Cudnn = 7 };

/** The result of every native step: Ok, or what failed. */
struct Status {
  StatusKind kind = StatusKind::Ok;
  int code = 0;          // cudaError_t or cublasStatus_t value (0 otherwise)
  std::string name;      // e.g. "cudaErrorInvalidValue"
  std::string op;        // the op that failed, e.g. "rmsnorm"
  std::string message;   // the failing call or the violated precondition
  std::string where;     // file:line of the check

  bool ok() const { return kind == StatusKind::Ok; }
  /** Names the op when the status does not name one yet (the dispatch layer calls this). */
  Status& inOp(const char* opName) {
    if (op.empty() && opName != nullptr) op = opName;
    return *this;
  }
};

inline Status okStatus() { return Status{}; }

/** A violated precondition of `op` (bad shape, dtype, alignment, index). */
Status invalidArgument(const char* op, const std::string& message);

/** A CUDA runtime failure: `call` is the source text of the call. */
Status cudaFailure(int code, const char* call, const char* file, int line);

/** A cuBLAS(Lt) failure. */
Status cublasFailure(int code, const char* call, const char* file, int line);

/** A cuDNN failure; `name` is cudnnGetErrorString's text when cuDNN is loaded. */
Status cudnnFailure(int code, const std::string& name, const std::string& call, const char* file, int line);

/** Something used before it was loaded (cuBLASLt) or after it was closed. */
Status notLoaded(const char* op, const std::string& message);
Status closedFailure(const char* op);

/** Text name of a cuBLAS status value (from the public cuBLAS documentation). */
const char* cublasStatusName(int code);

/** "kind" as the string the TS side expects. */
const char* statusKindName(StatusKind kind);

}  // namespace apb

// Returns the Status of a failing CUDA runtime call from the enclosing function (never exits).
#define APB_CUDA_TRY(call)                                                  \
  do {                                                                      \
    const int apbErr_ = static_cast<int>(call);                             \
    if (apbErr_ != 0) return ::apb::cudaFailure(apbErr_, #call, __FILE__, __LINE__); \
  } while (0)

// Returns a failed Status from the enclosing function.
#define APB_TRY(expr)                          \
  do {                                         \
    ::apb::Status apbSt_ = (expr);             \
    if (!apbSt_.ok()) return apbSt_;           \
  } while (0)

// Returns InvalidArgument naming `op` unless `cond` holds (a precondition check that survives NDEBUG).
#define APB_REQUIRE(cond, op, msg)                                    \
  do {                                                                \
    if (!(cond)) return ::apb::invalidArgument((op), (msg));          \
  } while (0)
