// BlockCache (the logic of the CUDA and pinned-memory caching allocators) over a fake backend
// that records every segment it hands out, so the tests run without a GPU.
#include "core/block_cache.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <vector>

#include "fluxion/error.h"

namespace {

using fluxion::detail::BlockCache;

constexpr size_t kMiB = size_t{1} << 20;

// A backend with a byte budget; "device memory" is ordinary host memory so writes are checked
// by the sanitizers.
struct FakeBackend {
  size_t budget = size_t{1} << 40;
  size_t in_use = 0;
  std::map<void*, size_t> segments;
  int allocs = 0, frees = 0;

  BlockCache make() {
    return BlockCache(
        [this](size_t n) -> void* {
          if (in_use + n > budget) return nullptr;
          void* p = std::malloc(n);
          segments[p] = n;
          in_use += n;
          ++allocs;
          return p;
        },
        [this](void* p, size_t n) {
          EXPECT_EQ(segments.at(p), n);
          segments.erase(p);
          in_use -= n;
          ++frees;
          std::free(p);
        },
        "fake:0");
  }
  ~FakeBackend() {
    for (auto& [p, n] : segments) std::free(p);
  }
};

TEST(BlockCache, RoundsTo512AndPicksSegmentSizes) {
  EXPECT_EQ(BlockCache::round_size(0), 512u);
  EXPECT_EQ(BlockCache::round_size(1), 512u);
  EXPECT_EQ(BlockCache::round_size(512), 512u);
  EXPECT_EQ(BlockCache::round_size(513), 1024u);
  EXPECT_EQ(BlockCache::segment_size(512), 2 * kMiB);  // small pool
  EXPECT_EQ(BlockCache::segment_size(kMiB), 2 * kMiB);
  EXPECT_EQ(BlockCache::segment_size(kMiB + 512), 20 * kMiB);  // large, shares a 20 MiB segment
  EXPECT_EQ(BlockCache::segment_size(10 * kMiB), 10 * kMiB);   // large: rounded to 2 MiB
  EXPECT_EQ(BlockCache::segment_size(11 * kMiB), 12 * kMiB);
}

TEST(BlockCache, SmallBlocksShareOneSegmentAndAreReused) {
  FakeBackend be;
  BlockCache c = be.make();
  std::vector<void*> ps;
  for (int i = 0; i < 8; ++i) ps.push_back(c.allocate(1000));
  EXPECT_EQ(be.allocs, 1);  // all carved out of one 2 MiB segment
  for (size_t i = 1; i < ps.size(); ++i) EXPECT_EQ(static_cast<char*>(ps[i]) - static_cast<char*>(ps[i - 1]), 1024);
  auto s = c.stats();
  EXPECT_EQ(s.allocated, 8 * 1024u);
  EXPECT_EQ(s.reserved, 2 * kMiB);
  EXPECT_EQ(s.num_allocs, 8u);
  void* p3 = ps[3];
  c.deallocate(p3);
  EXPECT_EQ(c.allocate(900), p3);  // best fit: the freed 1 KiB hole
  EXPECT_EQ(be.allocs, 1);
  for (void* p : ps) c.deallocate(p);
  s = c.stats();
  EXPECT_EQ(s.allocated, 0u);
  EXPECT_EQ(s.reserved, 2 * kMiB);  // cached
  EXPECT_EQ(s.peak_allocated, 8 * 1024u);
}

TEST(BlockCache, SplitsLargeSegmentsAndCoalescesFreeNeighbours) {
  FakeBackend be;
  BlockCache c = be.make();
  void* a = c.allocate(3 * kMiB);
  void* b = c.allocate(4 * kMiB);
  void* d = c.allocate(5 * kMiB);
  EXPECT_EQ(be.allocs, 1);  // one 20 MiB segment split three ways (8 MiB left free)
  EXPECT_EQ(static_cast<char*>(b), static_cast<char*>(a) + 3 * kMiB);
  EXPECT_EQ(static_cast<char*>(d), static_cast<char*>(b) + 4 * kMiB);
  // Free the middle, then its left neighbour: they merge into one 7 MiB block...
  c.deallocate(b);
  c.deallocate(a);
  void* e = c.allocate(7 * kMiB);
  EXPECT_EQ(e, a);
  EXPECT_EQ(be.allocs, 1);
  // ...and once everything is free the segment is whole again and can be released.
  c.deallocate(e);
  c.deallocate(d);
  EXPECT_EQ(c.allocate(20 * kMiB), a);
  EXPECT_EQ(be.allocs, 1);
}

TEST(BlockCache, LargeRemaindersUnderOneMiBAreNotSplitOff) {
  FakeBackend be;
  BlockCache c = be.make();
  void* a = c.allocate(12 * kMiB - 4096);  // segment 12 MiB, remainder 4 KiB stays in the block
  auto s = c.stats();
  EXPECT_EQ(s.allocated, 12 * kMiB);
  c.deallocate(a);
}

TEST(BlockCache, BlocksAreReusedOnlyByTheirStream) {
  FakeBackend be;
  BlockCache c = be.make();
  void* a = c.allocate(4096, /*stream=*/1);
  EXPECT_EQ(c.stream_of(a), 1u);
  c.deallocate(a);
  void* b = c.allocate(4096, /*stream=*/2);
  EXPECT_NE(a, b);
  EXPECT_EQ(be.allocs, 2);  // stream 2 gets its own segment
  void* a2 = c.allocate(4096, /*stream=*/1);
  EXPECT_EQ(a2, a);
  c.deallocate(a2);
  c.deallocate(b);
}

TEST(BlockCache, EmptyCacheReleasesOnlyFullyFreeSegments) {
  FakeBackend be;
  BlockCache c = be.make();
  void* small = c.allocate(100);
  void* big = c.allocate(30 * kMiB);
  void* big2 = c.allocate(16 * kMiB);
  EXPECT_EQ(be.allocs, 3);
  c.deallocate(big);
  EXPECT_EQ(c.empty_cache(), 30 * kMiB);
  EXPECT_EQ(be.frees, 1);
  EXPECT_EQ(c.stats().reserved, 2 * kMiB + 16 * kMiB);
  c.deallocate(small);
  c.deallocate(big2);
  EXPECT_EQ(c.empty_cache(), 18 * kMiB);
  EXPECT_TRUE(be.segments.empty());
  const auto s = c.stats();
  EXPECT_EQ(s.reserved, 0u);
  EXPECT_EQ(s.num_segment_allocs, 3u);
  EXPECT_EQ(s.num_segment_frees, 3u);
  EXPECT_EQ(s.peak_reserved, 48 * kMiB);
}

TEST(BlockCache, OutOfMemoryReleasesTheCacheAndRetries) {
  FakeBackend be;
  be.budget = 40 * kMiB;
  BlockCache c = be.make();
  void* a = c.allocate(30 * kMiB);
  c.deallocate(a);                  // cached, 30 MiB reserved
  void* b = c.allocate(36 * kMiB);  // does not fit beside the cached segment: cache released, retried
  EXPECT_NE(b, nullptr);
  EXPECT_EQ(be.frees, 1);
  try {
    c.allocate(8 * kMiB);  // 20 MiB segment > 4 MiB left
    FAIL() << "expected an out-of-memory error";
  } catch (const fluxion::Error& e) {
    EXPECT_NE(std::string(e.what()).find("fake:0: out of memory"), std::string::npos) << e.what();
  }
  c.deallocate(b);
}

TEST(BlockCache, PeakAndResetPeak) {
  FakeBackend be;
  BlockCache c = be.make();
  void* a = c.allocate(4 * kMiB);
  void* b = c.allocate(4 * kMiB);
  c.deallocate(a);
  EXPECT_EQ(c.stats().peak_allocated, 8 * kMiB);
  c.reset_peak();
  EXPECT_EQ(c.stats().peak_allocated, 4 * kMiB);
  c.deallocate(b);
  EXPECT_EQ(c.stats().num_frees, 2u);
  EXPECT_EQ(c.stats().num_cache_hits, 1u);  // b came from a's segment
}

TEST(BlockCache, ForeignPointerIsAnError) {
  FakeBackend be;
  BlockCache c = be.make();
  int x = 0;
  EXPECT_THROW(c.deallocate(&x), fluxion::Error);
  EXPECT_FALSE(c.owns(&x));
  void* p = c.allocate(10);
  EXPECT_TRUE(c.owns(p));
  c.deallocate(p);
  EXPECT_FALSE(c.owns(p));
}

}  // namespace
