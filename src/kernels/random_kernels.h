// Kernel tables for random sampling. Every kernel writes a contiguous `out` and follows
// Note [Random stream layout] in random_functors.h, so its values depend only on (seed, offset)
// and the element index. The op layer (src/ops/random.cpp) reserves the counters.
#pragma once

#include <cstdint>

#include "fluxion/tensor.h"
#include "kernels/dispatch.h"

namespace fluxion::kernels {

/// U[from, to) into a floating `out` (64-bit draw for float64, 32-bit otherwise).
using UniformFn = void (*)(const Tensor& out, uint64_t seed, uint64_t offset, double from, double to);
/// N(mean, std^2) into a floating `out`.
using NormalFn = void (*)(const Tensor& out, uint64_t seed, uint64_t offset, double mean, double std);
/// Exponential(lambd) into a floating `out`.
using ExponentialFn = void (*)(const Tensor& out, uint64_t seed, uint64_t offset, double lambd);
/// Integers low + [0, range) into any dtype; 64-bit draw when range > 2^32.
using RandomIntFn = void (*)(const Tensor& out, uint64_t seed, uint64_t offset, int64_t low, uint64_t range);
/// 1 with probability p, else 0, into any dtype (64-bit draw).
using BernoulliScalarFn = void (*)(const Tensor& out, uint64_t seed, uint64_t offset, double p);
/// out[i] = u_i < p[i]; `p` is a contiguous float64 tensor of out's sizes (64-bit draw).
using BernoulliTensorFn = void (*)(const Tensor& out, const Tensor& p, uint64_t seed, uint64_t offset);
/// Samples `out.size(1)` category indices per row of non-negative float64 weights (rows, n)
/// into int64 `out` (rows, k). Draw element r * max(n, k) + j (64-bit).
using MultinomialFn = void (*)(const Tensor& out, const Tensor& weights, bool replacement, uint64_t seed,
                               uint64_t offset);
/// A random permutation of 0..n-1 (Fisher-Yates, 64-bit draw), keyed by out's dtype.
using RandpermFn = void (*)(const Tensor& out, uint64_t seed, uint64_t offset);

FX_DECLARE_KERNEL(uniform_kernel, UniformFn);
FX_DECLARE_KERNEL(normal_kernel, NormalFn);
FX_DECLARE_KERNEL(exponential_kernel, ExponentialFn);
FX_DECLARE_KERNEL(random_int_kernel, RandomIntFn);
FX_DECLARE_KERNEL(bernoulli_scalar_kernel, BernoulliScalarFn);
FX_DECLARE_KERNEL(bernoulli_tensor_kernel, BernoulliTensorFn);
FX_DECLARE_KERNEL(multinomial_kernel, MultinomialFn);
FX_DECLARE_KERNEL(randperm_kernel, RandpermFn);

}  // namespace fluxion::kernels
