// Per-thread CUDA state shared by the backend's files: the current stream of each device and the
// cuBLAS handle. Host-only header (compiled by the C++ compiler, not nvcc).
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include "fluxion/device.h"

namespace fluxion::cuda::detail {

/// Throws a clear fluxion::Error when `device` is not a usable CUDA device index.
void check_device(int device, const char* what);
/// The calling thread's current stream on `device` (null = the legacy default stream).
cudaStream_t current_stream(int device);
/// Sets the current device for the duration of a backend call (no-op when already current).
class SetDevice {
 public:
  explicit SetDevice(int device);
  ~SetDevice();
  SetDevice(const SetDevice&) = delete;
  SetDevice& operator=(const SetDevice&) = delete;

 private:
  int prev_ = -1;
};
/// The calling thread's cuBLAS handle for `device`, bound to its current stream, with the TF32
/// setting applied.
cublasHandle_t cublas_handle(int device);

}  // namespace fluxion::cuda::detail
