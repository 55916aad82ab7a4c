// DataLoader and its worker pool.
//
// Note [Loader ordering]: a pass fixes its list of batches (index lists) up front from the sampler
// and (seed, epoch). Workers claim batch numbers from a shared counter, build the batch (get +
// transform + collate) outside the lock and file it under its number; the consumer takes numbers
// 0, 1, 2, ... in turn. A batch's content depends only on its index list and, for the transform,
// on a generator seeded from (seed, epoch, position in the pass), so it is the same for any
// worker count and any scheduling. At most num_workers * prefetch batches are claimed beyond the
// one the consumer waits for (bounded memory). A worker's exception is stored in place of its
// batch and re-thrown when the consumer reaches that batch. Stopping (end, early break,
// destruction) sets a flag, wakes everybody and joins.
#include "fluxion/data/dataloader.h"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include "fluxion/autograd.h"
#include "fluxion/cuda.h"
#include "fluxion/error.h"

namespace fluxion::data {
namespace detail {

class LoaderRun {
 public:
  using CollateFn = std::function<Batch(const std::vector<Example>&)>;
  LoaderRun(DatasetPtr dataset, std::vector<std::vector<int64_t>> batches, Transform transform, CollateFn collate_fn,
            uint64_t seed, int64_t epoch, int num_workers, int prefetch, bool pin_memory)
      : dataset_(std::move(dataset)),
        batches_(std::move(batches)),
        transform_(std::move(transform)),
        collate_(std::move(collate_fn)),
        seed_(seed),
        epoch_(epoch),
        window_(static_cast<int64_t>(num_workers) * std::max(prefetch, 1)),
        pin_memory_(pin_memory) {
    // Position of each batch's first sample in the pass, for per-sample transform seeds.
    first_position_.assign(batches_.size(), 0);
    for (size_t i = 1; i < batches_.size(); ++i)
      first_position_[i] = first_position_[i - 1] + static_cast<int64_t>(batches_[i - 1].size());
    for (int w = 0; w < num_workers; ++w) workers_.emplace_back([this] { work(); });
  }

  ~LoaderRun() { stop(); }

  bool done() const { return next_ >= static_cast<int64_t>(batches_.size()); }
  bool at_end() const { return !has_current_; }
  Batch& current() {
    FX_CHECK(has_current_, "DataLoader: dereferencing an iterator past the end");
    return current_;
  }

  /// Moves to the next batch (or to the end); re-throws a worker's exception.
  void advance() {
    has_current_ = false;
    if (done()) {
      stop();
      current_ = Batch();  // release the last batch's memory
      return;
    }
    const int64_t k = next_++;
    if (workers_.empty()) {
      current_ = build(k);
      has_current_ = true;
      return;
    }
    Slot slot;
    {
      std::unique_lock<std::mutex> lock(mu_);
      consumer_at_ = k;
      work_cv_.notify_all();  // the window moved
      ready_cv_.wait(lock, [&] { return results_.count(k) != 0; });
      slot = std::move(results_[k]);
      results_.erase(k);
    }
    if (slot.error) {
      stop();
      next_ = static_cast<int64_t>(batches_.size());
      std::rethrow_exception(slot.error);
    }
    current_ = std::move(slot.batch);
    has_current_ = true;
  }

 private:
  struct Slot {
    Batch batch;
    std::exception_ptr error;
  };

  Batch build(int64_t k) const {
    const auto& idx = batches_[static_cast<size_t>(k)];
    std::vector<Example> samples;
    samples.reserve(idx.size());
    for (size_t j = 0; j < idx.size(); ++j) {
      Example e = dataset_->get(idx[j]);
      if (transform_) {
        const auto pos = static_cast<uint64_t>(first_position_[static_cast<size_t>(k)] + static_cast<int64_t>(j));
        Generator gen(mix_seed(seed_, static_cast<uint64_t>(epoch_) + 0x5bd1e995ULL, pos));
        e.data = transform_(e.data, gen);
      }
      samples.push_back(std::move(e));
    }
    Batch batch = collate_ ? collate_(samples) : collate(samples);
    if (pin_memory_) {
      if (batch.data.defined() && batch.data.is_cpu()) batch.data = batch.data.pin_memory();
      if (batch.target.defined() && batch.target.is_cpu()) batch.target = batch.target.pin_memory();
    }
    return batch;
  }

  void work() {
    NoGradGuard no_grad;  // data preparation never records autograd graphs
    for (;;) {
      int64_t k;
      {
        std::unique_lock<std::mutex> lock(mu_);
        work_cv_.wait(lock, [&] { return stopping_ || claimed_ >= total() || claimed_ <= consumer_at_ + window_; });
        if (stopping_ || claimed_ >= total()) return;
        k = claimed_++;
      }
      Slot slot;
      try {
        slot.batch = build(k);
      } catch (...) {
        slot.error = std::current_exception();
      }
      std::lock_guard<std::mutex> lock(mu_);
      results_[k] = std::move(slot);
      ready_cv_.notify_all();
    }
  }

  int64_t total() const { return static_cast<int64_t>(batches_.size()); }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    work_cv_.notify_all();
    for (auto& t : workers_)
      if (t.joinable()) t.join();
    workers_.clear();
    results_.clear();
  }

  DatasetPtr dataset_;
  std::vector<std::vector<int64_t>> batches_;
  std::vector<int64_t> first_position_;
  Transform transform_;
  CollateFn collate_;
  uint64_t seed_;
  int64_t epoch_;
  int64_t window_;
  bool pin_memory_;

  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable work_cv_, ready_cv_;
  std::map<int64_t, Slot> results_;  // guarded by mu_
  int64_t claimed_ = 0;              // guarded by mu_: next batch number a worker takes
  int64_t consumer_at_ = 0;          // guarded by mu_: batch the consumer waits for
  bool stopping_ = false;            // guarded by mu_

  int64_t next_ = 0;  // consumer thread only
  Batch current_;
  bool has_current_ = false;
};

}  // namespace detail

namespace {
SamplerPtr default_sampler(const DatasetPtr& dataset, const DataLoaderOptions& o) {
  FX_CHECK(dataset != nullptr, "DataLoader: dataset is null");
  if (o.shuffle) return std::make_shared<RandomSampler>(dataset->size(), o.seed);
  return std::make_shared<SequentialSampler>(dataset->size());
}

void check_options(const DataLoaderOptions& o) {
  FX_CHECK(o.num_workers >= 0, "DataLoader: num_workers must be >= 0, got ", o.num_workers);
  FX_CHECK(o.prefetch >= 1, "DataLoader: prefetch must be >= 1, got ", o.prefetch);
}

// pin_memory takes effect only where pinned memory exists (a CUDA device); otherwise a warning,
// as PyTorch, so that device-agnostic code can set it unconditionally.
bool pin_batches(const DataLoaderOptions& o) {
  if (!o.pin_memory) return false;
  if (cuda::is_available()) return true;
  std::cerr << "fluxion: warning: DataLoader pin_memory is set but no CUDA device is available; batches are not "
               "pinned\n";
  return false;
}
}  // namespace

DataLoader::DataLoader(DatasetPtr dataset, DataLoaderOptions options)
    : dataset_(std::move(dataset)),
      options_(options),
      batch_sampler_(default_sampler(dataset_, options), options.batch_size, options.drop_last) {
  check_options(options_);
  pin_ = pin_batches(options_);
}

DataLoader::DataLoader(DatasetPtr dataset, SamplerPtr sampler, DataLoaderOptions options)
    : dataset_(std::move(dataset)),
      options_(options),
      batch_sampler_(std::move(sampler), options.batch_size, options.drop_last) {
  FX_CHECK(dataset_ != nullptr, "DataLoader: dataset is null");
  FX_CHECK(!options.shuffle, "DataLoader: pass shuffle=false with an explicit sampler (the sampler decides the order)");
  check_options(options_);
  pin_ = pin_batches(options_);
}

DataLoader& DataLoader::set_transform(Transform transform) {
  transform_ = std::move(transform);
  return *this;
}

DataLoader& DataLoader::set_collate(std::function<Batch(const std::vector<Example>&)> fn) {
  collate_ = std::move(fn);
  return *this;
}

DataLoader::Iterator DataLoader::begin() const {
  auto run = std::make_shared<detail::LoaderRun>(dataset_, batch_sampler_.batches(epoch_), transform_, collate_,
                                                 options_.seed, epoch_, options_.num_workers, options_.prefetch, pin_);
  ++epoch_;
  run->advance();
  return Iterator(std::move(run));
}

DataLoader::Iterator::Iterator(std::shared_ptr<detail::LoaderRun> run) : run_(std::move(run)) {}

Batch& DataLoader::Iterator::operator*() const { return run_->current(); }

DataLoader::Iterator& DataLoader::Iterator::operator++() {
  run_->advance();
  return *this;
}

bool DataLoader::Iterator::operator==(Sentinel) const { return !run_ || run_->at_end(); }

}  // namespace fluxion::data
