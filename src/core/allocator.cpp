// CPU caching allocator: 64-byte-aligned blocks kept in size-class free lists so temporaries
// are recycled instead of going back to the kernel (fresh pages cost a page fault per 4 KiB:
// writing a new 64 MiB buffer runs at a fraction of the speed of writing a reused one).
#include <cstdlib>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "core/cuda_hooks.h"
#include "fluxion/error.h"
#include "fluxion/storage.h"

namespace fluxion {
namespace {

constexpr size_t kAlignment = 64;
// Blocks larger than this are not cached (they go straight back to the system).
constexpr size_t kMaxCachedBlock = size_t{1} << 31;
// Total cached bytes above which the cache is trimmed.
constexpr size_t kMaxCachedTotal = size_t{2} << 30;

// Size classes: multiples of 64 B up to 4 KiB, then 4 steps per power of two (<= 25% slack).
size_t round_size(size_t n) {
  if (n == 0) n = 1;
  if (n <= 4096) return (n + kAlignment - 1) & ~(kAlignment - 1);
  size_t p = size_t{1} << (63 - __builtin_clzll(n - 1));  // largest power of two < n
  size_t step = p / 4;
  return (n + step - 1) / step * step;
}

class CachingAllocator {
 public:
  void* allocate(size_t nbytes) {
    size_t size = round_size(nbytes);
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = free_.find(size);
      if (it != free_.end() && !it->second.empty()) {
        void* p = it->second.back();
        it->second.pop_back();
        stats_.cached -= size;
        note_alloc(size);
        ++stats_.num_cache_hits;
        return p;
      }
    }
    void* p = std::aligned_alloc(kAlignment, size);
    if (!p) {
      empty();
      p = std::aligned_alloc(kAlignment, size);
    }
    FX_CHECK(p != nullptr, "CPU allocator: out of memory allocating ", nbytes, " bytes");
    std::lock_guard<std::mutex> lock(mu_);
    note_alloc(size);
    ++stats_.num_allocs;
    return p;
  }

  void deallocate(void* p, size_t nbytes) {
    if (!p) return;
    size_t size = round_size(nbytes);
    std::lock_guard<std::mutex> lock(mu_);
    stats_.allocated -= size;
    if (size > kMaxCachedBlock || stats_.cached + size > kMaxCachedTotal) {
      std::free(p);
      return;
    }
    free_[size].push_back(p);
    stats_.cached += size;
  }

  void empty() {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [size, list] : free_)
      for (void* p : list) std::free(p);
    free_.clear();
    stats_.cached = 0;
  }

  MemoryStats stats() {
    std::lock_guard<std::mutex> lock(mu_);
    return stats_;
  }
  void reset_peak() {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.peak_allocated = stats_.allocated;
  }

 private:
  void note_alloc(size_t size) {
    stats_.allocated += size;
    if (stats_.allocated > stats_.peak_allocated) stats_.peak_allocated = stats_.allocated;
  }
  std::mutex mu_;
  std::unordered_map<size_t, std::vector<void*>> free_;
  MemoryStats stats_;
};

// Intentionally leaked: tensors in static objects may be freed after main returns.
CachingAllocator& allocator() {
  static auto* a = new CachingAllocator();
  return *a;
}

}  // namespace

namespace detail {
void* cpu_alloc(size_t nbytes) { return allocator().allocate(nbytes); }
void cpu_free(void* ptr, size_t nbytes) { allocator().deallocate(ptr, nbytes); }
}  // namespace detail

MemoryStats cpu_memory_stats() { return allocator().stats(); }
void reset_peak_memory_stats() { allocator().reset_peak(); }
void empty_cache() { allocator().empty(); }

// ---- Storage ------------------------------------------------------------------------------

namespace detail {
// Set by the CUDA backend (src/cuda) when compiled in; see core/cuda_hooks.h.
void* (*cuda_alloc_hook)(size_t, int) = nullptr;
void (*cuda_free_hook)(void*, size_t, int) = nullptr;
void (*cuda_memcpy_hook)(void*, Device, const void*, Device, size_t, bool) = nullptr;
void* (*pinned_alloc_hook)(size_t) = nullptr;
void (*pinned_free_hook)(void*) = nullptr;
bool (*is_pinned_hook)(const void*) = nullptr;

void fail_no_cuda(const char* what, Device device) {
  if (!cuda_compiled())
    FX_FAIL(what, " on ", device.str(),
            ": this build of Fluxion has no CUDA support (configure with -DFLUXION_CUDA=ON on a machine with the "
            "CUDA toolkit)");
  const int n = cuda_device_count();
  if (n == 0) FX_FAIL(what, " on ", device.str(), ": no CUDA device available");
  FX_FAIL(what, " on ", device.str(), ": invalid device index (", n, " CUDA device(s) available)");
}
}  // namespace detail

Storage::Storage(size_t nbytes, Device device) : nbytes_(nbytes), device_(device), from_allocator_(true) {
  if (device.is_cpu()) [[likely]] {
    data_ = detail::cpu_alloc(nbytes);
  } else {
    if (!detail::cuda_alloc_hook) detail::fail_no_cuda("cannot allocate", device);
    data_ = detail::cuda_alloc_hook(nbytes, device.index());
  }
}

Storage::Storage(void* data, size_t nbytes, Device device, Deleter deleter)
    : data_(data), nbytes_(nbytes), device_(device), deleter_(std::move(deleter)) {}

Storage::~Storage() {
  if (from_allocator_) {
    if (device_.is_cpu())
      detail::cpu_free(data_, nbytes_);
    else if (detail::cuda_free_hook)
      detail::cuda_free_hook(data_, nbytes_, device_.index());
  } else if (deleter_) {
    deleter_(data_);
  }
}

}  // namespace fluxion
