// fluxion::cuda (fx::cuda with `namespace fx = fluxion;`): CUDA devices, streams, events and
// the device caching allocator. In a build without CUDA every function exists: the queries
// answer "none" (is_available() false, device_count() 0) and the others throw fluxion::Error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "fluxion/device.h"

namespace fluxion::cuda {

/// True when this build has CUDA and at least one device is usable.
bool is_available();
/// Number of usable CUDA devices (0 without CUDA, without a driver or without a GPU).
int device_count();

struct DeviceProperties {
  std::string name;
  size_t total_memory = 0;   // bytes
  int major = 0, minor = 0;  // compute capability
  int multi_processor_count = 0;
};
/// Properties of device `device` (throws for an invalid index or without CUDA).
DeviceProperties get_device_properties(int device);

/// The calling thread's current device (0 when none was set).
int current_device();
void set_device(int device);
/// Blocks until all work on `device` (-1: the current device) has finished.
void synchronize(int device = -1);

/// Sets the current device for its lifetime, then restores the previous one.
class DeviceGuard {
 public:
  explicit DeviceGuard(int device);
  ~DeviceGuard();
  DeviceGuard(const DeviceGuard&) = delete;
  DeviceGuard& operator=(const DeviceGuard&) = delete;

 private:
  int prev_;
};

/// A CUDA stream on one device. Copies of a Stream refer to the same stream; a user-created
/// stream is destroyed with its last copy. The default stream of a device has a null handle.
class Stream {
 public:
  /// The default (legacy, null) stream of `device` (-1: current device).
  static Stream default_stream(int device = -1);
  /// The calling thread's current stream on `device` (-1: current device).
  static Stream current(int device = -1);
  /// A new non-blocking stream on `device` (-1: current device).
  static Stream create(int device = -1);

  int device() const { return device_; }
  /// The cudaStream_t, as an opaque pointer.
  void* handle() const { return handle_; }
  /// Blocks until all work queued on the stream has finished.
  void synchronize() const;
  /// True when all work queued on the stream has finished.
  bool query() const;
  friend bool operator==(const Stream& a, const Stream& b) { return a.device_ == b.device_ && a.handle_ == b.handle_; }

 private:
  struct Owner;
  Stream(int device, void* handle, std::shared_ptr<Owner> owner);
  int device_ = 0;
  void* handle_ = nullptr;
  std::shared_ptr<Owner> owner_;
};

/// Makes `stream` the current stream of its device (and that device current) for its lifetime.
class StreamGuard {
 public:
  explicit StreamGuard(const Stream& stream);
  ~StreamGuard();
  StreamGuard(const StreamGuard&) = delete;
  StreamGuard& operator=(const StreamGuard&) = delete;

 private:
  Stream prev_stream_;
  int prev_device_;
};

/// A CUDA event with timing enabled.
class Event {
 public:
  Event();
  ~Event();
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  /// Records the event on `stream` (default: the current stream of the current device).
  void record();
  void record(const Stream& stream);
  void synchronize() const;
  bool query() const;
  /// Milliseconds between `start` (recorded earlier) and this event; both must have completed.
  float elapsed_time(const Event& start) const;

 private:
  void* handle_ = nullptr;
  int device_ = 0;
};

/// Caching allocator statistics of one device (bytes and counts).
struct MemoryStats {
  size_t allocated = 0;           // bytes held by live tensors (rounded block sizes)
  size_t reserved = 0;            // bytes obtained from cudaMalloc and not yet released
  size_t peak_allocated = 0;      // high-water mark of `allocated` since the last reset
  size_t peak_reserved = 0;       // high-water mark of `reserved` since the last reset
  size_t num_allocs = 0;          // allocation requests
  size_t num_frees = 0;           // blocks returned
  size_t num_segment_allocs = 0;  // cudaMalloc calls
  size_t num_segment_frees = 0;   // cudaFree calls
};
MemoryStats memory_stats(int device = -1);
/// Returns every fully free cached segment of every device to the driver.
void empty_cache();
void reset_peak_memory_stats(int device = -1);
/// Statistics of the pinned host-memory cache.
MemoryStats pinned_memory_stats();

/// Lets cuBLAS use TF32 tensor cores for float32 matmuls (off by default, as PyTorch).
void set_allow_tf32(bool allow);
bool allow_tf32();

}  // namespace fluxion::cuda
