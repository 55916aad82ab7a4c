// DataLoader: batches of a Dataset in sampler order, built by worker threads with bounded
// prefetch. Batches come out in order and are identical whatever num_workers is.
#pragma once

#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <vector>

#include "fluxion/data/collate.h"
#include "fluxion/data/dataset.h"
#include "fluxion/data/sampler.h"
#include "fluxion/data/transforms.h"

namespace fluxion::data {

struct DataLoaderOptions {
  int64_t batch_size = 1;
  bool shuffle = false;    // RandomSampler seeded from (seed, epoch) instead of SequentialSampler
  bool drop_last = false;  // drop a last batch smaller than batch_size
  int num_workers = 0;     // 0: batches are built on the calling thread
  int prefetch = 2;        // batches in flight per worker
  uint64_t seed = 0;
  /// Copy each batch's tensors into pinned (page-locked) host memory as it is built, so
  /// `batch.data.to(cuda, non_blocking=true)` is an asynchronous copy. Without a CUDA device the
  /// batches stay unpinned and the constructor prints a warning (as PyTorch).
  bool pin_memory = false;
};

namespace detail {
class LoaderRun;
}

class DataLoader {
 public:
  /// Sequential or (options.shuffle) random order over the whole dataset.
  DataLoader(DatasetPtr dataset, DataLoaderOptions options = {});
  /// Explicit sampler (weighted, distributed, ...); options.shuffle must be false.
  DataLoader(DatasetPtr dataset, SamplerPtr sampler, DataLoaderOptions options = {});

  /// Per-sample transform of Example::data, run in the workers with a generator seeded from
  /// (seed, epoch, position in the epoch), so augmentation is reproducible too.
  DataLoader& set_transform(Transform transform);
  /// Replaces the default collate (stack) with `fn`, e.g. to pad variable-length sequences; runs in
  /// the workers.
  DataLoader& set_collate(std::function<Batch(const std::vector<Example>&)> fn);
  /// The order of the next pass is a pure function of (seed, epoch). Each pass then advances the
  /// epoch by one, so plain `for (epoch) for (batch : loader)` reshuffles every epoch.
  void set_epoch(int64_t epoch) { epoch_ = epoch; }
  int64_t epoch() const { return epoch_; }
  /// Batches per pass.
  int64_t size() const { return batch_sampler_.size(); }
  int64_t dataset_size() const { return dataset_->size(); }
  const DataLoaderOptions& options() const { return options_; }
  const DatasetPtr& dataset() const { return dataset_; }

  class Iterator;
  struct Sentinel {};
  /// Starts a pass (workers start here) over epoch() and advances the epoch; an unfinished pass is
  /// stopped and joined when its iterator is destroyed. const so a `const DataLoader&` iterates.
  Iterator begin() const;
  Sentinel end() const { return {}; }

 private:
  DatasetPtr dataset_;
  DataLoaderOptions options_;
  BatchSampler batch_sampler_;
  Transform transform_;
  std::function<Batch(const std::vector<Example>&)> collate_;
  mutable int64_t epoch_ = 0;  // advanced by begin()
  bool pin_ = false;           // options_.pin_memory and a CUDA device is available
};

class DataLoader::Iterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = Batch;
  using difference_type = std::ptrdiff_t;
  using pointer = Batch*;
  using reference = Batch&;

  Iterator() = default;
  explicit Iterator(std::shared_ptr<detail::LoaderRun> run);
  Batch& operator*() const;
  Batch* operator->() const { return &**this; }
  Iterator& operator++();
  void operator++(int) { ++*this; }
  bool operator==(Sentinel) const;

 private:
  std::shared_ptr<detail::LoaderRun> run_;
};

}  // namespace fluxion::data
