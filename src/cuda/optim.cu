// CUDA fused optimiser steps: SGD (momentum, dampening, Nesterov, weight decay, maximize) and
// Adam/AdamW (amsgrad), one pass over each parameter with the per-element functions the CPU
// kernels use (kernels/optim_functors.h). The options are kernel arguments (uniform branches),
// so one kernel per dtype and rule. nvcc may
// contract a * b + c into FMAs, so results agree with the CPU to rounding, not bitwise.
#include <cmath>

#include "cuda/cuda_check.h"
#include "cuda/launch.h"
#include "kernels/optim_functors.h"

namespace fluxion::cuda::kern {
namespace {

constexpr int kThreads = 256;

int blocks_for(int64_t n) {
  int64_t b = (n + kThreads - 1) / kThreads;
  if (b < 1) b = 1;
  if (b > 65535 * 8) b = 65535 * 8;
  return static_cast<int>(b);
}

template <class T>
__global__ void sgd_kernel(SgdArgs a, kernels::optim_fn::SgdScalars<T> s) {
  T* p = static_cast<T*>(a.param);
  const T* g = static_cast<const T*>(a.grad);
  T* buf = static_cast<T*>(a.momentum_buffer);
  const bool l2 = a.weight_decay != 0, use_mom = a.momentum != 0;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < a.n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x)
    kernels::optim_fn::sgd_element<T, T>(l2, use_mom, a.init_buffer, a.nesterov, s, p, g, buf, i);
}

template <class T>
__global__ void adam_kernel(AdamArgs a, kernels::optim_fn::AdamScalars<T> s) {
  T* p = static_cast<T*>(a.param);
  const T* g = static_cast<const T*>(a.grad);
  T* m1 = static_cast<T*>(a.exp_avg);
  T* m2 = static_cast<T*>(a.exp_avg_sq);
  T* mx = static_cast<T*>(a.max_exp_avg_sq);
  const bool l2 = a.weight_decay != 0 && !a.decoupled_weight_decay;
  const bool decoupled = a.weight_decay != 0 && a.decoupled_weight_decay;
  const bool low = s.w1 < T(0.5);
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < a.n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x)
    kernels::optim_fn::adam_element<T, T>(l2, decoupled, a.amsgrad, low, s, p, g, m1, m2, mx, i);
}

template <class T>
kernels::optim_fn::SgdScalars<T> sgd_scalars(const SgdArgs& a) {
  return {a.maximize ? T(-1) : T(1), T(-a.lr), T(a.momentum), T(1.0 - a.dampening), T(a.weight_decay)};
}

template <class T>
kernels::optim_fn::AdamScalars<T> adam_scalars(const AdamArgs& a) {
  return {a.maximize ? T(-1) : T(1),
          T(1.0 - a.beta1),
          T(a.beta2),
          T(1.0 - a.beta2),
          T(a.eps),
          T(a.weight_decay),
          T(a.decoupled_weight_decay ? 1.0 - a.lr * a.weight_decay : 1.0),
          T(-a.step_size),
          T(a.bias_correction2_sqrt)};
}

}  // namespace

void sgd_step(const SgdArgs& a, Ty t, cudaStream_t s) {
  if (a.n == 0) return;
  if (t == Ty::F32)
    sgd_kernel<float><<<blocks_for(a.n), kThreads, 0, s>>>(a, sgd_scalars<float>(a));
  else if (t == Ty::F64)
    sgd_kernel<double><<<blocks_for(a.n), kThreads, 0, s>>>(a, sgd_scalars<double>(a));
  else
    FX_FAIL("sgd step: not implemented on CUDA for this dtype");
  FX_CUDA_CHECK_LAUNCH();
}

void adam_step(const AdamArgs& a, Ty t, cudaStream_t s) {
  if (a.n == 0) return;
  if (t == Ty::F32)
    adam_kernel<float><<<blocks_for(a.n), kThreads, 0, s>>>(a, adam_scalars<float>(a));
  else if (t == Ty::F64)
    adam_kernel<double><<<blocks_for(a.n), kThreads, 0, s>>>(a, adam_scalars<double>(a));
  else
    FX_FAIL("adam step: not implemented on CUDA for this dtype");
  FX_CUDA_CHECK_LAUNCH();
}

}  // namespace fluxion::cuda::kern
