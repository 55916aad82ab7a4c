// Samplers. Each epoch's order comes from a fresh Generator seeded with mix_seed(seed, epoch), so
// it depends on nothing else (not on earlier epochs, threads or workers).
#include "fluxion/data/sampler.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "fluxion/error.h"
#include "fluxion/ops/creation.h"
#include "fluxion/random.h"

namespace fluxion::data {

namespace {
uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

std::vector<int64_t> to_vector(const Tensor& t) {
  const Tensor c = t.to(kInt64).contiguous();
  const int64_t* p = c.data_ptr<int64_t>();
  return std::vector<int64_t>(p, p + c.numel());
}

std::vector<int64_t> permutation(int64_t n, uint64_t seed, int64_t epoch) {
  Generator gen(mix_seed(seed, static_cast<uint64_t>(epoch)));
  return to_vector(randperm(n, TensorOptions(kInt64), &gen));
}
}  // namespace

uint64_t mix_seed(uint64_t seed, uint64_t a, uint64_t b) { return splitmix64(splitmix64(splitmix64(seed) ^ a) ^ b); }

SequentialSampler::SequentialSampler(int64_t n) : n_(n) { FX_CHECK(n >= 0, "SequentialSampler: negative size ", n); }

std::vector<int64_t> SequentialSampler::indices(int64_t) const {
  std::vector<int64_t> v(static_cast<size_t>(n_));
  std::iota(v.begin(), v.end(), int64_t{0});
  return v;
}

RandomSampler::RandomSampler(int64_t n, uint64_t seed, bool replacement, int64_t num_samples)
    : n_(n), num_samples_(num_samples < 0 ? n : num_samples), seed_(seed), replacement_(replacement) {
  FX_CHECK(n >= 0, "RandomSampler: negative size ", n);
  FX_CHECK(replacement || num_samples_ == n, "RandomSampler: num_samples (", num_samples_,
           ") differs from the dataset size (", n, ") without replacement");
  FX_CHECK(num_samples_ == 0 || n > 0, "RandomSampler: cannot draw from an empty dataset");
}

std::vector<int64_t> RandomSampler::indices(int64_t epoch) const {
  if (!replacement_) return permutation(n_, seed_, epoch);
  if (num_samples_ == 0) return {};
  Generator gen(mix_seed(seed_, static_cast<uint64_t>(epoch)));
  return to_vector(randint(0, n_, {num_samples_}, TensorOptions(kInt64), &gen));
}

WeightedRandomSampler::WeightedRandomSampler(std::vector<double> weights, int64_t num_samples, bool replacement,
                                             uint64_t seed)
    : num_samples_(num_samples), replacement_(replacement), seed_(seed) {
  FX_CHECK(!weights.empty(), "WeightedRandomSampler: no weights");
  double total = 0;
  int64_t positive = 0;
  for (double w : weights) {
    FX_CHECK(w >= 0 && std::isfinite(w), "WeightedRandomSampler: weights must be finite and non-negative, got ", w);
    total += w;
    positive += w > 0;
  }
  FX_CHECK(total > 0, "WeightedRandomSampler: all weights are zero");
  FX_CHECK(num_samples >= 0, "WeightedRandomSampler: negative num_samples ", num_samples);
  FX_CHECK(replacement || num_samples <= positive, "WeightedRandomSampler: cannot draw ", num_samples,
           " samples without replacement from ", positive, " non-zero weights");
  weights_ = tensor(weights, TensorOptions(kFloat64));
}

std::vector<int64_t> WeightedRandomSampler::indices(int64_t epoch) const {
  if (num_samples_ == 0) return {};
  Generator gen(mix_seed(seed_, static_cast<uint64_t>(epoch)));
  return to_vector(multinomial(weights_, num_samples_, replacement_, &gen));
}

DistributedSampler::DistributedSampler(int64_t n, int64_t world, int64_t rank, bool shuffle, uint64_t seed,
                                       bool drop_last)
    : n_(n), world_(world), rank_(rank), shuffle_(shuffle), seed_(seed), drop_last_(drop_last) {
  FX_CHECK(world >= 1, "DistributedSampler: world size must be >= 1, got ", world);
  FX_CHECK(rank >= 0 && rank < world, "DistributedSampler: rank ", rank, " out of range for world size ", world);
  FX_CHECK(n >= 0, "DistributedSampler: negative size ", n);
  per_rank_ = drop_last ? n / world : (n + world - 1) / world;
}

std::vector<int64_t> DistributedSampler::indices(int64_t epoch) const {
  std::vector<int64_t> order = shuffle_ ? permutation(n_, seed_, epoch) : SequentialSampler(n_).indices(epoch);
  const size_t total = static_cast<size_t>(per_rank_ * world_);
  if (order.size() > total) order.resize(total);  // drop_last: trim the tail
  // Pad by repeating the order from the start so every rank gets per_rank_ indices.
  for (size_t i = 0; order.size() < total && !order.empty(); ++i) order.push_back(order[i]);
  std::vector<int64_t> mine;
  mine.reserve(static_cast<size_t>(per_rank_));
  for (size_t i = static_cast<size_t>(rank_); i < order.size(); i += static_cast<size_t>(world_))
    mine.push_back(order[i]);
  return mine;
}

BatchSampler::BatchSampler(SamplerPtr sampler, int64_t batch_size, bool drop_last)
    : sampler_(std::move(sampler)), batch_size_(batch_size), drop_last_(drop_last) {
  FX_CHECK(sampler_ != nullptr, "BatchSampler: sampler is null");
  FX_CHECK(batch_size >= 1, "BatchSampler: batch_size must be >= 1, got ", batch_size);
}

int64_t BatchSampler::size() const {
  const int64_t n = sampler_->size();
  return drop_last_ ? n / batch_size_ : (n + batch_size_ - 1) / batch_size_;
}

std::vector<std::vector<int64_t>> BatchSampler::batches(int64_t epoch) const {
  const std::vector<int64_t> idx = sampler_->indices(epoch);
  std::vector<std::vector<int64_t>> out;
  for (size_t start = 0; start < idx.size(); start += static_cast<size_t>(batch_size_)) {
    const size_t stop = std::min(idx.size(), start + static_cast<size_t>(batch_size_));
    if (drop_last_ && stop - start < static_cast<size_t>(batch_size_)) break;
    out.emplace_back(idx.begin() + static_cast<std::ptrdiff_t>(start), idx.begin() + static_cast<std::ptrdiff_t>(stop));
  }
  return out;
}

}  // namespace fluxion::data
