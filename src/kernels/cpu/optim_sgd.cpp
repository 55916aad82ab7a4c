// CPU update kernels for SGD, RMSprop, Adagrad and Adadelta: one fused pass per parameter.
// Each loop body spells out PyTorch's single-tensor step (torch/optim/<name>.py) element-wise;
// options that change control flow are template flags (optim_math::with_flags) so the loops
// vectorise, and maximize multiplies the gradient by -1 (exact).
#include "kernels/cpu/optim_math.h"
#include "kernels/optim_functors.h"
#include "kernels/optim_kernels.h"

namespace fluxion::kernels {

FX_DEFINE_KERNEL(sgd_step_kernel, SGDStepFn);
FX_DEFINE_KERNEL(rmsprop_step_kernel, RMSpropStepFn);
FX_DEFINE_KERNEL(adagrad_step_kernel, AdagradStepFn);
FX_DEFINE_KERNEL(adadelta_step_kernel, AdadeltaStepFn);

namespace {
using namespace optim_math;

template <class T>
void sgd_cpu(const SGDKernelArgs& a) {
  using A = acc_t<T>;
  T* p = static_cast<T*>(a.param);
  const T* g = static_cast<const T*>(a.grad);
  T* buf = static_cast<T*>(a.momentum_buffer);
  const optim_fn::SgdScalars<A> s{a.maximize ? A(-1) : A(1), A(-a.lr), A(a.momentum), A(1.0 - a.dampening),
                                  A(a.weight_decay)};
  with_flags(
      [&](auto kL2, auto kMom, auto kInit, auto kNesterov) {
        for_each_index(
            a.n, [=](int64_t i) { optim_fn::sgd_element<T, A>(kL2(), kMom(), kInit(), kNesterov(), s, p, g, buf, i); });
      },
      a.weight_decay != 0, a.momentum != 0, a.init_buffer, a.nesterov);
}

template <class T>
void rmsprop_cpu(const RMSpropKernelArgs& a) {
  using A = acc_t<T>;
  T* p = static_cast<T*>(a.param);
  const T* g = static_cast<const T*>(a.grad);
  T* sq = static_cast<T*>(a.square_avg);
  T* ga = static_cast<T*>(a.grad_avg);
  T* buf = static_cast<T*>(a.momentum_buffer);
  const A sgn = a.maximize ? A(-1) : A(1), neg_lr = A(-a.lr), alpha = A(a.alpha), one_m_alpha = A(1.0 - a.alpha),
          eps = A(a.eps), wd = A(a.weight_decay), mom = A(a.momentum);
  with_flags(
      [&](auto kL2, auto kCentered, auto kMom, auto kLow) {
        for_each_index(a.n, [=](int64_t i) {
          A gi = static_cast<A>(g[i]) * sgn;
          const A pi = static_cast<A>(p[i]);
          if constexpr (kL2) gi = gi + wd * pi;
          const A s = static_cast<A>(static_cast<T>(static_cast<A>(sq[i]) * alpha + one_m_alpha * gi * gi));
          sq[i] = static_cast<T>(s);
          A avg;
          if constexpr (kCentered) {
            const A m = static_cast<A>(static_cast<T>(lerp<kLow()>(static_cast<A>(ga[i]), gi, one_m_alpha)));
            ga[i] = static_cast<T>(m);
            avg = sqrt_(s + A(-1) * m * m);  // square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
          } else {
            avg = sqrt_(s);
          }
          avg = avg + eps;
          if constexpr (kMom) {
            const A bi = static_cast<A>(static_cast<T>(static_cast<A>(buf[i]) * mom + A(1) * gi / avg));
            buf[i] = static_cast<T>(bi);
            p[i] = static_cast<T>(pi + neg_lr * bi);
          } else {
            p[i] = static_cast<T>(pi + neg_lr * gi / avg);
          }
        });
      },
      a.weight_decay != 0, a.centered, a.momentum > 0, one_m_alpha < A(0.5));
}

template <class T>
void adagrad_cpu(const AdagradKernelArgs& a) {
  using A = acc_t<T>;
  T* p = static_cast<T*>(a.param);
  const T* g = static_cast<const T*>(a.grad);
  T* sum = static_cast<T*>(a.sum);
  const A sgn = a.maximize ? A(-1) : A(1), neg_clr = A(-a.clr), eps = A(a.eps), wd = A(a.weight_decay);
  with_flags(
      [&](auto kL2) {
        for_each_index(a.n, [=](int64_t i) {
          A gi = static_cast<A>(g[i]) * sgn;
          const A pi = static_cast<A>(p[i]);
          if constexpr (kL2) gi = gi + wd * pi;
          const A s = static_cast<A>(static_cast<T>(static_cast<A>(sum[i]) + A(1) * gi * gi));
          sum[i] = static_cast<T>(s);
          const A std_ = sqrt_(s) + eps;
          p[i] = static_cast<T>(pi + neg_clr * gi / std_);
        });
      },
      a.weight_decay != 0);
}

template <class T>
void adadelta_cpu(const AdadeltaKernelArgs& a) {
  using A = acc_t<T>;
  T* p = static_cast<T*>(a.param);
  const T* g = static_cast<const T*>(a.grad);
  T* sq = static_cast<T*>(a.square_avg);
  T* acc = static_cast<T*>(a.acc_delta);
  const A sgn = a.maximize ? A(-1) : A(1), neg_lr = A(-a.lr), rho = A(a.rho), one_m_rho = A(1.0 - a.rho),
          eps = A(a.eps), wd = A(a.weight_decay);
  with_flags(
      [&](auto kL2) {
        for_each_index(a.n, [=](int64_t i) {
          A gi = static_cast<A>(g[i]) * sgn;
          const A pi = static_cast<A>(p[i]);
          if constexpr (kL2) gi = gi + wd * pi;
          const A s = static_cast<A>(static_cast<T>(static_cast<A>(sq[i]) * rho + one_m_rho * gi * gi));
          sq[i] = static_cast<T>(s);
          const A std_ = sqrt_(s + eps);
          const A delta = sqrt_(static_cast<A>(acc[i]) + eps) / std_ * gi;  // delta.div_(std).mul_(grad)
          acc[i] = static_cast<T>(static_cast<A>(acc[i]) * rho + one_m_rho * delta * delta);
          p[i] = static_cast<T>(pi + neg_lr * delta);
        });
      },
      a.weight_decay != 0);
}

#define FX_REGISTER_OPTIM(table, fn)                                      \
  FX_REGISTER_KERNEL(table, DeviceType::CPU, DType::Float32, fn<float>);  \
  FX_REGISTER_KERNEL(table, DeviceType::CPU, DType::Float64, fn<double>); \
  FX_REGISTER_KERNEL(table, DeviceType::CPU, DType::Float16, fn<Half>);   \
  FX_REGISTER_KERNEL(table, DeviceType::CPU, DType::BFloat16, fn<BFloat16>)

FX_REGISTER_OPTIM(sgd_step_kernel, sgd_cpu);
FX_REGISTER_OPTIM(rmsprop_step_kernel, rmsprop_cpu);
FX_REGISTER_OPTIM(adagrad_step_kernel, adagrad_cpu);
FX_REGISTER_OPTIM(adadelta_step_kernel, adadelta_cpu);

}  // namespace
}  // namespace fluxion::kernels
