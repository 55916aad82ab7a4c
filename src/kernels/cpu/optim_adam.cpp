// CPU update kernels for the Adam family (Adam/AdamW, Adamax, NAdam, RAdam): one fused pass per
// parameter. Each loop body spells out PyTorch's single-tensor step element-wise; step-dependent
// scalars arrive precomputed in the args. Options that change control flow are template flags
// (optim_math::with_flags) so every loop vectorises; maximize multiplies by -1 (exact).
#include "kernels/cpu/optim_math.h"
#include "kernels/optim_functors.h"
#include "kernels/optim_kernels.h"

namespace fluxion::kernels {

FX_DEFINE_KERNEL(adam_step_kernel, AdamStepFn);
FX_DEFINE_KERNEL(adam_multi_step_kernel, AdamMultiStepFn);
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
  const auto s = optim_fn::adam_scalars<A>(a);
  with_flags(
      [&](auto kL2, auto kDecoupled, auto kAms, auto kLow) {
        for_each_index(a.n, [=](int64_t i) {
          optim_fn::adam_element<T, A>(kL2(), kDecoupled(), kAms(), kLow(), s, p, g, m1, m2, mx, i);
        });
      },
      optim_fn::uses_l2(a), optim_fn::uses_decoupled_decay(a), a.amsgrad, optim_fn::lerp_low(s.w1));
}

template <class T>
void adamax_cpu(const AdamaxKernelArgs& a) {
  using A = acc_t<T>;
  T* p = static_cast<T*>(a.param);
  const T* g = static_cast<const T*>(a.grad);
  T* m1 = static_cast<T*>(a.exp_avg);
  T* u = static_cast<T*>(a.exp_inf);
  const auto s = optim_fn::adamax_scalars<A>(a);
  with_flags(
      [&](auto kL2, auto kLow) {
        for_each_index(a.n, [=](int64_t i) { optim_fn::adamax_element<T, A>(kL2(), kLow(), s, p, g, m1, u, i); });
      },
      optim_fn::uses_l2(a), optim_fn::lerp_low(s.w1));
}

template <class T>
void nadam_cpu(const NAdamKernelArgs& a) {
  using A = acc_t<T>;
  T* p = static_cast<T*>(a.param);
  const T* g = static_cast<const T*>(a.grad);
  T* m1 = static_cast<T*>(a.exp_avg);
  T* m2 = static_cast<T*>(a.exp_avg_sq);
  const auto s = optim_fn::nadam_scalars<A>(a);
  with_flags(
      [&](auto kL2, auto kDecoupled, auto kLow) {
        for_each_index(
            a.n, [=](int64_t i) { optim_fn::nadam_element<T, A>(kL2(), kDecoupled(), kLow(), s, p, g, m1, m2, i); });
      },
      optim_fn::uses_l2(a), optim_fn::uses_decoupled_decay(a), optim_fn::lerp_low(s.w1));
}

template <class T>
void radam_cpu(const RAdamKernelArgs& a) {
  using A = acc_t<T>;
  T* p = static_cast<T*>(a.param);
  const T* g = static_cast<const T*>(a.grad);
  T* m1 = static_cast<T*>(a.exp_avg);
  T* m2 = static_cast<T*>(a.exp_avg_sq);
  const auto s = optim_fn::radam_scalars<A>(a);
  with_flags(
      [&](auto kL2, auto kDecoupled, auto kRect, auto kLow) {
        for_each_index(a.n, [=](int64_t i) {
          optim_fn::radam_element<T, A>(kL2(), kDecoupled(), kRect(), kLow(), s, p, g, m1, m2, i);
        });
      },
      optim_fn::uses_l2(a), optim_fn::uses_decoupled_decay(a), a.rectified, optim_fn::lerp_low(s.w1));
}

// Multi-tensor form: parameters one after the other (each step is threaded inside).
template <class T>
void adam_multi_cpu(const AdamKernelArgs* a, int64_t count) {
  for (int64_t i = 0; i < count; ++i) adam_cpu<T>(a[i]);
}

#define FX_REGISTER_OPTIM(table, fn)                                      \
  FX_REGISTER_KERNEL(table, DeviceType::CPU, DType::Float32, fn<float>);  \
  FX_REGISTER_KERNEL(table, DeviceType::CPU, DType::Float64, fn<double>); \
  FX_REGISTER_KERNEL(table, DeviceType::CPU, DType::Float16, fn<Half>);   \
  FX_REGISTER_KERNEL(table, DeviceType::CPU, DType::BFloat16, fn<BFloat16>)

FX_REGISTER_OPTIM(adam_step_kernel, adam_cpu);
FX_REGISTER_OPTIM(adam_multi_step_kernel, adam_multi_cpu);
FX_REGISTER_OPTIM(adamax_step_kernel, adamax_cpu);
FX_REGISTER_OPTIM(nadam_step_kernel, nadam_cpu);
FX_REGISTER_OPTIM(radam_step_kernel, radam_cpu);

}  // namespace
}  // namespace fluxion::kernels
