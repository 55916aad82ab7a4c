// cuDNN error reporting and the per-thread, per-device cuDNN handles (see cuda/cudnn.h).
#include "cuda/cudnn.h"

#include <string>

#include "cuda/context.h"
#include "cuda/cuda_check.h"
#include "cuda/handle_pool.h"

namespace fluxion::cuda::detail {

namespace {
// The call site as "src/cuda/conv.cpp:42" (the build may pass absolute or relative paths).
std::string call_site(const char* file, int line) {
  std::string f = file;
  const size_t p = f.rfind("src/");
  if (p != std::string::npos) f = f.substr(p);
  return f + ":" + std::to_string(line);
}
}  // namespace

void cudnn_fail(cudnnStatus_t st, const char* call, const char* file, int line) {
  ::fluxion::detail::throw_error(
      file, line,
      ::fluxion::detail::str_cat("cuDNN error: ", call, " failed with status ", static_cast<int>(st), " (",
                                 cudnnGetErrorString(st), ") at ", call_site(file, line)));
}

cudnnHandle_t cudnn_handle(int device) {
  // cuDNN handles must not be used by concurrent threads: one per thread and device, recycled
  // through a pool when threads exit and never destroyed (see cuda/handle_pool.h), like cuBLAS's.
  check_device(device, "cuDNN");
  static auto* pool = new HandlePool<cudnnHandle_t>();  // never destroyed, see handle_pool.h
  thread_local ThreadHandles<cudnnHandle_t> handles(*pool);
  cudnnHandle_t& h = handles.at(device);
  if (!h) {
    SetDevice guard(device);
    FX_CUDNN_CHECK(cudnnCreate(&h));
  }
  FX_CUDNN_CHECK(cudnnSetStream(h, current_stream(device)));
  return h;
}

}  // namespace fluxion::cuda::detail
