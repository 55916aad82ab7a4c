// CPU range fills. Each element is a closed-form function of its index, so the loops thread
// trivially and the values do not depend on the thread count.
#include "kernels/range_kernels.h"

#include <cmath>
#include <type_traits>

#include "kernels/cpu/loops.h"

namespace fluxion::kernels {

FX_DEFINE_KERNEL(arange_kernel, ArangeFn);
FX_DEFINE_KERNEL(linspace_kernel, LinspaceFn);
FX_DEFINE_KERNEL(logspace_kernel, LogspaceFn);

namespace {

// PyTorch's accumulation type for CPU range kernels.
template <class T>
using acc_t =
    std::conditional_t<std::is_integral_v<T>, int64_t,
                       std::conditional_t<std::is_same_v<T, float> || std::is_same_v<T, double>, double, float>>;
// The type linspace computes its step in: double for integers, else the element type
// (float for the 16-bit floats, whose arithmetic goes through float).
template <class T>
using step_t =
    std::conditional_t<std::is_integral_v<T>, double, std::conditional_t<std::is_same_v<T, double>, double, float>>;

template <class T>
void arange_cpu(const Tensor& out, const Scalar& start, const Scalar& step) {
  using A = acc_t<T>;
  const A s = start.to<A>(), d = step.to<A>();
  T* o = out.data_ptr<T>();
  parallel_for(out.numel(), kGrainSize, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) o[i] = cast_value<T>(static_cast<A>(s + d * static_cast<A>(i)));
  });
}

// The value of element i of linspace(start, end, steps) in step_t.
template <class S, class E>
inline S lin_value(E start, E end, S step, int64_t i, int64_t steps) {
  if (i < steps / 2 || steps == 1) return static_cast<S>(start) + step * static_cast<S>(i);
  return static_cast<S>(end) - step * static_cast<S>(steps - i - 1);
}

template <class T>
void linspace_cpu(const Tensor& out, const Scalar& start, const Scalar& end) {
  using S = step_t<T>;
  using E = std::conditional_t<std::is_integral_v<T>, T, S>;  // start/end are first rounded to T, as in PyTorch
  const int64_t steps = out.numel();
  const E s = static_cast<E>(start.to<T>()), en = static_cast<E>(end.to<T>());
  const S step = steps > 1 ? (static_cast<S>(en) - static_cast<S>(s)) / static_cast<S>(steps - 1) : S(0);
  T* o = out.data_ptr<T>();
  parallel_for(steps, kGrainSize, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) o[i] = cast_value<T>(lin_value<S, E>(s, en, step, i, steps));
  });
}

template <class T>
void logspace_cpu(const Tensor& out, const Scalar& start, const Scalar& end, double base) {
  using S = step_t<T>;
  using E = std::conditional_t<std::is_integral_v<T>, T, S>;
  const int64_t steps = out.numel();
  const E s = static_cast<E>(start.to<T>()), en = static_cast<E>(end.to<T>());
  const S step = steps > 1 ? (static_cast<S>(en) - static_cast<S>(s)) / static_cast<S>(steps - 1) : S(0);
  T* o = out.data_ptr<T>();
  parallel_for(steps, kGrainSize, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i)
      o[i] = cast_value<T>(std::pow(base, static_cast<double>(lin_value<S, E>(s, en, step, i, steps))));
  });
}

bool register_all() {
  for (int t = 0; t < kNumDTypes; ++t) {
    DType dt = static_cast<DType>(t);
    if (dt == kBool) continue;  // PyTorch has no bool ranges either
    FX_DISPATCH_ALL_TYPES(dt, "register range kernels", [&] {
      if constexpr (!std::is_same_v<scalar_t, bool>) {
        arange_kernel.set(DeviceType::CPU, dt, &arange_cpu<scalar_t>);
        linspace_kernel.set(DeviceType::CPU, dt, &linspace_cpu<scalar_t>);
        logspace_kernel.set(DeviceType::CPU, dt, &logspace_cpu<scalar_t>);
      }
    });
  }
  return true;
}
const bool registered = register_all();

}  // namespace
}  // namespace fluxion::kernels
