// CPU vector primitives for gradient clipping and L-BFGS: norms and dot products accumulated in
// double over fixed blocks (so the result does not depend on the thread count), axpy, scale, clamp.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/parallel.h"
#include "kernels/cpu/optim_math.h"
#include "kernels/optim_kernels.h"

namespace fluxion::kernels {

FX_DEFINE_KERNEL(vec_norm_kernel, VecNormFn);
FX_DEFINE_KERNEL(vec_dot_kernel, VecDotFn);
FX_DEFINE_KERNEL(vec_axpy_kernel, VecAxpyFn);
FX_DEFINE_KERNEL(vec_scale_kernel, VecScaleFn);
FX_DEFINE_KERNEL(vec_clamp_kernel, VecClampFn);

namespace {

constexpr int64_t kBlock = 8192;

/// Reduces [0, n) block by block with `part(b, e)` (threaded over blocks), then folds the partials
/// in block order with `fold`, so the result is the same for every thread count.
template <class Part, class Fold>
double blocked_reduce(int64_t n, double init, const Part& part, const Fold& fold) {
  if (n <= 0) return init;
  const int64_t nblocks = (n + kBlock - 1) / kBlock;
  std::vector<double> partial(static_cast<size_t>(nblocks));
  parallel_for(nblocks, std::max<int64_t>(1, kGrainSize / kBlock), [&](int64_t b, int64_t e) {
    for (int64_t k = b; k < e; ++k) partial[static_cast<size_t>(k)] = part(k * kBlock, std::min(n, (k + 1) * kBlock));
  });
  double acc = init;
  for (double v : partial) acc = fold(acc, v);
  return acc;
}

double nan_max(double a, double b) {
  return (a != a || b != b) ? std::numeric_limits<double>::quiet_NaN() : std::max(a, b);
}
double nan_min(double a, double b) {
  return (a != a || b != b) ? std::numeric_limits<double>::quiet_NaN() : std::min(a, b);
}

template <class T>
double norm_cpu(const void* xv, int64_t n, double p) {
  const T* x = static_cast<const T*>(xv);
  auto at = [&](int64_t i) { return std::abs(static_cast<double>(x[i])); };
  auto sum_of = [&](auto f) {
    return blocked_reduce(
        n, 0.0,
        [&](int64_t b, int64_t e) {
          double s = 0;
          for (int64_t i = b; i < e; ++i) s += f(at(i));
          return s;
        },
        [](double a, double b) { return a + b; });
  };
  if (std::isinf(p) && p > 0)
    return blocked_reduce(
        n, 0.0,
        [&](int64_t b, int64_t e) {
          double m = 0;
          for (int64_t i = b; i < e; ++i) m = nan_max(m, at(i));
          return m;
        },
        nan_max);
  if (std::isinf(p))
    return n == 0 ? std::numeric_limits<double>::infinity()
                  : blocked_reduce(
                        n, std::numeric_limits<double>::infinity(),
                        [&](int64_t b, int64_t e) {
                          double m = std::numeric_limits<double>::infinity();
                          for (int64_t i = b; i < e; ++i) m = nan_min(m, at(i));
                          return m;
                        },
                        nan_min);
  if (p == 0) return sum_of([](double v) { return v != 0 ? 1.0 : 0.0; });
  if (p == 1) return sum_of([](double v) { return v; });
  if (p == 2) return std::sqrt(sum_of([](double v) { return v * v; }));
  return std::pow(sum_of([p](double v) { return std::pow(v, p); }), 1.0 / p);
}

template <class T>
double dot_cpu(const void* xv, const void* yv, int64_t n) {
  const T* x = static_cast<const T*>(xv);
  const T* y = static_cast<const T*>(yv);
  return blocked_reduce(
      n, 0.0,
      [&](int64_t b, int64_t e) {
        double s = 0;
        for (int64_t i = b; i < e; ++i) s += static_cast<double>(x[i]) * static_cast<double>(y[i]);
        return s;
      },
      [](double a, double b) { return a + b; });
}

template <class T>
void axpy_cpu(void* yv, const void* xv, double alpha, int64_t n) {
  using A = optim_math::acc_t<T>;
  T* y = static_cast<T*>(yv);
  const T* x = static_cast<const T*>(xv);
  const A al = A(alpha);
  optim_math::for_each_index(
      n, [=](int64_t i) { y[i] = static_cast<T>(static_cast<A>(y[i]) + al * static_cast<A>(x[i])); });
}

template <class T>
void scale_cpu(void* yv, const void* xv, double alpha, int64_t n) {
  using A = optim_math::acc_t<T>;
  T* y = static_cast<T*>(yv);
  const T* x = static_cast<const T*>(xv);
  const A al = A(alpha);
  optim_math::for_each_index(n, [=](int64_t i) { y[i] = static_cast<T>(static_cast<A>(x[i]) * al); });
}

template <class T>
void clamp_cpu(void* xv, double lo, double hi, int64_t n) {
  using A = optim_math::acc_t<T>;
  T* x = static_cast<T*>(xv);
  const A l = A(lo), h = A(hi);
  optim_math::for_each_index(n, [=](int64_t i) {
    const A v = static_cast<A>(x[i]);
    A c = v < l ? l : v;
    c = c > h ? h : c;
    x[i] = static_cast<T>(v != v ? v : c);  // NaN stays NaN, as torch.clamp
  });
}

#define FX_REGISTER_VEC(table, fn)                                        \
  FX_REGISTER_KERNEL(table, DeviceType::CPU, DType::Float32, fn<float>);  \
  FX_REGISTER_KERNEL(table, DeviceType::CPU, DType::Float64, fn<double>); \
  FX_REGISTER_KERNEL(table, DeviceType::CPU, DType::Float16, fn<Half>);   \
  FX_REGISTER_KERNEL(table, DeviceType::CPU, DType::BFloat16, fn<BFloat16>)

FX_REGISTER_VEC(vec_norm_kernel, norm_cpu);
FX_REGISTER_VEC(vec_dot_kernel, dot_cpu);
FX_REGISTER_VEC(vec_axpy_kernel, axpy_cpu);
FX_REGISTER_VEC(vec_scale_kernel, scale_cpu);
FX_REGISTER_VEC(vec_clamp_kernel, clamp_cpu);

}  // namespace
}  // namespace fluxion::kernels
