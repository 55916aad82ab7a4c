// Datasets: random-access (size, get) and iterable sources of examples, plus the combinators
// TensorDataset, Subset, ConcatDataset and random_split.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "fluxion/tensor.h"

namespace fluxion::data {

/// One sample: its input and its target (a 0-d int64 class index for classification).
struct Example {
  Tensor data;
  Tensor target;
};

/// A collated mini-batch: samples stacked along a new leading dimension.
struct Batch {
  Tensor data;    // (B, ...)
  Tensor target;  // (B, ...); (B,) int64 for class indices
};

/// Random-access dataset. get() must be thread-safe: DataLoader workers call it concurrently.
template <class T = Example>
class Dataset {
 public:
  using value_type = T;
  virtual ~Dataset() = default;
  /// Number of samples.
  virtual int64_t size() const = 0;
  /// Sample `index` in [0, size()).
  virtual T get(int64_t index) const = 0;
};

/// A stream of samples with no random access (generated data, files read front to back).
/// next() returns std::nullopt at the end of the stream; reset() starts it again.
template <class T = Example>
class IterableDataset {
 public:
  using value_type = T;
  virtual ~IterableDataset() = default;
  virtual std::optional<T> next() = 0;
  virtual void reset() = 0;
};

using DatasetPtr = std::shared_ptr<Dataset<Example>>;

/// Row i of `data` and row i of `targets` (both indexed along dim 0; targets may be undefined).
class TensorDataset : public Dataset<Example> {
 public:
  TensorDataset(Tensor data, Tensor targets);
  int64_t size() const override { return data_.size(0); }
  Example get(int64_t index) const override;
  const Tensor& data() const { return data_; }
  const Tensor& targets() const { return targets_; }

 private:
  Tensor data_, targets_;
};

/// The samples of `dataset` at `indices`, in that order.
class Subset : public Dataset<Example> {
 public:
  Subset(DatasetPtr dataset, std::vector<int64_t> indices);
  int64_t size() const override { return static_cast<int64_t>(indices_.size()); }
  Example get(int64_t index) const override;
  const std::vector<int64_t>& indices() const { return indices_; }

 private:
  DatasetPtr dataset_;
  std::vector<int64_t> indices_;
};

/// Several datasets one after the other.
class ConcatDataset : public Dataset<Example> {
 public:
  explicit ConcatDataset(std::vector<DatasetPtr> datasets);
  int64_t size() const override { return offsets_.empty() ? 0 : offsets_.back(); }
  Example get(int64_t index) const override;

 private:
  std::vector<DatasetPtr> datasets_;
  std::vector<int64_t> offsets_;  // cumulative sizes: offsets_[i] = end of datasets_[i]
};

/// Applies `fn` to every sample of `dataset` on access (deterministic per index; for random
/// augmentation use DataLoader's transform, which varies with the epoch).
class MapDataset : public Dataset<Example> {
 public:
  MapDataset(DatasetPtr dataset, std::function<Example(Example)> fn);
  int64_t size() const override { return dataset_->size(); }
  Example get(int64_t index) const override { return fn_(dataset_->get(index)); }

 private:
  DatasetPtr dataset_;
  std::function<Example(Example)> fn_;
};

/// shared_ptr<Subset> over `dataset`.
DatasetPtr subset(DatasetPtr dataset, std::vector<int64_t> indices);
/// shared_ptr<ConcatDataset>.
DatasetPtr concat(std::vector<DatasetPtr> datasets);
/// Splits a random permutation (seeded) of `dataset` into consecutive parts of the given lengths,
/// which must add up to dataset->size().
std::vector<DatasetPtr> random_split(DatasetPtr dataset, const std::vector<int64_t>& lengths, uint64_t seed = 0);

}  // namespace fluxion::data
