// CPU caching allocator: statistics, reuse of freed blocks, empty_cache.
#include <gtest/gtest.h>

#include "support/test_util.h"

namespace fx = fluxion;

TEST(Allocator, StatsTrackAllocatedCachedAndPeak) {
  fx::empty_cache();
  fx::reset_peak_memory_stats();
  const fx::MemoryStats s0 = fx::cpu_memory_stats();
  EXPECT_EQ(s0.cached, 0u);
  const size_t nbytes = size_t{1} << 20;
  {
    fx::Tensor t = fx::empty({static_cast<int64_t>(nbytes / 4)});
    const fx::MemoryStats s1 = fx::cpu_memory_stats();
    EXPECT_GE(s1.allocated, s0.allocated + nbytes);
    EXPECT_LE(s1.allocated, s0.allocated + nbytes + nbytes / 4);  // size classes waste at most 25%
    EXPECT_GE(s1.peak_allocated, s1.allocated);
    EXPECT_EQ(s1.num_allocs, s0.num_allocs + 1);
  }
  const fx::MemoryStats s2 = fx::cpu_memory_stats();
  EXPECT_EQ(s2.allocated, s0.allocated);                // handed back ...
  EXPECT_GE(s2.cached, nbytes);                         // ... into the cache, not to the system
  EXPECT_GE(s2.peak_allocated, s0.allocated + nbytes);  // the peak remembers
  fx::reset_peak_memory_stats();
  EXPECT_EQ(fx::cpu_memory_stats().peak_allocated, fx::cpu_memory_stats().allocated);
}

TEST(Allocator, FreedBlocksAreReused) {
  fx::empty_cache();
  void* first = nullptr;
  {
    fx::Tensor t = fx::empty({12345});
    first = t.data_ptr();
  }
  const fx::MemoryStats before = fx::cpu_memory_stats();
  fx::Tensor u = fx::empty({12345});
  const fx::MemoryStats after = fx::cpu_memory_stats();
  EXPECT_EQ(u.data_ptr(), first);
  EXPECT_EQ(after.num_cache_hits, before.num_cache_hits + 1);
  EXPECT_EQ(after.num_allocs, before.num_allocs);
  // A slightly different request in the same size class is served from the cache too.
  u = fx::Tensor();
  fx::Tensor w = fx::empty({12340});
  EXPECT_EQ(w.data_ptr(), first);
}

TEST(Allocator, BlocksAre64ByteAligned) {
  for (int64_t n : {1, 3, 17, 1000, 100000}) {
    fx::Tensor t = fx::empty({n}, fx::kUInt8);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(t.data_ptr()) % 64, 0u) << n;
  }
}

TEST(Allocator, EmptyCacheReleasesEverythingCached) {
  { fx::Tensor t = fx::empty({1 << 16}); }
  EXPECT_GT(fx::cpu_memory_stats().cached, 0u);
  fx::empty_cache();
  EXPECT_EQ(fx::cpu_memory_stats().cached, 0u);
  const fx::MemoryStats before = fx::cpu_memory_stats();
  fx::Tensor t = fx::empty({1 << 16});
  EXPECT_EQ(fx::cpu_memory_stats().num_allocs, before.num_allocs + 1);  // had to go to the system
}

TEST(Allocator, FromBlobMemoryIsNotCountedAndItsDeleterRuns) {
  std::vector<float> data{1, 2, 3, 4};
  bool deleted = false;
  const fx::MemoryStats before = fx::cpu_memory_stats();
  {
    fx::Tensor t = fx::from_blob(data.data(), {2, 2}, {}, [&](void*) { deleted = true; });
    fx::Tensor v = t.t();  // a view keeps the storage alive
    t = fx::Tensor();
    EXPECT_FALSE(deleted);
    EXPECT_EQ(v.contiguous().data_ptr<float>()[1], 3.0f);  // v[0][1] == t[1][0]
  }
  EXPECT_TRUE(deleted);
  EXPECT_EQ(fx::cpu_memory_stats().allocated, before.allocated);
}
