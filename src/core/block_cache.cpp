// BlockCache: see Note [Block cache] in block_cache.h.
#include "core/block_cache.h"

#include <utility>
#include <vector>

#include "fluxion/error.h"

namespace fluxion::detail {

BlockCache::BlockCache(AllocFn alloc, FreeFn free, std::string name)
    : alloc_(std::move(alloc)), free_(std::move(free)), name_(std::move(name)) {}

BlockCache::~BlockCache() {
  release_free_segments();
  // Blocks still allocated belong to memory the owner leaks; only the bookkeeping goes.
  for (auto& [p, b] : live_) delete b;
}

size_t BlockCache::round_size(size_t nbytes) {
  if (nbytes == 0) nbytes = 1;
  return (nbytes + kRound - 1) / kRound * kRound;
}

size_t BlockCache::segment_size(size_t rounded) {
  if (rounded <= kSmallSize) return kSmallSegment;
  if (rounded < kMinLargeAlloc) return kLargeSegment;
  return (rounded + kRoundLarge - 1) / kRoundLarge * kRoundLarge;
}

void BlockCache::note_allocated(size_t size) {
  stats_.allocated += size;
  if (stats_.allocated > stats_.peak_allocated) stats_.peak_allocated = stats_.allocated;
}

BlockCache::Block* BlockCache::take_free(size_t size, bool small, StreamId stream) {
  Pool& p = pool(small);
  auto it = p.lower_bound(Key{stream, size, 0});
  if (it == p.end() || it->first.stream != stream) return nullptr;
  Block* b = it->second;
  p.erase(it);
  return b;
}

BlockCache::Block* BlockCache::new_segment(size_t size, bool small, StreamId stream) {
  const size_t seg = segment_size(size);
  void* p = alloc_(seg);
  if (!p) {
    release_free_segments();
    p = alloc_(seg);
  }
  if (!p) {
    FX_FAIL(name_, ": out of memory allocating ", size, " bytes (a segment of ", seg, " bytes); ", stats_.allocated,
            " bytes allocated by tensors, ", stats_.reserved, " bytes reserved by the cache");
  }
  ++stats_.num_segment_allocs;
  stats_.reserved += seg;
  if (stats_.reserved > stats_.peak_reserved) stats_.peak_reserved = stats_.reserved;
  auto* b = new Block;
  b->ptr = static_cast<char*>(p);
  b->size = seg;
  b->stream = stream;
  b->small = small;
  return b;
}

void* BlockCache::allocate(size_t nbytes, StreamId stream) {
  const size_t size = round_size(nbytes);
  const bool small = size <= kSmallSize;
  std::lock_guard<std::mutex> lock(mu_);
  Block* b = take_free(size, small, stream);
  if (b)
    ++stats_.num_cache_hits;
  else
    b = new_segment(size, small, stream);
  const size_t remaining = b->size - size;
  if (small ? remaining >= kRound : remaining > kSmallSize) {
    auto* rest = new Block;
    rest->ptr = b->ptr + size;
    rest->size = remaining;
    rest->stream = b->stream;
    rest->small = small;
    rest->prev = b;
    rest->next = b->next;
    if (b->next) b->next->prev = rest;
    b->next = rest;
    b->size = size;
    pool(small).emplace(key(rest), rest);
  }
  b->allocated = true;
  live_.emplace(b->ptr, b);
  note_allocated(b->size);
  ++stats_.num_allocs;
  return b->ptr;
}

void BlockCache::deallocate(void* ptr) {
  if (!ptr) return;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = live_.find(ptr);
  FX_CHECK(it != live_.end(), name_, ": free of a pointer this allocator did not hand out");
  Block* b = it->second;
  live_.erase(it);
  b->allocated = false;
  stats_.allocated -= b->size;
  ++stats_.num_frees;
  Pool& p = pool(b->small);
  if (b->prev && !b->prev->allocated) {  // merge into the free block before
    Block* prev = b->prev;
    p.erase(key(prev));
    prev->size += b->size;
    prev->next = b->next;
    if (b->next) b->next->prev = prev;
    delete b;
    b = prev;
  }
  if (b->next && !b->next->allocated) {  // absorb the free block after
    Block* next = b->next;
    p.erase(key(next));
    b->size += next->size;
    b->next = next->next;
    if (next->next) next->next->prev = b;
    delete next;
  }
  p.emplace(key(b), b);
}

bool BlockCache::owns(const void* ptr) const {
  std::lock_guard<std::mutex> lock(mu_);
  return live_.count(ptr) != 0;
}

BlockCache::StreamId BlockCache::stream_of(const void* ptr) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = live_.find(ptr);
  FX_CHECK(it != live_.end(), name_, ": stream_of a pointer this allocator did not hand out");
  return it->second->stream;
}

size_t BlockCache::release_free_segments() {
  size_t released = 0;
  for (Pool* p : {&small_pool_, &large_pool_}) {
    for (auto it = p->begin(); it != p->end();) {
      Block* b = it->second;
      if (b->prev || b->next) {  // part of a segment that still has allocated blocks
        ++it;
        continue;
      }
      free_(b->ptr, b->size);
      ++stats_.num_segment_frees;
      stats_.reserved -= b->size;
      released += b->size;
      delete b;
      it = p->erase(it);
    }
  }
  return released;
}

size_t BlockCache::empty_cache() {
  std::lock_guard<std::mutex> lock(mu_);
  return release_free_segments();
}

BlockCacheStats BlockCache::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void BlockCache::reset_peak() {
  std::lock_guard<std::mutex> lock(mu_);
  stats_.peak_allocated = stats_.allocated;
  stats_.peak_reserved = stats_.reserved;
}

}  // namespace fluxion::detail
