// The seam between the core (always built) and the CUDA backend (src/cuda, built only when CUDA
// is enabled). The backend fills these function pointers from a static initialiser; the core
// calls them when a tensor touches a CUDA device or pinned memory. A CPU-only build leaves them
// null, and the core turns that into a clear fluxion::Error. No core file needs a CUDA define.
#pragma once

#include <cstddef>

#include "fluxion/device.h"

namespace fluxion {
class Tensor;
}

namespace fluxion::detail {

/// Device memory from the device's caching allocator (defined in src/core/allocator.cpp).
extern void* (*cuda_alloc_hook)(size_t nbytes, int device);
extern void (*cuda_free_hook)(void* ptr, size_t nbytes, int device);

/// Copies nbytes between two contiguous buffers on (possibly) different devices. Synchronous
/// unless non_blocking and the host side is pinned (then ordered on the current stream).
extern void (*cuda_memcpy_hook)(void* dst, Device dst_dev, const void* src, Device src_dev, size_t nbytes,
                                bool non_blocking);

/// Pinned host memory (its own caching allocator); is_pinned answers for a storage's base pointer.
extern void* (*pinned_alloc_hook)(size_t nbytes);
extern void (*pinned_free_hook)(void* ptr);
extern bool (*is_pinned_hook)(const void* ptr);

/// The message for "this device cannot be used here": no CUDA build, or no device.
[[noreturn]] void fail_no_cuda(const char* what, Device device);

}  // namespace fluxion::detail
