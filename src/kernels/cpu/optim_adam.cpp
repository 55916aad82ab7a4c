// CPU update kernels for the Adam family (Adam/AdamW, Adamax, NAdam, RAdam): one fused pass per
// parameter. Each loop body spells out PyTorch's single-tensor step element-wise; step-dependent
// scalars arrive precomputed in the args. Options that change control flow are template flags
// (optim_math::with_flags) so every loop vectorises; maximize multiplies by -1 (exact).
#include "kernels/cpu/optim_math.h"
#include "kernels/optim_functors.h"
#include "kernels/optim_kernels.h"

namespace fluxion::kernels {

FX_DEFINE_KERNEL(adam_step_kernel, AdamStepFn);
FX_DEFINE_KERNEL(adamax_step_kernel, AdamaxStepFn);
FX_DEFINE_KERNEL(nadam_step_kernel, NAdamStepFn);
FX_DEFINE_KERNEL(radam_step_kernel, RAdamStepFn);

namespace {
using namespace optim_math;

template <class T>
void adam_cpu(const AdamKernelArgs& a) {
  using A = acc_t<T>;
  T* p = static_cast<T*>(a.param);
  const T* g = static_cast<const T*>(a.grad);
  T* m1 = static_cast<T*>(a.exp_avg);
  T* m2 = static_cast<T*>(a.exp_avg_sq);
  T* mx = static_cast<T*>(a.max_exp_avg_sq);
  const optim_fn::AdamScalars<A> s{a.maximize ? A(-1) : A(1),
                                   A(1.0 - a.beta1),
                                   A(a.beta2),
                                   A(1.0 - a.beta2),
                                   A(a.eps),
                                   A(a.weight_decay),
                                   A(a.decoupled_weight_decay ? 1.0 - a.lr * a.weight_decay : 1.0),
                                   A(-a.step_size),
                                   A(a.bias_correction2_sqrt)};
  const bool l2 = a.weight_decay != 0 && !a.decoupled_weight_decay;
  const bool decoupled = a.weight_decay != 0 && a.decoupled_weight_decay;
  with_flags(
      [&](auto kL2, auto kDecoupled, auto kAms, auto kLow) {
        for_each_index(a.n, [=](int64_t i) {
          optim_fn::adam_element<T, A>(kL2(), kDecoupled(), kAms(), kLow(), s, p, g, m1, m2, mx, i);
        });
      },
      l2, decoupled, a.amsgrad, s.w1 < A(0.5));
}

template <class T>
void adamax_cpu(const AdamaxKernelArgs& a) {
  using A = acc_t<T>;
  T* p = static_cast<T*>(a.param);
  const T* g = static_cast<const T*>(a.grad);
  T* m1 = static_cast<T*>(a.exp_avg);
  T* u = static_cast<T*>(a.exp_inf);
  const A sgn = a.maximize ? A(-1) : A(1), w1 = A(1.0 - a.beta1), beta2 = A(a.beta2), eps = A(a.eps),
          wd = A(a.weight_decay), neg_clr = A(-a.clr);
  with_flags(
      [&](auto kL2, auto kLow) {
        for_each_index(a.n, [=](int64_t i) {
          A gi = static_cast<A>(g[i]) * sgn;
          const A pi = static_cast<A>(p[i]);
          if constexpr (kL2) gi = gi + wd * pi;
          const A ea = static_cast<A>(static_cast<T>(lerp<kLow()>(static_cast<A>(m1[i]), gi, w1)));
          m1[i] = static_cast<T>(ea);
          // torch.maximum(exp_inf.mul_(beta2), grad.abs().add_(eps))
          const A ui = static_cast<A>(
              static_cast<T>(maximum(static_cast<A>(static_cast<T>(static_cast<A>(u[i]) * beta2)), fabs_(gi) + eps)));
          u[i] = static_cast<T>(ui);
          p[i] = static_cast<T>(pi + neg_clr * ea / ui);
        });
      },
      a.weight_decay != 0, w1 < A(0.5));
}

template <class T>
void nadam_cpu(const NAdamKernelArgs& a) {
  using A = acc_t<T>;
  T* p = static_cast<T*>(a.param);
  const T* g = static_cast<const T*>(a.grad);
  T* m1 = static_cast<T*>(a.exp_avg);
  T* m2 = static_cast<T*>(a.exp_avg_sq);
  const A sgn = a.maximize ? A(-1) : A(1), w1 = A(1.0 - a.beta1), beta2 = A(a.beta2), one_m_beta2 = A(1.0 - a.beta2),
          eps = A(a.eps), wd = A(a.weight_decay), decay = A(1.0 - a.lr * a.weight_decay), bc2 = A(a.bias_correction2),
          cg = A(a.grad_coef), cm = A(a.exp_avg_coef);
  const bool l2 = a.weight_decay != 0 && !a.decoupled_weight_decay;
  const bool decoupled = a.weight_decay != 0 && a.decoupled_weight_decay;
  with_flags(
      [&](auto kL2, auto kDecoupled, auto kLow) {
        for_each_index(a.n, [=](int64_t i) {
          A gi = static_cast<A>(g[i]) * sgn;
          A pi = static_cast<A>(p[i]);
          if constexpr (kDecoupled) pi = static_cast<A>(static_cast<T>(pi * decay));
          if constexpr (kL2) gi = gi + wd * pi;
          const A ea = static_cast<A>(static_cast<T>(lerp<kLow()>(static_cast<A>(m1[i]), gi, w1)));
          m1[i] = static_cast<T>(ea);
          const A es = static_cast<A>(static_cast<T>(static_cast<A>(m2[i]) * beta2 + one_m_beta2 * gi * gi));
          m2[i] = static_cast<T>(es);
          const A denom = sqrt_(es / bc2) + eps;
          pi = static_cast<A>(static_cast<T>(pi + cg * gi / denom));  // two addcdiv_ calls, each rounded
          p[i] = static_cast<T>(pi + cm * ea / denom);
        });
      },
      l2, decoupled, w1 < A(0.5));
}

template <class T>
void radam_cpu(const RAdamKernelArgs& a) {
  using A = acc_t<T>;
  T* p = static_cast<T*>(a.param);
  const T* g = static_cast<const T*>(a.grad);
  T* m1 = static_cast<T*>(a.exp_avg);
  T* m2 = static_cast<T*>(a.exp_avg_sq);
  const A sgn = a.maximize ? A(-1) : A(1), w1 = A(1.0 - a.beta1), beta2 = A(a.beta2), one_m_beta2 = A(1.0 - a.beta2),
          eps = A(a.eps), wd = A(a.weight_decay), decay = A(1.0 - a.lr * a.weight_decay), lr = A(a.lr),
          bc1 = A(a.bias_correction1), bc2s = A(a.bias_correction2_sqrt), rect = A(a.rect);
  const bool l2 = a.weight_decay != 0 && !a.decoupled_weight_decay;
  const bool decoupled = a.weight_decay != 0 && a.decoupled_weight_decay;
  with_flags(
      [&](auto kL2, auto kDecoupled, auto kRect, auto kLow) {
        for_each_index(a.n, [=](int64_t i) {
          A gi = static_cast<A>(g[i]) * sgn;
          A pi = static_cast<A>(p[i]);
          if constexpr (kDecoupled) pi = static_cast<A>(static_cast<T>(pi * decay));
          if constexpr (kL2) gi = gi + wd * pi;
          const A ea = static_cast<A>(static_cast<T>(lerp<kLow()>(static_cast<A>(m1[i]), gi, w1)));
          m1[i] = static_cast<T>(ea);
          const A es = static_cast<A>(static_cast<T>(static_cast<A>(m2[i]) * beta2 + one_m_beta2 * gi * gi));
          m2[i] = static_cast<T>(es);
          A upd = ea / bc1 * lr;
          if constexpr (kRect) upd = upd * (bc2s / (sqrt_(es) + eps)) * rect;
          p[i] = static_cast<T>(pi + A(-1) * upd);
        });
      },
      l2, decoupled, a.rectified, w1 < A(0.5));
}

#define FX_REGISTER_OPTIM(table, fn)                                      \
  FX_REGISTER_KERNEL(table, DeviceType::CPU, DType::Float32, fn<float>);  \
  FX_REGISTER_KERNEL(table, DeviceType::CPU, DType::Float64, fn<double>); \
  FX_REGISTER_KERNEL(table, DeviceType::CPU, DType::Float16, fn<Half>);   \
  FX_REGISTER_KERNEL(table, DeviceType::CPU, DType::BFloat16, fn<BFloat16>)

FX_REGISTER_OPTIM(adam_step_kernel, adam_cpu);
FX_REGISTER_OPTIM(adamax_step_kernel, adamax_cpu);
FX_REGISTER_OPTIM(nadam_step_kernel, nadam_cpu);
FX_REGISTER_OPTIM(radam_step_kernel, radam_cpu);

}  // namespace
}  // namespace fluxion::kernels
