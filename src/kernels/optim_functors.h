// Per-element optimiser updates shared by the CPU kernels (kernels/cpu/optim_*.cpp) and the CUDA
// kernels (cuda/optim.cu), so each formula is written once and the CPU tests check what the GPU
// runs. They follow ATen's element order (PyTorch's single-tensor step); T is the storage type,
// A the compute type, and values stored to T are re-read rounded as ATen's in-place ops do.
// The CPU passes the option flags as compile-time constants (optim_math::with_flags), so after
// inlining each loop is branch-free and vectorises; the GPU passes them at run time (uniform
// branches).
#pragma once

#include <cstdint>

#include "fluxion/half.h"

// Always inlined: the CPU loops vectorise only once the flags have folded into the loop body.
#if defined(__CUDACC__)
#define FX_OPTIM_ELEMENT FX_HOST_DEVICE __forceinline__
#elif defined(__GNUC__)
#define FX_OPTIM_ELEMENT FX_HOST_DEVICE inline __attribute__((always_inline))
#else
#define FX_OPTIM_ELEMENT FX_HOST_DEVICE inline
#endif

namespace fluxion::kernels::optim_fn {

/// ATen's two-sided lerp: self + w (end - self) when w < 0.5 (low), else end - (end - self)(1 - w).
template <class A>
FX_OPTIM_ELEMENT A lerp(bool low, A self, A end, A w) {
  return low ? self + w * (end - self) : end - (end - self) * (A(1) - w);
}

/// torch.maximum: NaN if either side is NaN (selects, so it vectorises).
template <class A>
FX_OPTIM_ELEMENT A maximum(A a, A b) {
  A m = a > b ? a : b;
  m = b != b ? b : m;
  return a != a ? a : m;
}

FX_OPTIM_ELEMENT float sqrt_(float x) {
#ifdef __CUDA_ARCH__
  return ::sqrtf(x);
#else
  return __builtin_sqrtf(x);
#endif
}
FX_OPTIM_ELEMENT double sqrt_(double x) {
#ifdef __CUDA_ARCH__
  return ::sqrt(x);
#else
  return __builtin_sqrt(x);
#endif
}

template <class A>
struct SgdScalars {
  A sgn, neg_lr, mom, damp1, wd;  // damp1 = 1 - dampening
};

/// One SGD element: weight decay, momentum (init: the buffer starts as the gradient), Nesterov.
template <class T, class A>
FX_OPTIM_ELEMENT void sgd_element(bool l2, bool momentum, bool init, bool nesterov, SgdScalars<A> s, T* p,
                                       const T* g, T* buf, int64_t i) {
  A gi = static_cast<A>(g[i]) * s.sgn;
  const A pi = static_cast<A>(p[i]);
  if (l2) gi = gi + s.wd * pi;  // grad.add(param, alpha=wd)
  if (momentum) {
    // buf = grad.clone(), or buf.mul_(momentum).add_(grad, alpha=1 - dampening)
    A bi = init ? gi : static_cast<A>(buf[i]) * s.mom + s.damp1 * gi;
    buf[i] = static_cast<T>(bi);
    bi = static_cast<A>(static_cast<T>(bi));
    gi = nesterov ? gi + s.mom * bi : bi;
  }
  p[i] = static_cast<T>(pi + s.neg_lr * gi);  // param.add_(grad, alpha=-lr)
}

template <class A>
struct AdamScalars {
  A sgn, w1, beta2, one_m_beta2, eps, wd, decay, neg_step, bc2s;  // w1 = 1 - beta1
};

/// One Adam/AdamW element: L2 or decoupled weight decay, optional AMSGrad (mx).
template <class T, class A>
FX_OPTIM_ELEMENT void adam_element(bool l2, bool decoupled, bool amsgrad, bool low, AdamScalars<A> s, T* p,
                                        const T* g, T* m1, T* m2, T* mx, int64_t i) {
  A gi = static_cast<A>(g[i]) * s.sgn;
  A pi = static_cast<A>(p[i]);
  if (decoupled) pi = static_cast<A>(static_cast<T>(pi * s.decay));  // param.mul_(1 - lr * wd)
  if (l2) gi = gi + s.wd * pi;
  const A ea = lerp(low, static_cast<A>(m1[i]), gi, s.w1);
  m1[i] = static_cast<T>(ea);
  A es = static_cast<A>(m2[i]) * s.beta2 + s.one_m_beta2 * gi * gi;
  m2[i] = static_cast<T>(es);
  if (amsgrad) {
    es = maximum(static_cast<A>(mx[i]), static_cast<A>(static_cast<T>(es)));
    mx[i] = static_cast<T>(es);
  }
  const A denom = sqrt_(static_cast<A>(static_cast<T>(es))) / s.bc2s + s.eps;
  p[i] = static_cast<T>(pi + s.neg_step * static_cast<A>(static_cast<T>(ea)) / denom);
}

}  // namespace fluxion::kernels::optim_fn
