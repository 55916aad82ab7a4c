// CUDA fused optimiser steps: SGD (momentum, dampening, Nesterov, weight decay, maximize) and
// Adam/AdamW (amsgrad), one pass over each parameter with the per-element arithmetic of the
// CPU kernels (kernels/cpu/optim_sgd.cpp, optim_adam.cpp; PyTorch's single-tensor order). The
// options are kernel arguments (uniform branches), so one kernel per dtype and rule. nvcc may
// contract a * b + c into FMAs, so results agree with the CPU to rounding, not bitwise.
#include <cmath>

#include "cuda/cuda_check.h"
#include "cuda/launch.h"

namespace fluxion::cuda::kern {
namespace {

constexpr int kThreads = 256;

int blocks_for(int64_t n) {
  int64_t b = (n + kThreads - 1) / kThreads;
  if (b < 1) b = 1;
  if (b > 65535 * 8) b = 65535 * 8;
  return static_cast<int>(b);
}

template <class A>
__device__ __forceinline__ A maximum_nan(A a, A b) {
  A m = a > b ? a : b;
  m = b != b ? b : m;
  return a != a ? a : m;
}

template <class T>
__global__ void sgd_kernel(SgdArgs a) {
  T* p = static_cast<T*>(a.param);
  const T* g = static_cast<const T*>(a.grad);
  T* buf = static_cast<T*>(a.momentum_buffer);
  const T sgn = a.maximize ? T(-1) : T(1), neg_lr = T(-a.lr), mom = T(a.momentum), damp1 = T(1.0 - a.dampening),
          wd = T(a.weight_decay);
  const bool l2 = a.weight_decay != 0, use_mom = a.momentum != 0;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < a.n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    T gi = g[i] * sgn;
    const T pi = p[i];
    if (l2) gi = gi + wd * pi;
    if (use_mom) {
      const T bi = a.init_buffer ? gi : buf[i] * mom + damp1 * gi;
      buf[i] = bi;
      gi = a.nesterov ? gi + mom * bi : bi;
    }
    p[i] = pi + neg_lr * gi;
  }
}

template <class T>
__global__ void adam_kernel(AdamArgs a) {
  T* p = static_cast<T*>(a.param);
  const T* g = static_cast<const T*>(a.grad);
  T* m1 = static_cast<T*>(a.exp_avg);
  T* m2 = static_cast<T*>(a.exp_avg_sq);
  T* mx = static_cast<T*>(a.max_exp_avg_sq);
  const T sgn = a.maximize ? T(-1) : T(1), w1 = T(1.0 - a.beta1), beta2 = T(a.beta2), one_m_beta2 = T(1.0 - a.beta2),
          eps = T(a.eps), wd = T(a.weight_decay),
          decay = T(a.decoupled_weight_decay ? 1.0 - a.lr * a.weight_decay : 1.0), neg_step = T(-a.step_size),
          bc2s = T(a.bias_correction2_sqrt);
  const bool l2 = a.weight_decay != 0 && !a.decoupled_weight_decay;
  const bool decoupled = a.weight_decay != 0 && a.decoupled_weight_decay;
  const bool low = w1 < T(0.5);
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < a.n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    T gi = g[i] * sgn;
    T pi = p[i];
    if (decoupled) pi = pi * decay;  // param.mul_(1 - lr * wd)
    if (l2) gi = gi + wd * pi;
    const T e1 = m1[i];
    const T ea = low ? e1 + w1 * (gi - e1) : gi - (gi - e1) * (T(1) - w1);  // ATen's two-sided lerp
    m1[i] = ea;
    T es = m2[i] * beta2 + one_m_beta2 * gi * gi;
    m2[i] = es;
    if (a.amsgrad) {
      es = maximum_nan(mx[i], es);
      mx[i] = es;
    }
    const T denom = ::sqrt(es) / bc2s + eps;
    p[i] = pi + neg_step * ea / denom;
  }
}

}  // namespace

void sgd_step(const SgdArgs& a, Ty t, cudaStream_t s) {
  if (a.n == 0) return;
  if (t == Ty::F32)
    sgd_kernel<float><<<blocks_for(a.n), kThreads, 0, s>>>(a);
  else if (t == Ty::F64)
    sgd_kernel<double><<<blocks_for(a.n), kThreads, 0, s>>>(a);
  else
    FX_FAIL("sgd step: not implemented on CUDA for this dtype");
  FX_CUDA_CHECK_LAUNCH();
}

void adam_step(const AdamArgs& a, Ty t, cudaStream_t s) {
  if (a.n == 0) return;
  if (t == Ty::F32)
    adam_kernel<float><<<blocks_for(a.n), kThreads, 0, s>>>(a);
  else if (t == Ty::F64)
    adam_kernel<double><<<blocks_for(a.n), kThreads, 0, s>>>(a);
  else
    FX_FAIL("adam step: not implemented on CUDA for this dtype");
  FX_CUDA_CHECK_LAUNCH();
}

}  // namespace fluxion::cuda::kern
