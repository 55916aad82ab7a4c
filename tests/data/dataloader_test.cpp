// DataLoader: order and determinism across worker counts, epochs, drop_last, sizes, early break,
// worker exceptions, transforms with per-sample generators.
#include <atomic>
#include <chrono>
#include <thread>

#include "fluxion/cuda.h"
#include "fluxion/data.h"
#include "support/test_util.h"

namespace fx = fluxion;
namespace fd = fluxion::data;
using fxtest::tensors_equal;

namespace {

// Sample i: data [i, i] (float), target i; optionally slow or failing at one index.
class ProbeDataset : public fd::Dataset<fd::Example> {
 public:
  explicit ProbeDataset(int64_t n, int64_t fail_at = -1, bool slow = false) : n_(n), fail_at_(fail_at), slow_(slow) {}
  int64_t size() const override { return n_; }
  fd::Example get(int64_t i) const override {
    ++calls;
    if (i == fail_at_) FX_FAIL("probe: sample ", i, " is broken");
    if (slow_) std::this_thread::sleep_for(std::chrono::microseconds(200 + (i * 37) % 300));
    return {fx::full({2}, static_cast<double>(i)), fx::scalar_tensor(i, fx::kInt64)};
  }
  mutable std::atomic<int64_t> calls{0};

 private:
  int64_t n_, fail_at_;
  bool slow_;
};

std::vector<std::vector<int64_t>> targets_of(fd::DataLoader& loader) {
  std::vector<std::vector<int64_t>> out;
  for (fd::Batch& b : loader) {
    fx::Tensor t = b.target.contiguous();
    out.emplace_back(t.data_ptr<int64_t>(), t.data_ptr<int64_t>() + t.numel());
  }
  return out;
}

fd::DataLoaderOptions opts(int64_t batch, bool shuffle, int workers) {
  fd::DataLoaderOptions o;
  o.batch_size = batch;
  o.shuffle = shuffle;
  o.num_workers = workers;
  o.seed = 11;
  return o;
}

}  // namespace

TEST(DataLoader, SequentialBatchesAndSizes) {
  auto ds = std::make_shared<ProbeDataset>(10);
  fd::DataLoader loader(ds, opts(4, false, 0));
  EXPECT_EQ(loader.size(), 3);
  EXPECT_EQ(loader.dataset_size(), 10);
  auto t = targets_of(loader);
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0], (std::vector<int64_t>{0, 1, 2, 3}));
  EXPECT_EQ(t[2], (std::vector<int64_t>{8, 9}));
  for (fd::Batch& b : loader) {
    EXPECT_EQ(b.data.dim(), 2);
    EXPECT_EQ(b.data.size(1), 2);
    EXPECT_EQ(b.target.dtype(), fx::kInt64);
  }
}

TEST(DataLoader, DropLast) {
  auto ds = std::make_shared<ProbeDataset>(10);
  auto o = opts(4, true, 2);
  o.drop_last = true;
  fd::DataLoader loader(ds, o);
  EXPECT_EQ(loader.size(), 2);
  auto t = targets_of(loader);
  ASSERT_EQ(t.size(), 2u);
  for (auto& b : t) EXPECT_EQ(b.size(), 4u);
}

TEST(DataLoader, SameBatchesForAnyWorkerCount) {
  auto ds = std::make_shared<ProbeDataset>(37, -1, /*slow=*/true);
  std::vector<std::vector<std::vector<int64_t>>> runs;
  for (int workers : {0, 1, 3}) {
    fd::DataLoader loader(ds, opts(5, true, workers));
    loader.set_epoch(2);
    runs.push_back(targets_of(loader));
  }
  EXPECT_EQ(runs[0], runs[1]);
  EXPECT_EQ(runs[0], runs[2]);
  EXPECT_EQ(runs[0].size(), 8u);
}

TEST(DataLoader, EpochDecidesOrder) {
  auto ds = std::make_shared<ProbeDataset>(30);
  fd::DataLoader a(ds, opts(30, true, 0)), b(ds, opts(30, true, 2));
  a.set_epoch(0);
  auto e0 = targets_of(a);
  EXPECT_EQ(a.epoch(), 1);  // a pass advances the epoch
  auto e1 = targets_of(a);
  EXPECT_NE(e0, e1);
  b.set_epoch(1);  // a resumed run at epoch 1 sees epoch 1's batches
  EXPECT_EQ(targets_of(b), e1);
  b.set_epoch(0);
  EXPECT_EQ(targets_of(b), e0);
}

TEST(DataLoader, EarlyBreakJoinsCleanly) {
  auto ds = std::make_shared<ProbeDataset>(1000, -1, /*slow=*/true);
  auto o = opts(2, false, 3);
  o.prefetch = 2;
  fd::DataLoader loader(ds, o);
  int seen = 0;
  for (fd::Batch& b : loader) {
    (void)b;
    if (++seen == 3) break;
  }
  EXPECT_EQ(seen, 3);
  // Bounded prefetch: far fewer than all 1000 samples were read.
  EXPECT_LT(ds->calls.load(), 3 * 2 + 2 * 3 * 2 + 2 * 3 + 1);
  // Abandoning an iterator mid-pass also stops its workers.
  { auto it = loader.begin(); }
  SUCCEED();
}

TEST(DataLoader, WorkerExceptionReachesConsumer) {
  for (int workers : {0, 2}) {
    auto ds = std::make_shared<ProbeDataset>(20, /*fail_at=*/13);
    fd::DataLoader loader(ds, opts(4, false, workers));
    int batches = 0;
    try {
      for (fd::Batch& b : loader) {
        (void)b;
        ++batches;
      }
      ADD_FAILURE() << "no exception with " << workers << " workers";
    } catch (const fx::Error& e) {
      EXPECT_NE(std::string(e.what()).find("sample 13 is broken"), std::string::npos) << e.what();
    }
    EXPECT_EQ(batches, 3) << workers << " workers";  // batches 0..2 arrive before the broken one
  }
}

TEST(DataLoader, TransformIsReproducibleAcrossWorkers) {
  auto ds = std::make_shared<fd::TensorDataset>(fx::rand({24, 1, 6, 6}, {}, nullptr), fx::arange(24, fx::kInt64));
  std::vector<std::vector<fx::Tensor>> runs;
  for (int workers : {0, 3}) {
    fd::DataLoader loader(ds, opts(5, true, workers));
    loader.set_transform(
        fd::transforms::Compose({fd::transforms::RandomCrop(4, 1), fd::transforms::RandomHorizontalFlip(0.5)}));
    loader.set_epoch(4);
    std::vector<fx::Tensor> batches;
    for (fd::Batch& b : loader) batches.push_back(b.data);
    runs.push_back(batches);
  }
  ASSERT_EQ(runs[0].size(), runs[1].size());
  for (size_t i = 0; i < runs[0].size(); ++i) EXPECT_TRUE(tensors_equal(runs[0][i], runs[1][i]));
  EXPECT_EQ(runs[0][0].sizes(), fx::Shape({5, 1, 4, 4}));
}

TEST(DataLoader, ExplicitSamplerAndErrors) {
  auto ds = std::make_shared<ProbeDataset>(10);
  auto sampler = std::make_shared<fd::DistributedSampler>(10, 2, 1, false);
  fd::DataLoader loader(ds, sampler, opts(2, false, 1));
  auto t = targets_of(loader);
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0], (std::vector<int64_t>{1, 3}));
  EXPECT_THROW(fd::DataLoader(ds, sampler, opts(2, true, 0)), fx::Error);
  EXPECT_THROW(fd::DataLoader(ds, opts(0, false, 0)), fx::Error);
  EXPECT_THROW(fd::DataLoader(ds, opts(1, false, -1)), fx::Error);
}

TEST(DataLoader, DesignatedInitializerOptions) {
  auto ds = std::make_shared<ProbeDataset>(9);
  fd::DataLoader loader(ds, {.batch_size = 3, .shuffle = true, .num_workers = 1, .seed = 5});
  EXPECT_EQ(loader.size(), 3);
  EXPECT_EQ(targets_of(loader).size(), 3u);
}

TEST(DataLoader, OrderIndependentOfKernelThreads) {
  auto ds = std::make_shared<ProbeDataset>(5000);
  const int prev = fx::get_num_threads();
  fx::set_num_threads(1);
  fd::DataLoader a(ds, opts(1000, true, 0));
  a.set_epoch(3);
  auto one = targets_of(a);
  fx::set_num_threads(std::max(2, prev));
  fd::DataLoader b(ds, opts(1000, true, 2));
  b.set_epoch(3);
  auto many = targets_of(b);
  fx::set_num_threads(prev);
  EXPECT_EQ(one, many);
}

TEST(DataLoader, CustomCollate) {
  auto ds = std::make_shared<ProbeDataset>(6);
  fd::DataLoader loader(ds, opts(4, false, 2));
  loader.set_collate([](const std::vector<fd::Example>& xs) {
    fd::Batch b = fd::collate(xs);
    b.data = fx::cat({b.data, fx::zeros({1, 2})});  // e.g. padding
    return b;
  });
  std::vector<int64_t> rows;
  for (fd::Batch& b : loader) rows.push_back(b.data.size(0));
  EXPECT_EQ(rows, (std::vector<int64_t>{5, 3}));
}

TEST(DataLoader, PinMemoryPinsWhereCudaExistsAndKeepsValues) {
  auto ds = std::make_shared<ProbeDataset>(9);
  fd::DataLoaderOptions o = opts(4, false, 2);
  fd::DataLoader plain(ds, o);
  o.pin_memory = true;
  fd::DataLoader pinned(ds, o);  // without a CUDA device: a warning, and batches stay unpinned
  std::vector<fd::Batch> expected;
  for (fd::Batch& b : plain) expected.push_back(b);
  size_t k = 0;
  for (fd::Batch& b : pinned) {
    ASSERT_LT(k, expected.size());
    EXPECT_EQ(b.data.is_pinned(), fx::cuda::is_available());
    EXPECT_EQ(b.target.is_pinned(), fx::cuda::is_available());
    EXPECT_TRUE(tensors_equal(b.data, expected[k].data));
    EXPECT_TRUE(tensors_equal(b.target, expected[k].target));
    ++k;
  }
  EXPECT_EQ(k, expected.size());
}
