// TensorDataset, Subset, ConcatDataset, MapDataset and random_split.
#include "fluxion/data/dataset.h"

#include <algorithm>
#include <numeric>

#include "fluxion/data/sampler.h"
#include "fluxion/error.h"
#include "fluxion/random.h"

namespace fluxion::data {

namespace {
int64_t check_index(int64_t index, int64_t size, const char* what) {
  FX_CHECK(index >= 0 && index < size, what, ": index ", index, " out of range for size ", size);
  return index;
}
}  // namespace

TensorDataset::TensorDataset(Tensor data, Tensor targets) : data_(std::move(data)), targets_(std::move(targets)) {
  FX_CHECK(data_.defined() && data_.dim() >= 1, "TensorDataset: data must have at least one dimension");
  FX_CHECK(!targets_.defined() || (targets_.dim() >= 1 && targets_.size(0) == data_.size(0)),
           "TensorDataset: data has ", data_.size(0), " rows but targets have ",
           targets_.defined() && targets_.dim() >= 1 ? targets_.size(0) : int64_t{-1});
}

Example TensorDataset::get(int64_t index) const {
  check_index(index, size(), "TensorDataset");
  return {data_.select(0, index), targets_.defined() ? targets_.select(0, index) : Tensor()};
}

Subset::Subset(DatasetPtr dataset, std::vector<int64_t> indices)
    : dataset_(std::move(dataset)), indices_(std::move(indices)) {
  FX_CHECK(dataset_ != nullptr, "Subset: dataset is null");
  const int64_t n = dataset_->size();
  for (int64_t i : indices_) FX_CHECK(i >= 0 && i < n, "Subset: index ", i, " out of range for dataset size ", n);
}

Example Subset::get(int64_t index) const {
  return dataset_->get(indices_[static_cast<size_t>(check_index(index, size(), "Subset"))]);
}

ConcatDataset::ConcatDataset(std::vector<DatasetPtr> datasets) : datasets_(std::move(datasets)) {
  int64_t total = 0;
  for (const auto& d : datasets_) {
    FX_CHECK(d != nullptr, "ConcatDataset: dataset is null");
    total += d->size();
    offsets_.push_back(total);
  }
}

Example ConcatDataset::get(int64_t index) const {
  check_index(index, size(), "ConcatDataset");
  // First dataset whose end lies beyond index.
  auto it = std::upper_bound(offsets_.begin(), offsets_.end(), index);
  const size_t k = static_cast<size_t>(it - offsets_.begin());
  const int64_t start = k == 0 ? 0 : offsets_[k - 1];
  return datasets_[k]->get(index - start);
}

MapDataset::MapDataset(DatasetPtr dataset, std::function<Example(Example)> fn)
    : dataset_(std::move(dataset)), fn_(std::move(fn)) {
  FX_CHECK(dataset_ != nullptr && fn_, "MapDataset: dataset and function must be set");
}

DatasetPtr subset(DatasetPtr dataset, std::vector<int64_t> indices) {
  return std::make_shared<Subset>(std::move(dataset), std::move(indices));
}

DatasetPtr concat(std::vector<DatasetPtr> datasets) { return std::make_shared<ConcatDataset>(std::move(datasets)); }

std::vector<DatasetPtr> random_split(DatasetPtr dataset, const std::vector<int64_t>& lengths, uint64_t seed) {
  FX_CHECK(dataset != nullptr, "random_split: dataset is null");
  int64_t total = 0;
  for (int64_t l : lengths) {
    FX_CHECK(l >= 0, "random_split: negative length ", l);
    total += l;
  }
  FX_CHECK(total == dataset->size(), "random_split: lengths sum to ", total, " but the dataset has ", dataset->size(),
           " samples");
  const std::vector<int64_t> perm = RandomSampler(total, seed).indices(0);
  std::vector<DatasetPtr> parts;
  auto pos = perm.begin();
  for (int64_t l : lengths) {
    parts.push_back(subset(dataset, std::vector<int64_t>(pos, pos + l)));
    pos += l;
  }
  return parts;
}

}  // namespace fluxion::data
