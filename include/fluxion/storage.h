// Storage: a ref-counted, 64-byte-aligned block of device memory shared by a tensor and its views.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "fluxion/device.h"

namespace fluxion {

class Storage {
 public:
  using Deleter = std::function<void(void*)>;
  /// Allocates `nbytes` from the device's caching allocator.
  Storage(size_t nbytes, Device device);
  /// Wraps memory the caller owns; `deleter` (may be empty) runs when the last view dies.
  Storage(void* data, size_t nbytes, Device device, Deleter deleter);
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  ~Storage();

  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }
  Device device() const { return device_; }

  // Note [Version counters]: every in-place write bumps the counter of the storage it writes
  // to; autograd remembers the value when it saves a tensor and refuses to use it in backward
  // if the value moved. Views (and detach()) share storage, so they share the counter.
  uint32_t version() const { return version_.load(std::memory_order_relaxed); }
  void bump_version() { version_.fetch_add(1, std::memory_order_relaxed); }

 private:
  void* data_ = nullptr;
  size_t nbytes_ = 0;
  Device device_;
  Deleter deleter_;
  bool from_allocator_ = false;
  std::atomic<uint32_t> version_{0};
};

/// Caching allocator statistics for one device type (bytes).
struct MemoryStats {
  size_t allocated = 0;       // currently handed out to tensors
  size_t cached = 0;          // held in free lists for reuse
  size_t peak_allocated = 0;  // high-water mark of `allocated` since the last reset
  size_t num_allocs = 0;      // calls that reached the system allocator
  size_t num_cache_hits = 0;  // calls served from the cache
};

/// Statistics of the CPU caching allocator.
MemoryStats cpu_memory_stats();
/// Resets the peak counter to the current allocation.
void reset_peak_memory_stats();
/// Returns every cached (free) CPU block to the system.
void empty_cache();

namespace detail {
void* cpu_alloc(size_t nbytes);
void cpu_free(void* ptr, size_t nbytes);
}  // namespace detail

}  // namespace fluxion
