// Random numbers: a counter-based Philox4x32-10 generator, so results depend only on the seed
// and the element index, never on the thread count.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>

#include "fluxion/tensor.h"

namespace fluxion {

/// A random stream: (seed, offset). A draw of n numbers reserves ceil(n / 4) Philox counters (ceil(n / 2)
/// for 64-bit draws: float64, bernoulli, wide integer ranges); element i uses counter offset + i / 4, lane i % 4.
class Generator {
 public:
  explicit Generator(uint64_t seed = 67280421310721ULL);
  void manual_seed(uint64_t seed);
  uint64_t initial_seed() const;
  /// Reserves `n` counter values and returns the first; thread-safe.
  uint64_t reserve(uint64_t n);
  /// Reserves `n` counters and returns {seed, first counter} under one lock (what kernels need).
  std::pair<uint64_t, uint64_t> draw(uint64_t n);
  /// Full state (seed, offset) for checkpoints.
  std::pair<uint64_t, uint64_t> get_state() const;
  void set_state(std::pair<uint64_t, uint64_t> state);

 private:
  mutable std::mutex mu_;
  uint64_t seed_;
  uint64_t offset_ = 0;
};

/// The global default generator (documented global state).
Generator& default_generator();
/// Seeds the default generator.
void manual_seed(uint64_t seed);

namespace philox {
/// Philox4x32-10: four 32-bit random words for (counter, key).
struct Out {
  uint32_t v[4];
};
Out philox4x32(uint64_t counter, uint64_t key);
/// Uniform float in [0, 1) from a 32-bit word (24 bits of mantissa).
inline float uint_to_float(uint32_t x) { return static_cast<float>(x >> 8) * (1.0f / 16777216.0f); }
/// Uniform double in [0, 1) from two words (53 bits of mantissa).
inline double uint_to_double(uint32_t hi, uint32_t lo) {
  uint64_t v = ((static_cast<uint64_t>(hi) << 32) | lo) >> 11;
  return static_cast<double>(v) * (1.0 / 9007199254740992.0);
}
}  // namespace philox

/// U[0, 1).
Tensor rand(const Shape& sizes, const TensorOptions& opts = {}, Generator* gen = nullptr);
/// N(0, 1).
Tensor randn(const Shape& sizes, const TensorOptions& opts = {}, Generator* gen = nullptr);
/// Integers in [low, high); int64 by default.
Tensor randint(int64_t low, int64_t high, const Shape& sizes, const TensorOptions& opts = {}, Generator* gen = nullptr);
Tensor randint(int64_t high, const Shape& sizes, const TensorOptions& opts = {}, Generator* gen = nullptr);
/// A random permutation of 0..n-1 (int64).
Tensor randperm(int64_t n, const TensorOptions& opts = {}, Generator* gen = nullptr);
Tensor rand_like(const Tensor& t, Generator* gen = nullptr);
Tensor randn_like(const Tensor& t, Generator* gen = nullptr);
/// Samples 0/1 with probabilities `p` (same shape and dtype as p).
Tensor bernoulli(const Tensor& p, Generator* gen = nullptr);
Tensor bernoulli(const Tensor& like, double p, Generator* gen = nullptr);
/// Samples indices from each row of non-negative weights `probs` (1-d or 2-d).
Tensor multinomial(const Tensor& probs, int64_t num_samples, bool replacement = false, Generator* gen = nullptr);
/// Normal with tensor/scalar mean and std.
Tensor normal(const Tensor& mean, const Tensor& std, Generator* gen = nullptr);
Tensor normal(double mean, double std, const Shape& sizes, const TensorOptions& opts = {}, Generator* gen = nullptr);
/// In-place fills.
Tensor& uniform_(Tensor& t, double from = 0.0, double to = 1.0, Generator* gen = nullptr);
Tensor& normal_(Tensor& t, double mean = 0.0, double std = 1.0, Generator* gen = nullptr);
Tensor& bernoulli_(Tensor& t, double p, Generator* gen = nullptr);
Tensor& random_(Tensor& t, int64_t low, int64_t high, Generator* gen = nullptr);
Tensor& exponential_(Tensor& t, double lambd = 1.0, Generator* gen = nullptr);

}  // namespace fluxion
