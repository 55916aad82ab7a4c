// Samplers: the order in which a DataLoader visits dataset indices. Every order is a pure
// function of (seed, epoch), so a resumed run at epoch e sees the batches of an uninterrupted one.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "fluxion/tensor.h"

namespace fluxion::data {

/// Mixes (seed, a, b) into a well-spread 64-bit seed (splitmix64); used for per-epoch and
/// per-sample generators.
uint64_t mix_seed(uint64_t seed, uint64_t a, uint64_t b = 0);

class Sampler {
 public:
  virtual ~Sampler() = default;
  /// Number of indices one epoch yields.
  virtual int64_t size() const = 0;
  /// The indices of epoch `epoch`.
  virtual std::vector<int64_t> indices(int64_t epoch) const = 0;
};
using SamplerPtr = std::shared_ptr<Sampler>;

/// 0, 1, ..., n-1.
class SequentialSampler : public Sampler {
 public:
  explicit SequentialSampler(int64_t n);
  int64_t size() const override { return n_; }
  std::vector<int64_t> indices(int64_t epoch) const override;

 private:
  int64_t n_;
};

/// A permutation of 0..n-1 (or, with replacement, num_samples uniform draws), new each epoch.
class RandomSampler : public Sampler {
 public:
  explicit RandomSampler(int64_t n, uint64_t seed = 0, bool replacement = false, int64_t num_samples = -1);
  int64_t size() const override { return num_samples_; }
  std::vector<int64_t> indices(int64_t epoch) const override;

 private:
  int64_t n_, num_samples_;
  uint64_t seed_;
  bool replacement_;
};

/// num_samples indices drawn with probability proportional to `weights`.
class WeightedRandomSampler : public Sampler {
 public:
  WeightedRandomSampler(std::vector<double> weights, int64_t num_samples, bool replacement = true, uint64_t seed = 0);
  int64_t size() const override { return num_samples_; }
  std::vector<int64_t> indices(int64_t epoch) const override;

 private:
  Tensor weights_;  // float64 (n,)
  int64_t num_samples_;
  bool replacement_;
  uint64_t seed_;
};

/// The share of rank `rank` among `world` replicas: the (optionally shuffled) order is padded by
/// repetition to a multiple of world (or truncated with drop_last), then rank takes every
/// world-th index starting at rank. All ranks use the same seed and epoch.
class DistributedSampler : public Sampler {
 public:
  DistributedSampler(int64_t n, int64_t world, int64_t rank, bool shuffle = true, uint64_t seed = 0,
                     bool drop_last = false);
  int64_t size() const override { return per_rank_; }
  std::vector<int64_t> indices(int64_t epoch) const override;

 private:
  int64_t n_, world_, rank_, per_rank_;
  bool shuffle_;
  uint64_t seed_;
  bool drop_last_;
};

/// Groups a sampler's indices into batches of batch_size (the last one smaller unless drop_last).
class BatchSampler {
 public:
  BatchSampler(SamplerPtr sampler, int64_t batch_size, bool drop_last = false);
  /// Number of batches per epoch.
  int64_t size() const;
  std::vector<std::vector<int64_t>> batches(int64_t epoch) const;
  const SamplerPtr& sampler() const { return sampler_; }

 private:
  SamplerPtr sampler_;
  int64_t batch_size_;
  bool drop_last_;
};

}  // namespace fluxion::data
