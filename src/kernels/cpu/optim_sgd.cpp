// CPU update kernels for SGD, RMSprop, Adagrad and Adadelta: one fused pass per parameter.
// Each loop body spells out PyTorch's single-tensor step (torch/optim/<name>.py) element-wise;
// options that change control flow are template flags (optim_math::with_flags) so the loops
// vectorise, and maximize multiplies the gradient by -1 (exact).
#include "kernels/cpu/optim_math.h"
#include "kernels/optim_functors.h"
#include "kernels/optim_kernels.h"

namespace fluxion::kernels {

FX_DEFINE_KERNEL(sgd_step_kernel, SGDStepFn);
FX_DEFINE_KERNEL(sgd_multi_step_kernel, SGDMultiStepFn);
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
  const auto s = optim_fn::sgd_scalars<A>(a);
  with_flags(
      [&](auto kL2, auto kMom, auto kInit, auto kNesterov) {
        for_each_index(
            a.n, [=](int64_t i) { optim_fn::sgd_element<T, A>(kL2(), kMom(), kInit(), kNesterov(), s, p, g, buf, i); });
      },
      optim_fn::uses_l2(a), a.momentum != 0, a.init_buffer, a.nesterov);
}

template <class T>
void rmsprop_cpu(const RMSpropKernelArgs& a) {
  using A = acc_t<T>;
  T* p = static_cast<T*>(a.param);
  const T* g = static_cast<const T*>(a.grad);
  T* sq = static_cast<T*>(a.square_avg);
  T* ga = static_cast<T*>(a.grad_avg);
  T* buf = static_cast<T*>(a.momentum_buffer);
  const auto s = optim_fn::rmsprop_scalars<A>(a);
  with_flags(
      [&](auto kL2, auto kCentered, auto kMom, auto kLow) {
        for_each_index(a.n, [=](int64_t i) {
          optim_fn::rmsprop_element<T, A>(kL2(), kCentered(), kMom(), kLow(), s, p, g, sq, ga, buf, i);
        });
      },
      optim_fn::uses_l2(a), a.centered, a.momentum > 0, optim_fn::lerp_low(s.one_m_alpha));
}

template <class T>
void adagrad_cpu(const AdagradKernelArgs& a) {
  using A = acc_t<T>;
  T* p = static_cast<T*>(a.param);
  const T* g = static_cast<const T*>(a.grad);
  T* sum = static_cast<T*>(a.sum);
  const auto s = optim_fn::adagrad_scalars<A>(a);
  with_flags(
      [&](auto kL2) {
        for_each_index(a.n, [=](int64_t i) { optim_fn::adagrad_element<T, A>(kL2(), s, p, g, sum, i); });
      },
      optim_fn::uses_l2(a));
}

template <class T>
void adadelta_cpu(const AdadeltaKernelArgs& a) {
  using A = acc_t<T>;
  T* p = static_cast<T*>(a.param);
  const T* g = static_cast<const T*>(a.grad);
  T* sq = static_cast<T*>(a.square_avg);
  T* acc = static_cast<T*>(a.acc_delta);
  const auto s = optim_fn::adadelta_scalars<A>(a);
  with_flags(
      [&](auto kL2) {
        for_each_index(a.n, [=](int64_t i) { optim_fn::adadelta_element<T, A>(kL2(), s, p, g, sq, acc, i); });
      },
      optim_fn::uses_l2(a));
}

// Multi-tensor form: parameters one after the other (each step is threaded inside).
template <class T>
void sgd_multi_cpu(const SGDKernelArgs* a, int64_t count) {
  for (int64_t i = 0; i < count; ++i) sgd_cpu<T>(a[i]);
}

#define FX_REGISTER_OPTIM(table, fn)                                      \
  FX_REGISTER_KERNEL(table, DeviceType::CPU, DType::Float32, fn<float>);  \
  FX_REGISTER_KERNEL(table, DeviceType::CPU, DType::Float64, fn<double>); \
  FX_REGISTER_KERNEL(table, DeviceType::CPU, DType::Float16, fn<Half>);   \
  FX_REGISTER_KERNEL(table, DeviceType::CPU, DType::BFloat16, fn<BFloat16>)

FX_REGISTER_OPTIM(sgd_step_kernel, sgd_cpu);
FX_REGISTER_OPTIM(sgd_multi_step_kernel, sgd_multi_cpu);
FX_REGISTER_OPTIM(rmsprop_step_kernel, rmsprop_cpu);
FX_REGISTER_OPTIM(adagrad_step_kernel, adagrad_cpu);
FX_REGISTER_OPTIM(adadelta_step_kernel, adadelta_cpu);

}  // namespace
}  // namespace fluxion::kernels
