// Samplers: sequential, random (seeded, per-epoch), weighted, distributed sharding, batching.
#include <algorithm>
#include <numeric>
#include <set>

#include "fluxion/data.h"
#include "support/test_util.h"

namespace fd = fluxion::data;

namespace {
std::vector<int64_t> sorted(std::vector<int64_t> v) {
  std::sort(v.begin(), v.end());
  return v;
}
std::vector<int64_t> iota(int64_t n) {
  std::vector<int64_t> v(static_cast<size_t>(n));
  std::iota(v.begin(), v.end(), int64_t{0});
  return v;
}
}  // namespace

TEST(Sampler, Sequential) {
  fd::SequentialSampler s(5);
  EXPECT_EQ(s.size(), 5);
  EXPECT_EQ(s.indices(7), iota(5));
}

TEST(Sampler, RandomIsPureFunctionOfSeedAndEpoch) {
  fd::RandomSampler a(50, 1), b(50, 1), c(50, 2);
  EXPECT_EQ(a.indices(0), b.indices(0));
  EXPECT_EQ(a.indices(3), b.indices(3));
  EXPECT_NE(a.indices(0), a.indices(1));
  EXPECT_NE(a.indices(0), c.indices(0));
  EXPECT_EQ(sorted(a.indices(4)), iota(50));
  fd::RandomSampler r(10, 0, /*replacement=*/true, 100);
  auto v = r.indices(0);
  EXPECT_EQ(v.size(), 100u);
  for (int64_t i : v) EXPECT_TRUE(i >= 0 && i < 10);
  EXPECT_THROW(fd::RandomSampler(10, 0, false, 5), fluxion::Error);
}

TEST(Sampler, WeightedFollowsWeights) {
  fd::WeightedRandomSampler s({0.0, 1.0, 3.0}, 4000, true, 5);
  auto v = s.indices(0);
  int64_t counts[3] = {0, 0, 0};
  for (int64_t i : v) ++counts[i];
  EXPECT_EQ(counts[0], 0);
  EXPECT_NEAR(static_cast<double>(counts[2]) / 4000.0, 0.75, 0.04);
  EXPECT_EQ(v, fd::WeightedRandomSampler({0.0, 1.0, 3.0}, 4000, true, 5).indices(0));
  fd::WeightedRandomSampler nr({1.0, 1.0, 1.0, 0.0}, 3, false, 1);
  EXPECT_EQ(sorted(nr.indices(2)), iota(3));
  EXPECT_THROW(fd::WeightedRandomSampler({1.0, 0.0}, 2, false), fluxion::Error);
  EXPECT_THROW(fd::WeightedRandomSampler({-1.0}, 1), fluxion::Error);
}

TEST(Sampler, DistributedShardsCoverEverything) {
  const int64_t n = 10, world = 3;
  std::vector<int64_t> all;
  for (int64_t r = 0; r < world; ++r) {
    fd::DistributedSampler s(n, world, r, true, 9);
    EXPECT_EQ(s.size(), 4);  // ceil(10 / 3), padded
    auto v = s.indices(1);
    EXPECT_EQ(static_cast<int64_t>(v.size()), s.size());
    all.insert(all.end(), v.begin(), v.end());
  }
  std::set<int64_t> unique(all.begin(), all.end());
  EXPECT_EQ(unique.size(), 10u);
  EXPECT_EQ(all.size(), 12u);
  fd::DistributedSampler d(n, world, 2, false, 0, /*drop_last=*/true);
  EXPECT_EQ(d.indices(0), (std::vector<int64_t>{2, 5, 8}));
  EXPECT_THROW(fd::DistributedSampler(4, 2, 2), fluxion::Error);
}

TEST(Sampler, BatchSampler) {
  auto seq = std::make_shared<fd::SequentialSampler>(7);
  fd::BatchSampler keep(seq, 3), drop(seq, 3, true);
  EXPECT_EQ(keep.size(), 3);
  EXPECT_EQ(drop.size(), 2);
  auto b = keep.batches(0);
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[2], (std::vector<int64_t>{6}));
  EXPECT_EQ(drop.batches(0).size(), 2u);
  EXPECT_THROW(fd::BatchSampler(seq, 0), fluxion::Error);
}
