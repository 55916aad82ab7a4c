// Launchers of the CUDA random kernels (cuda/random.cu). They follow Note [Random stream
// layout] (kernels/random_functors.h): element i of a draw comes from Philox block
// (offset + i / per, seed), so a CUDA tensor gets the CPU's stream of numbers for the same seed.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "cuda/launch.h"

namespace fluxion::cuda::kern {

/// What a random kernel writes per element (u: the element's uniform draw).
enum class RandomDist : int {
  Uniform,      // a + b * u                       (floating)
  Normal,       // a + b * N(0, 1)                 (floating)
  Exponential,  // -log1p(-u) / a                  (floating)
  Bernoulli,    // u64 < a ? 1 : 0                 (any)
  BernoulliP,   // u64 < p[i] ? 1 : 0, p double    (any)
  Integer,      // low + bits % range              (any)
};
struct RandomArgs {
  RandomDist dist = RandomDist::Uniform;
  uint64_t seed = 0, offset = 0;
  double a = 0, b = 0;
  const double* p = nullptr;  // BernoulliP
  int64_t low = 0;            // Integer
  uint64_t range = 1;         // Integer
  bool wide = false;          // 64-bit draws (two elements per Philox block)
};
/// Fills the contiguous `out` (n elements of type t).
void random_fill(void* out, int64_t n, Ty t, const RandomArgs& a, cudaStream_t s);

}  // namespace fluxion::cuda::kern
