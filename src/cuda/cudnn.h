// cuDNN support of the CUDA backend: error checking (FX_CUDNN_CHECK) and the per-thread cuDNN
// handle. Host-only header (compiled by the C++ compiler, not nvcc).
#pragma once

#include <cudnn.h>

#include "fluxion/error.h"

namespace fluxion::cuda::detail {
[[noreturn]] void cudnn_fail(cudnnStatus_t st, const char* call, const char* file, int line);
/// The calling thread's cuDNN handle for `device`, bound to its current stream (one handle per
/// thread and device, recycled through cuda/handle_pool.h when threads exit, like cuBLAS's).
cudnnHandle_t cudnn_handle(int device);
}  // namespace fluxion::cuda::detail

/// FX_CUDNN_CHECK(cudnnConvolutionForward(...)); throws fluxion::Error on anything but
/// CUDNN_STATUS_SUCCESS, naming the call, cuDNN's message and the call site.
#define FX_CUDNN_CHECK(call)                                                  \
  do {                                                                        \
    const cudnnStatus_t fx_st_ = (call);                                      \
    if (fx_st_ != CUDNN_STATUS_SUCCESS) [[unlikely]]                          \
      ::fluxion::cuda::detail::cudnn_fail(fx_st_, #call, __FILE__, __LINE__); \
  } while (0)
