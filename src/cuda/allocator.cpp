// The CUDA caching allocator (one BlockCache over cudaMalloc/cudaFree per device), the pinned
// host-memory cache (a BlockCache over cudaHostAlloc/cudaFreeHost) and host<->device copies.
// Installs the core's CUDA hooks (core/cuda_hooks.h) at static-initialisation time.
//
// Note [Pinned blocks in flight]: an asynchronous copy from (or into) a pinned block may still be
// running when the tensor owning the block dies. The copy records an event on its stream for the
// block; a freed block with unfinished events waits in `deferred` and rejoins the cache only when
// they have completed (checked on every pinned allocation and by empty_cache), like PyTorch's
// CachingHostAllocator.
#include <map>
#include <mutex>
#include <vector>

#include "core/block_cache.h"
#include "core/cuda_hooks.h"
#include "cuda/context.h"
#include "cuda/cuda_check.h"
#include "fluxion/cuda.h"
#include "fluxion/error.h"

namespace fluxion::cuda {
namespace {

using ::fluxion::detail::BlockCache;
using ::fluxion::detail::BlockCacheStats;

// ---- device memory --------------------------------------------------------------------------

void* device_malloc(int device, size_t n) {
  detail::SetDevice guard(device);
  void* p = nullptr;
  const cudaError_t e = cudaMalloc(&p, n);
  if (e == cudaErrorMemoryAllocation) {
    (void)cudaGetLastError();
    return nullptr;  // the cache releases what it holds and retries
  }
  FX_CUDA_CHECK(e);
  return p;
}

// Intentionally leaked: tensors in static objects may be freed after main returns.
BlockCache& device_cache(int device) {
  static std::mutex mu;
  static auto* caches = new std::vector<BlockCache*>(static_cast<size_t>(cuda_device_count()), nullptr);
  std::lock_guard<std::mutex> lock(mu);
  BlockCache*& c = (*caches)[static_cast<size_t>(device)];
  if (!c) {
    c = new BlockCache([device](size_t n) { return device_malloc(device, n); },
                       [device](void* p, size_t) {
                         detail::SetDevice guard(device);
                         FX_CUDA_CHECK(cudaFree(p));
                       },
                       "CUDA caching allocator on cuda:" + std::to_string(device));
  }
  return *c;
}

void* cuda_alloc(size_t nbytes, int device) {
  detail::check_device(device, "cannot allocate");
  const cudaStream_t s = detail::current_stream(device);
  return device_cache(device).allocate(nbytes, reinterpret_cast<BlockCache::StreamId>(s));
}

void cuda_free(void* p, size_t, int device) { device_cache(device).deallocate(p); }

// ---- pinned host memory ---------------------------------------------------------------------

class PinnedAllocator {
 public:
  PinnedAllocator()
      : cache_(
            [](size_t n) -> void* {
              void* p = nullptr;
              const cudaError_t e = cudaHostAlloc(&p, n, cudaHostAllocDefault);
              if (e == cudaErrorMemoryAllocation) {
                (void)cudaGetLastError();
                return nullptr;
              }
              FX_CUDA_CHECK(e);
              return p;
            },
            [](void* p, size_t) { FX_CUDA_CHECK(cudaFreeHost(p)); }, "pinned host allocator") {}

  void* allocate(size_t n) {
    FX_CHECK(cuda_device_count() > 0, "pin_memory: no CUDA device available");
    std::lock_guard<std::mutex> lock(mu_);
    process_deferred();
    void* p = cache_.allocate(n);
    live_[static_cast<char*>(p)] = BlockCache::round_size(n);
    return p;
  }

  void free(void* p) {
    std::lock_guard<std::mutex> lock(mu_);
    live_.erase(static_cast<char*>(p));
    auto it = events_.find(p);
    if (it == events_.end()) {
      cache_.deallocate(p);
      return;
    }
    deferred_.emplace_back(p, std::move(it->second));
    events_.erase(it);
  }

  /// The start of the live pinned block containing p, or nullptr.
  void* block_of(const void* p) {
    std::lock_guard<std::mutex> lock(mu_);
    return find(p);
  }

  /// Records that an asynchronous copy on `stream` uses the pinned block containing p.
  void record_use(const void* p, int device, cudaStream_t stream) {
    std::lock_guard<std::mutex> lock(mu_);
    void* base = find(p);
    if (!base) return;
    detail::SetDevice guard(device);
    cudaEvent_t e = nullptr;
    FX_CUDA_CHECK(cudaEventCreateWithFlags(&e, cudaEventDisableTiming));
    FX_CUDA_CHECK(cudaEventRecord(e, stream));
    events_[base].push_back(e);
  }

  size_t empty_cache() {
    std::lock_guard<std::mutex> lock(mu_);
    process_deferred();
    return cache_.empty_cache();
  }
  BlockCacheStats stats() { return cache_.stats(); }

 private:
  void* find(const void* p) {
    auto it = live_.upper_bound(static_cast<char*>(const_cast<void*>(p)));
    if (it == live_.begin()) return nullptr;
    --it;
    return static_cast<const char*>(p) < it->first + it->second ? it->first : nullptr;
  }
  void process_deferred() {
    for (auto it = deferred_.begin(); it != deferred_.end();) {
      bool done = true;
      for (cudaEvent_t e : it->second) {
        const cudaError_t st = cudaEventQuery(e);
        if (st == cudaErrorNotReady) {
          done = false;
          break;
        }
        FX_CUDA_CHECK(st);
      }
      if (!done) {
        ++it;
        continue;
      }
      for (cudaEvent_t e : it->second) (void)cudaEventDestroy(e);
      cache_.deallocate(it->first);
      it = deferred_.erase(it);
    }
  }

  std::mutex mu_;
  BlockCache cache_;
  std::map<char*, size_t> live_;  // block start -> rounded size
  std::map<void*, std::vector<cudaEvent_t>> events_;
  std::vector<std::pair<void*, std::vector<cudaEvent_t>>> deferred_;
};

PinnedAllocator& pinned() {
  static auto* a = new PinnedAllocator();
  return *a;
}

void* pinned_alloc(size_t n) { return pinned().allocate(n); }
void pinned_free(void* p) { pinned().free(p); }
bool is_pinned(const void* p) { return cuda_device_count() > 0 && pinned().block_of(p) != nullptr; }

// ---- copies ---------------------------------------------------------------------------------

void memcpy_between(void* dst, Device dst_dev, const void* src, Device src_dev, size_t n, bool non_blocking) {
  if (dst_dev.is_cuda() && src_dev.is_cuda() && dst_dev.index() != src_dev.index()) {
    detail::check_device(dst_dev.index(), "copy");
    detail::check_device(src_dev.index(), "copy");
    detail::SetDevice guard(src_dev.index());
    const cudaStream_t s = detail::current_stream(src_dev.index());
    FX_CUDA_CHECK(cudaMemcpyPeerAsync(dst, dst_dev.index(), src, src_dev.index(), n, s));
    FX_CUDA_CHECK(cudaStreamSynchronize(s));
    return;
  }
  const int device = dst_dev.is_cuda() ? dst_dev.index() : src_dev.index();
  detail::check_device(device, "copy");
  detail::SetDevice guard(device);
  const cudaStream_t s = detail::current_stream(device);
  if (dst_dev.is_cuda() && src_dev.is_cuda()) {  // same device: ordered on the stream
    FX_CUDA_CHECK(cudaMemcpyAsync(dst, src, n, cudaMemcpyDeviceToDevice, s));
    return;
  }
  const bool to_device = dst_dev.is_cuda();
  const void* host = to_device ? src : dst;
  FX_CUDA_CHECK(cudaMemcpyAsync(dst, src, n, to_device ? cudaMemcpyHostToDevice : cudaMemcpyDeviceToHost, s));
  if (non_blocking && pinned().block_of(host)) {
    pinned().record_use(host, device, s);  // Note [Pinned blocks in flight]
    return;
  }
  FX_CUDA_CHECK(cudaStreamSynchronize(s));  // pageable memory: synchronous, as PyTorch
}

const bool g_hooks_installed = [] {
  ::fluxion::detail::cuda_alloc_hook = &cuda_alloc;
  ::fluxion::detail::cuda_free_hook = &cuda_free;
  ::fluxion::detail::cuda_memcpy_hook = &memcpy_between;
  ::fluxion::detail::pinned_alloc_hook = &pinned_alloc;
  ::fluxion::detail::pinned_free_hook = &pinned_free;
  ::fluxion::detail::is_pinned_hook = &is_pinned;
  return true;
}();

MemoryStats to_public(const BlockCacheStats& s) {
  MemoryStats m;
  m.allocated = s.allocated;
  m.reserved = s.reserved;
  m.peak_allocated = s.peak_allocated;
  m.peak_reserved = s.peak_reserved;
  m.num_allocs = s.num_allocs;
  m.num_frees = s.num_frees;
  m.num_segment_allocs = s.num_segment_allocs;
  m.num_segment_frees = s.num_segment_frees;
  return m;
}

}  // namespace

MemoryStats memory_stats(int device) {
  if (cuda_device_count() == 0) return {};  // nothing allocated anywhere, as in a CPU-only build
  if (device < 0) device = current_device();
  detail::check_device(device, "cuda::memory_stats");
  return to_public(device_cache(device).stats());
}

void empty_cache() {
  for (int d = 0; d < cuda_device_count(); ++d) device_cache(d).empty_cache();
  if (cuda_device_count() > 0) pinned().empty_cache();
}

void reset_peak_memory_stats(int device) {
  if (cuda_device_count() == 0) return;
  if (device < 0) device = current_device();
  detail::check_device(device, "cuda::reset_peak_memory_stats");
  device_cache(device).reset_peak();
}

MemoryStats pinned_memory_stats() {
  if (cuda_device_count() == 0) return {};
  return to_public(pinned().stats());
}

}  // namespace fluxion::cuda
