// Datasets and collate: TensorDataset, Subset, ConcatDataset, MapDataset, random_split,
// IterableDataset, collate shapes/dtypes and errors.
#include <algorithm>
#include <numeric>
#include <set>

#include "fluxion/data.h"
#include "support/test_util.h"

namespace fx = fluxion;
namespace fd = fluxion::data;
using fxtest::tensors_equal;

namespace {

std::shared_ptr<fd::TensorDataset> range_dataset(int64_t n) {
  // data row i = [i, 10 i], target i % 3
  fx::Tensor x = fx::arange(n, fx::kFloat32);
  fx::Tensor data = fx::stack({x, x * 10}, 1);
  fx::Tensor targets = fx::arange(n, fx::kInt64).remainder(3);
  return std::make_shared<fd::TensorDataset>(data, targets);
}

float first(const fd::Example& e) { return e.data.index({0}).item<float>(); }

}  // namespace

TEST(Dataset, TensorDatasetRows) {
  auto ds = range_dataset(5);
  EXPECT_EQ(ds->size(), 5);
  fd::Example e = ds->get(3);
  EXPECT_TRUE(tensors_equal(e.data, fx::tensor({3.0f, 30.0f})));
  EXPECT_EQ(e.target.dim(), 0);
  EXPECT_EQ(e.target.item<int64_t>(), 0);
  EXPECT_FX_ERROR(ds->get(5), "out of range");
  EXPECT_FX_ERROR(fd::TensorDataset(fx::zeros({3, 2}), fx::zeros({4})), "targets");
}

TEST(Dataset, SubsetConcatMap) {
  auto ds = range_dataset(6);
  auto sub = fd::subset(ds, {4, 1});
  EXPECT_EQ(sub->size(), 2);
  EXPECT_EQ(first(sub->get(0)), 4.0f);
  EXPECT_EQ(first(sub->get(1)), 1.0f);
  EXPECT_FX_ERROR(fd::subset(ds, {6}), "out of range");

  auto cat = fd::concat({ds, sub, range_dataset(2)});
  EXPECT_EQ(cat->size(), 10);
  EXPECT_EQ(first(cat->get(5)), 5.0f);
  EXPECT_EQ(first(cat->get(6)), 4.0f);
  EXPECT_EQ(first(cat->get(9)), 1.0f);
  EXPECT_FX_ERROR(cat->get(10), "out of range");

  fd::MapDataset doubled(ds, [](fd::Example e) { return fd::Example{e.data * 2, e.target}; });
  EXPECT_EQ(first(doubled.get(2)), 4.0f);
}

TEST(Dataset, RandomSplitIsSeededPartition) {
  auto ds = range_dataset(100);
  auto parts = fd::random_split(ds, {70, 20, 10}, 42);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0]->size(), 70);
  EXPECT_EQ(parts[2]->size(), 10);
  std::set<float> seen;
  for (auto& p : parts)
    for (int64_t i = 0; i < p->size(); ++i) seen.insert(first(p->get(i)));
  EXPECT_EQ(seen.size(), 100u);  // a partition: every sample exactly once
  auto again = fd::random_split(ds, {70, 20, 10}, 42);
  auto other = fd::random_split(ds, {70, 20, 10}, 43);
  bool same = true, differs = false;
  for (int64_t i = 0; i < 70; ++i) {
    same = same && first(parts[0]->get(i)) == first(again[0]->get(i));
    differs = differs || first(parts[0]->get(i)) != first(other[0]->get(i));
  }
  EXPECT_TRUE(same);
  EXPECT_TRUE(differs);
  EXPECT_FX_ERROR(fd::random_split(ds, {50, 20}, 0), "sum to 70");
}

namespace {
// Counts 0..n-1 as a stream.
class CountStream : public fd::IterableDataset<fd::Example> {
 public:
  explicit CountStream(int64_t n) : n_(n) {}
  std::optional<fd::Example> next() override {
    if (i_ >= n_) return std::nullopt;
    const int64_t v = i_++;
    return fd::Example{fx::full({2}, static_cast<double>(v)), fx::scalar_tensor(v, fx::kInt64)};
  }
  void reset() override { i_ = 0; }

 private:
  int64_t n_, i_ = 0;
};
}  // namespace

TEST(Dataset, IterableDatasetStreams) {
  CountStream s(3);
  std::vector<fd::Example> all;
  while (auto e = s.next()) all.push_back(*e);
  ASSERT_EQ(all.size(), 3u);
  fd::Batch b = fd::collate(all);
  EXPECT_TRUE(tensors_equal(b.target, fx::tensor<int64_t>({0, 1, 2})));
  s.reset();
  EXPECT_TRUE(s.next().has_value());
}

TEST(Collate, StacksDataAndTargets) {
  auto ds = range_dataset(4);
  fd::Batch b = fd::collate({ds->get(0), ds->get(2), ds->get(3)});
  EXPECT_EQ(b.data.sizes(), fx::Shape({3, 2}));
  EXPECT_EQ(b.target.sizes(), fx::Shape({3}));
  EXPECT_EQ(b.target.dtype(), fx::kInt64);
  EXPECT_TRUE(tensors_equal(b.data, fx::tensor({{0.0f, 0.0f}, {2.0f, 20.0f}, {3.0f, 30.0f}})));
  EXPECT_TRUE(tensors_equal(b.target, fx::tensor<int64_t>({0, 2, 0})));
}

TEST(Collate, NonContiguousAndUndefinedTargets) {
  fx::Tensor m = fx::arange(6, fx::kFloat32).reshape({2, 3});
  fd::Batch b = fd::collate({{m.t(), fx::Tensor()}, {m.t() + 1, fx::Tensor()}});
  EXPECT_FALSE(b.target.defined());
  EXPECT_TRUE(tensors_equal(b.data, fx::stack({m.t(), m.t() + 1})));
}

TEST(Collate, Errors) {
  EXPECT_FX_ERROR(fd::collate({}), "no samples");
  EXPECT_FX_ERROR(fd::collate({{fx::zeros({2}), fx::Tensor()}, {fx::zeros({3}), fx::Tensor()}}), "shape");
  EXPECT_FX_ERROR(fd::collate({{fx::zeros({2}), fx::Tensor()}, {fx::zeros({2}, fx::kInt64), fx::Tensor()}}), "dtype");
}

TEST(Dataset, StreamLoaderBatchesAStream) {
  auto s = std::make_shared<CountStream>(7);
  fd::StreamLoader keep(s, 3), drop(s, 3, true);
  std::vector<int64_t> sizes;
  for (fd::Batch& b : keep) sizes.push_back(b.target.size(0));
  EXPECT_EQ(sizes, (std::vector<int64_t>{3, 3, 1}));
  int64_t n = 0;
  for (fd::Batch& b : drop) n += b.target.size(0);
  EXPECT_EQ(n, 6);
}

TEST(Collate, PairsAndTuples) {
  auto [x, y] = fd::collate_pairs({{fx::zeros({2}), fx::ones({3})}, {fx::ones({2}), fx::zeros({3})}});
  EXPECT_EQ(x.sizes(), fx::Shape({2, 2}));
  EXPECT_EQ(y.sizes(), fx::Shape({2, 3}));
  std::vector<std::tuple<fx::Tensor, fx::Tensor, fx::Tensor>> rows = {
      {fx::full({1}, 1.0), fx::scalar_tensor(int64_t{4}), fx::zeros({2, 2})},
      {fx::full({1}, 2.0), fx::scalar_tensor(int64_t{5}), fx::ones({2, 2})}};
  auto [a, b, c] = fd::collate_tuples(rows);
  EXPECT_TRUE(tensors_equal(a, fx::tensor({{1.0f}, {2.0f}})));
  EXPECT_TRUE(tensors_equal(b, fx::tensor<int64_t>({4, 5})));
  EXPECT_EQ(c.sizes(), fx::Shape({2, 2, 2}));
}
