// Error checking for every CUDA runtime and cuBLAS call: a failure becomes fluxion::Error naming
// the call, the error and the file/line of the call site.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include "fluxion/error.h"

namespace fluxion::cuda::detail {
[[noreturn]] void cuda_fail(cudaError_t err, const char* call, const char* file, int line);
[[noreturn]] void cublas_fail(cublasStatus_t st, const char* call, const char* file, int line);
}  // namespace fluxion::cuda::detail

/// FX_CUDA_CHECK(cudaMalloc(&p, n)); throws fluxion::Error on anything but cudaSuccess.
#define FX_CUDA_CHECK(call)                                                   \
  do {                                                                        \
    const cudaError_t fx_err_ = (call);                                       \
    if (fx_err_ != cudaSuccess) [[unlikely]]                                  \
      ::fluxion::cuda::detail::cuda_fail(fx_err_, #call, __FILE__, __LINE__); \
  } while (0)

/// FX_CUBLAS_CHECK(cublasSgemm(...)); throws fluxion::Error on anything but CUBLAS_STATUS_SUCCESS.
#define FX_CUBLAS_CHECK(call)                                                  \
  do {                                                                         \
    const cublasStatus_t fx_st_ = (call);                                      \
    if (fx_st_ != CUBLAS_STATUS_SUCCESS) [[unlikely]]                          \
      ::fluxion::cuda::detail::cublas_fail(fx_st_, #call, __FILE__, __LINE__); \
  } while (0)

/// After a kernel launch: reports launch-configuration errors at the launch site.
#define FX_CUDA_CHECK_LAUNCH() FX_CUDA_CHECK(cudaGetLastError())
