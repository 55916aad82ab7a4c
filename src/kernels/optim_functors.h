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
#include "kernels/optim_args.h"

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

FX_OPTIM_ELEMENT float fabs_(float x) {
#ifdef __CUDA_ARCH__
  return ::fabsf(x);
#else
  return __builtin_fabsf(x);
#endif
}
FX_OPTIM_ELEMENT double fabs_(double x) {
#ifdef __CUDA_ARCH__
  return ::fabs(x);
#else
  return __builtin_fabs(x);
#endif
}

/// Coupled (L2: added to the gradient) and decoupled (AdamW-style) weight decay of a rule's args.
template <class Args>
inline bool uses_decoupled_decay(const Args& a) {
  if constexpr (requires { a.decoupled_weight_decay; })
    return a.weight_decay != 0 && a.decoupled_weight_decay;
  else
    return false;
}
template <class Args>
inline bool uses_l2(const Args& a) {
  return a.weight_decay != 0 && !uses_decoupled_decay(a);
}
/// ATen's lerp takes its low branch when |w| < 0.5.
template <class A>
inline bool lerp_low(A w) {
  return w < A(0.5);
}

// ---- SGD ---------------------------------------------------------------------------------------

template <class A>
struct SgdScalars {
  A sgn, neg_lr, mom, damp1, wd;  // damp1 = 1 - dampening
};
template <class A>
inline SgdScalars<A> sgd_scalars(const SGDKernelArgs& a) {
  return {a.maximize ? A(-1) : A(1), A(-a.lr), A(a.momentum), A(1.0 - a.dampening), A(a.weight_decay)};
}

/// One SGD element: weight decay, momentum (init: the buffer starts as the gradient), Nesterov.
template <class T, class A>
FX_OPTIM_ELEMENT void sgd_element(bool l2, bool momentum, bool init, bool nesterov, SgdScalars<A> s, T* p, const T* g,
                                  T* buf, int64_t i) {
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

// ---- Adam / AdamW ------------------------------------------------------------------------------

template <class A>
struct AdamScalars {
  A sgn, w1, beta2, one_m_beta2, eps, wd, decay, neg_step, bc2s;  // w1 = 1 - beta1
};
template <class A>
inline AdamScalars<A> adam_scalars(const AdamKernelArgs& a) {
  return {a.maximize ? A(-1) : A(1),
          A(1.0 - a.beta1),
          A(a.beta2),
          A(1.0 - a.beta2),
          A(a.eps),
          A(a.weight_decay),
          A(a.decoupled_weight_decay ? 1.0 - a.lr * a.weight_decay : 1.0),
          A(-a.step_size),
          A(a.bias_correction2_sqrt)};
}

/// One Adam/AdamW element: L2 or decoupled weight decay, optional AMSGrad (mx).
template <class T, class A>
FX_OPTIM_ELEMENT void adam_element(bool l2, bool decoupled, bool amsgrad, bool low, AdamScalars<A> s, T* p, const T* g,
                                   T* m1, T* m2, T* mx, int64_t i) {
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

// ---- RMSprop -----------------------------------------------------------------------------------

template <class A>
struct RmspropScalars {
  A sgn, neg_lr, alpha, one_m_alpha, eps, wd, mom;
};
template <class A>
inline RmspropScalars<A> rmsprop_scalars(const RMSpropKernelArgs& a) {
  return {a.maximize ? A(-1) : A(1), A(-a.lr),     A(a.alpha), A(1.0 - a.alpha), A(a.eps),
          A(a.weight_decay),         A(a.momentum)};
}

/// One RMSprop element: optional centering (ga) and momentum (buf).
template <class T, class A>
FX_OPTIM_ELEMENT void rmsprop_element(bool l2, bool centered, bool momentum, bool low, RmspropScalars<A> s, T* p,
                                      const T* g, T* sq, T* ga, T* buf, int64_t i) {
  A gi = static_cast<A>(g[i]) * s.sgn;
  const A pi = static_cast<A>(p[i]);
  if (l2) gi = gi + s.wd * pi;
  const A sqi = static_cast<A>(static_cast<T>(static_cast<A>(sq[i]) * s.alpha + s.one_m_alpha * gi * gi));
  sq[i] = static_cast<T>(sqi);
  A avg;
  if (centered) {
    const A m = static_cast<A>(static_cast<T>(lerp(low, static_cast<A>(ga[i]), gi, s.one_m_alpha)));
    ga[i] = static_cast<T>(m);
    avg = sqrt_(sqi + A(-1) * m * m);  // square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
  } else {
    avg = sqrt_(sqi);
  }
  avg = avg + s.eps;
  if (momentum) {
    const A bi = static_cast<A>(static_cast<T>(static_cast<A>(buf[i]) * s.mom + A(1) * gi / avg));
    buf[i] = static_cast<T>(bi);
    p[i] = static_cast<T>(pi + s.neg_lr * bi);
  } else {
    p[i] = static_cast<T>(pi + s.neg_lr * gi / avg);
  }
}

// ---- Adagrad -----------------------------------------------------------------------------------

template <class A>
struct AdagradScalars {
  A sgn, neg_clr, eps, wd;
};
template <class A>
inline AdagradScalars<A> adagrad_scalars(const AdagradKernelArgs& a) {
  return {a.maximize ? A(-1) : A(1), A(-a.clr), A(a.eps), A(a.weight_decay)};
}

template <class T, class A>
FX_OPTIM_ELEMENT void adagrad_element(bool l2, AdagradScalars<A> s, T* p, const T* g, T* sum, int64_t i) {
  A gi = static_cast<A>(g[i]) * s.sgn;
  const A pi = static_cast<A>(p[i]);
  if (l2) gi = gi + s.wd * pi;
  const A si = static_cast<A>(static_cast<T>(static_cast<A>(sum[i]) + A(1) * gi * gi));
  sum[i] = static_cast<T>(si);
  const A std_ = sqrt_(si) + s.eps;
  p[i] = static_cast<T>(pi + s.neg_clr * gi / std_);
}

// ---- Adadelta ----------------------------------------------------------------------------------

template <class A>
struct AdadeltaScalars {
  A sgn, neg_lr, rho, one_m_rho, eps, wd;
};
template <class A>
inline AdadeltaScalars<A> adadelta_scalars(const AdadeltaKernelArgs& a) {
  return {a.maximize ? A(-1) : A(1), A(-a.lr), A(a.rho), A(1.0 - a.rho), A(a.eps), A(a.weight_decay)};
}

template <class T, class A>
FX_OPTIM_ELEMENT void adadelta_element(bool l2, AdadeltaScalars<A> s, T* p, const T* g, T* sq, T* acc, int64_t i) {
  A gi = static_cast<A>(g[i]) * s.sgn;
  const A pi = static_cast<A>(p[i]);
  if (l2) gi = gi + s.wd * pi;
  const A sqi = static_cast<A>(static_cast<T>(static_cast<A>(sq[i]) * s.rho + s.one_m_rho * gi * gi));
  sq[i] = static_cast<T>(sqi);
  const A std_ = sqrt_(sqi + s.eps);
  const A delta = sqrt_(static_cast<A>(acc[i]) + s.eps) / std_ * gi;  // delta.div_(std).mul_(grad)
  acc[i] = static_cast<T>(static_cast<A>(acc[i]) * s.rho + s.one_m_rho * delta * delta);
  p[i] = static_cast<T>(pi + s.neg_lr * delta);
}

// ---- Adamax ------------------------------------------------------------------------------------

template <class A>
struct AdamaxScalars {
  A sgn, w1, beta2, eps, wd, neg_clr;
};
template <class A>
inline AdamaxScalars<A> adamax_scalars(const AdamaxKernelArgs& a) {
  return {a.maximize ? A(-1) : A(1), A(1.0 - a.beta1), A(a.beta2), A(a.eps), A(a.weight_decay), A(-a.clr)};
}

template <class T, class A>
FX_OPTIM_ELEMENT void adamax_element(bool l2, bool low, AdamaxScalars<A> s, T* p, const T* g, T* m1, T* u, int64_t i) {
  A gi = static_cast<A>(g[i]) * s.sgn;
  const A pi = static_cast<A>(p[i]);
  if (l2) gi = gi + s.wd * pi;
  const A ea = static_cast<A>(static_cast<T>(lerp(low, static_cast<A>(m1[i]), gi, s.w1)));
  m1[i] = static_cast<T>(ea);
  // torch.maximum(exp_inf.mul_(beta2), grad.abs().add_(eps))
  const A ui = static_cast<A>(
      static_cast<T>(maximum(static_cast<A>(static_cast<T>(static_cast<A>(u[i]) * s.beta2)), fabs_(gi) + s.eps)));
  u[i] = static_cast<T>(ui);
  p[i] = static_cast<T>(pi + s.neg_clr * ea / ui);
}

// ---- NAdam -------------------------------------------------------------------------------------

template <class A>
struct NadamScalars {
  A sgn, w1, beta2, one_m_beta2, eps, wd, decay, bc2, cg, cm;
};
template <class A>
inline NadamScalars<A> nadam_scalars(const NAdamKernelArgs& a) {
  return {a.maximize ? A(-1) : A(1),
          A(1.0 - a.beta1),
          A(a.beta2),
          A(1.0 - a.beta2),
          A(a.eps),
          A(a.weight_decay),
          A(1.0 - a.lr * a.weight_decay),
          A(a.bias_correction2),
          A(a.grad_coef),
          A(a.exp_avg_coef)};
}

template <class T, class A>
FX_OPTIM_ELEMENT void nadam_element(bool l2, bool decoupled, bool low, NadamScalars<A> s, T* p, const T* g, T* m1,
                                    T* m2, int64_t i) {
  A gi = static_cast<A>(g[i]) * s.sgn;
  A pi = static_cast<A>(p[i]);
  if (decoupled) pi = static_cast<A>(static_cast<T>(pi * s.decay));
  if (l2) gi = gi + s.wd * pi;
  const A ea = static_cast<A>(static_cast<T>(lerp(low, static_cast<A>(m1[i]), gi, s.w1)));
  m1[i] = static_cast<T>(ea);
  const A es = static_cast<A>(static_cast<T>(static_cast<A>(m2[i]) * s.beta2 + s.one_m_beta2 * gi * gi));
  m2[i] = static_cast<T>(es);
  const A denom = sqrt_(es / s.bc2) + s.eps;
  pi = static_cast<A>(static_cast<T>(pi + s.cg * gi / denom));  // two addcdiv_ calls, each rounded
  p[i] = static_cast<T>(pi + s.cm * ea / denom);
}

// ---- RAdam -------------------------------------------------------------------------------------

template <class A>
struct RadamScalars {
  A sgn, w1, beta2, one_m_beta2, eps, wd, decay, lr, bc1, bc2s, rect;
};
template <class A>
inline RadamScalars<A> radam_scalars(const RAdamKernelArgs& a) {
  return {a.maximize ? A(-1) : A(1),
          A(1.0 - a.beta1),
          A(a.beta2),
          A(1.0 - a.beta2),
          A(a.eps),
          A(a.weight_decay),
          A(1.0 - a.lr * a.weight_decay),
          A(a.lr),
          A(a.bias_correction1),
          A(a.bias_correction2_sqrt),
          A(a.rect)};
}

template <class T, class A>
FX_OPTIM_ELEMENT void radam_element(bool l2, bool decoupled, bool rectified, bool low, RadamScalars<A> s, T* p,
                                    const T* g, T* m1, T* m2, int64_t i) {
  A gi = static_cast<A>(g[i]) * s.sgn;
  A pi = static_cast<A>(p[i]);
  if (decoupled) pi = static_cast<A>(static_cast<T>(pi * s.decay));
  if (l2) gi = gi + s.wd * pi;
  const A ea = static_cast<A>(static_cast<T>(lerp(low, static_cast<A>(m1[i]), gi, s.w1)));
  m1[i] = static_cast<T>(ea);
  const A es = static_cast<A>(static_cast<T>(static_cast<A>(m2[i]) * s.beta2 + s.one_m_beta2 * gi * gi));
  m2[i] = static_cast<T>(es);
  A upd = ea / s.bc1 * s.lr;
  if (rectified) upd = upd * (s.bc2s / (sqrt_(es) + s.eps)) * s.rect;
  p[i] = static_cast<T>(pi + A(-1) * upd);
}

}  // namespace fluxion::kernels::optim_fn
