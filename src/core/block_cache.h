// BlockCache: the device-independent caching logic of the GPU (and pinned host) allocators,
// parameterised by raw alloc/free callbacks so it is unit-tested on the CPU with a fake backend
// (tests/core/block_cache_test.cpp).
//
// Note [Block cache]: modelled on PyTorch's CUDACachingAllocator.
//  - Requests are rounded up to 512 B. Small requests (<= 1 MiB) are carved out of 2 MiB
//    segments; large ones get a segment of 20 MiB when under 10 MiB, otherwise their size rounded
//    up to 2 MiB. Small and large blocks live in separate pools so small temporaries never
//    fragment big segments.
//  - A free block that is bigger than the request is split; the remainder stays free when it is
//    at least 512 B (small pool) or more than 1 MiB (large pool).
//  - Blocks are reused only by the stream they were allocated on (a kernel queued on another
//    stream could still be using the memory). Freed blocks merge with free neighbours of the same
//    segment, so a segment whose blocks are all free is one block again.
//  - When the backend fails (out of memory), every fully free segment is released and the call
//    retried once. empty_cache() releases fully free segments.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>

namespace fluxion::detail {

struct BlockCacheStats {
  size_t allocated = 0;  // bytes in blocks handed out (rounded sizes)
  size_t reserved = 0;   // bytes in segments obtained from the backend
  size_t peak_allocated = 0;
  size_t peak_reserved = 0;
  size_t num_allocs = 0;          // allocate() calls that returned memory
  size_t num_frees = 0;           // deallocate() calls
  size_t num_segment_allocs = 0;  // backend alloc calls that succeeded
  size_t num_segment_frees = 0;   // backend free calls
  size_t num_cache_hits = 0;      // allocations served from a cached block
};

class BlockCache {
 public:
  using StreamId = uintptr_t;
  /// Returns nullptr when out of memory (any other failure may throw).
  using AllocFn = std::function<void*(size_t)>;
  using FreeFn = std::function<void(void*, size_t)>;

  static constexpr size_t kRound = 512;
  static constexpr size_t kSmallSize = size_t{1} << 20;       // largest small request
  static constexpr size_t kSmallSegment = size_t{2} << 20;    // segment of the small pool
  static constexpr size_t kMinLargeAlloc = size_t{10} << 20;  // requests below share a kLargeSegment
  static constexpr size_t kLargeSegment = size_t{20} << 20;
  static constexpr size_t kRoundLarge = size_t{2} << 20;  // large segments are multiples of this

  /// `name` appears in out-of-memory errors ("cuda:0", "pinned host").
  BlockCache(AllocFn alloc, FreeFn free, std::string name);
  ~BlockCache();
  BlockCache(const BlockCache&) = delete;
  BlockCache& operator=(const BlockCache&) = delete;

  /// A block of at least nbytes for `stream`; throws fluxion::Error when the backend is out of
  /// memory even after releasing the cache. nbytes == 0 returns a distinct 512 B block.
  void* allocate(size_t nbytes, StreamId stream = 0);
  /// Returns a block obtained from allocate(); throws for an unknown pointer.
  void deallocate(void* ptr);
  /// True when ptr is the start of a live (allocated) block.
  bool owns(const void* ptr) const;
  /// The stream a live block was allocated for.
  StreamId stream_of(const void* ptr) const;
  /// Releases every segment whose blocks are all free; returns the bytes released.
  size_t empty_cache();
  BlockCacheStats stats() const;
  void reset_peak();

  static size_t round_size(size_t nbytes);
  static size_t segment_size(size_t rounded);

 private:
  struct Block {
    char* ptr = nullptr;
    size_t size = 0;
    StreamId stream = 0;
    bool small = false;
    bool allocated = false;
    Block* prev = nullptr;  // neighbours within the segment
    Block* next = nullptr;
  };
  struct Key {  // free-pool order: stream, then size, then address (best fit = lower_bound)
    StreamId stream;
    size_t size;
    uintptr_t addr;
    bool operator<(const Key& o) const {
      if (stream != o.stream) return stream < o.stream;
      if (size != o.size) return size < o.size;
      return addr < o.addr;
    }
  };
  using Pool = std::map<Key, Block*>;

  Pool& pool(bool small) { return small ? small_pool_ : large_pool_; }
  static Key key(const Block* b) { return {b->stream, b->size, reinterpret_cast<uintptr_t>(b->ptr)}; }
  Block* take_free(size_t size, bool small, StreamId stream);
  Block* new_segment(size_t size, bool small, StreamId stream);
  size_t release_free_segments();
  void note_allocated(size_t size);

  AllocFn alloc_;
  FreeFn free_;
  std::string name_;
  mutable std::mutex mu_;
  Pool small_pool_, large_pool_;
  std::unordered_map<const void*, Block*> live_;  // allocated blocks by address
  BlockCacheStats stats_;
};

}  // namespace fluxion::detail
