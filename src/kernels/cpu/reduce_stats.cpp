// CPU kernels for vector norms, logsumexp and var/mean (floating inputs only).
//   norm: p = 0 (count of non-zeros), 1, 2, +-inf (max/min |x|, NaN propagates), other p.
//   logsumexp: one pass with a running (max, sum of exp(x - max)) pair, so large inputs never
//     overflow: exp is only ever taken of values <= 0.
//   var/mean: exact two-pass statistics per block of a row or of a column-mode leaf (Welford
//     updates per element for other strided data), Chan's formula to combine partial results, all in double: no
//     catastrophic cancellation for data with a large mean.
#include <cmath>
#include <limits>

#include "kernels/cpu/reduce_engine.h"
#include "kernels/functors.h"
#include "kernels/reduce_kernels.h"

namespace fluxion::kernels {
FX_DEFINE_KERNEL(norm_kernel, ReduceFn);
FX_DEFINE_KERNEL(logsumexp_kernel, ReduceFn);
FX_DEFINE_KERNEL(var_mean_kernel, VarMeanFn);

namespace {

using reduce::compute_t;
using reduce::is_nan;

inline float exp_a(float v) { return math::exp_f(v); }
inline double exp_a(double v) { return std::exp(v); }

enum class NormKind { kZero, kOne, kTwo, kInf, kNegInf, kGeneral };

template <class T, NormKind K>
struct NormOp {
  using in_t = T;
  using acc_t = compute_t<T>;
  static constexpr int64_t kLanes = 32;
  T* out;
  acc_t p;
  acc_t identity() const {
    if constexpr (K == NormKind::kNegInf)
      return std::numeric_limits<acc_t>::infinity();
    else
      return acc_t(0);
  }
  acc_t reduce(acc_t a, in_t x, int64_t) const {
    const acc_t v = static_cast<acc_t>(x);
    if constexpr (K == NormKind::kZero)
      return a + (v != acc_t(0) ? acc_t(1) : acc_t(0));
    else if constexpr (K == NormKind::kOne)
      return a + std::abs(v);
    else if constexpr (K == NormKind::kTwo)
      return a + v * v;
    else if constexpr (K == NormKind::kGeneral)
      return a + std::pow(std::abs(v), p);
    else
      return combine(a, std::abs(v));
  }
  acc_t combine(acc_t a, acc_t b) const {
    if constexpr (K == NormKind::kInf)
      return reduce::extreme_nan<true>(a, b);
    else if constexpr (K == NormKind::kNegInf)
      return reduce::extreme_nan<false>(a, b);
    else
      return a + b;
  }
  void write(int64_t o, acc_t a) const {
    if constexpr (K == NormKind::kTwo)
      a = std::sqrt(a);
    else if constexpr (K == NormKind::kGeneral)
      a = std::pow(a, acc_t(1) / p);
    out[o] = static_cast<T>(a);
  }
};

void norm_cpu(const Tensor& out, const Tensor& in, const Shape& dims, double p) {
  FX_DISPATCH_FLOATING_TYPES(in.dtype(), "norm", [&] {
    using acc_t = compute_t<scalar_t>;
    scalar_t* o = out.data_ptr<scalar_t>();
    const auto ap = static_cast<acc_t>(p);
    if (p == 0)
      reduce::run(NormOp<scalar_t, NormKind::kZero>{o, ap}, in, dims);
    else if (p == 1)
      reduce::run(NormOp<scalar_t, NormKind::kOne>{o, ap}, in, dims);
    else if (p == 2)
      reduce::run(NormOp<scalar_t, NormKind::kTwo>{o, ap}, in, dims);
    else if (std::isinf(p) && p > 0)
      reduce::run(NormOp<scalar_t, NormKind::kInf>{o, ap}, in, dims);
    else if (std::isinf(p))
      reduce::run(NormOp<scalar_t, NormKind::kNegInf>{o, ap}, in, dims);
    else
      reduce::run(NormOp<scalar_t, NormKind::kGeneral>{o, ap}, in, dims);
  });
}

// Running max m and s = sum exp(x - m); m = -inf means "no finite contribution yet".
template <class A>
struct MaxSum {
  A m = -std::numeric_limits<A>::infinity();
  A s = 0;
};

template <class T>
struct LogSumExpOp {
  using in_t = T;
  using acc_t = MaxSum<compute_t<T>>;
  using A = compute_t<T>;
  static constexpr int64_t kLanes = 8;
  T* out;
  acc_t identity() const { return acc_t{}; }
  acc_t reduce(acc_t a, in_t x, int64_t) const {
    const A v = static_cast<A>(x);
    if (is_nan(v) || is_nan(a.m)) return acc_t{std::numeric_limits<A>::quiet_NaN(), A(1)};
    if (v == -std::numeric_limits<A>::infinity()) return a;
    if (v > a.m) return acc_t{v, a.s * exp_a(a.m - v) + A(1)};  // exp(-inf) = 0 on the first element
    if (v == a.m) return acc_t{a.m, a.s + A(1)};                // also covers +inf twice
    return acc_t{a.m, a.s + exp_a(v - a.m)};
  }
  // Two passes over a block (max, then sum of exp(x - max) with the vectorisable exp): the same
  // pair the per-element updates produce, without their branches. x == max counts 1, which also
  // covers max = +inf.
  FX_REDUCE_HOT acc_t fold_contiguous(const in_t* p, int64_t n, int64_t) const {
    FX_ASSERT(n <= reduce::kBlock);
    A lane[kVec];
    for (int64_t j = 0; j < kVec; ++j) lane[j] = -std::numeric_limits<A>::infinity();
    int64_t i = 0;
    for (; i + kVec <= n; i += kVec)
      for (int64_t j = 0; j < kVec; ++j) lane[j] = nan_max(lane[j], static_cast<A>(p[i + j]));
    A m = -std::numeric_limits<A>::infinity();
    for (; i < n; ++i) m = nan_max(m, static_cast<A>(p[i]));
    for (int64_t j = 0; j < kVec; ++j) m = nan_max(m, lane[j]);
    if (is_nan(m)) return acc_t{m, A(1)};
    if (m == -std::numeric_limits<A>::infinity()) return acc_t{};
    // exp as a plain map (vectorises), then kVec partial sums.
    A e[reduce::kBlock];
    for (i = 0; i < n; ++i) e[i] = term(static_cast<A>(p[i]), m);
    for (int64_t j = 0; j < kVec; ++j) lane[j] = 0;
    for (i = 0; i + kVec <= n; i += kVec)
      for (int64_t j = 0; j < kVec; ++j) lane[j] += e[i + j];
    A s = 0;
    for (; i < n; ++i) s += e[i];
    for (int64_t j = 0; j < kVec; ++j) s += lane[j];
    return acc_t{m, s};
  }
  // Column mode: the same two passes for each of cw adjacent outputs.
  FX_REDUCE_HOT void fold_rows(const in_t* const* rows, int64_t nrows, int64_t cw, acc_t* dst, int64_t) const {
    constexpr int64_t kW = 256;
    A m[kW], s[kW];
    for (int64_t c0 = 0; c0 < cw; c0 += kW) {
      const int64_t n = std::min(kW, cw - c0);
      for (int64_t w = 0; w < n; ++w) {
        m[w] = -std::numeric_limits<A>::infinity();
        s[w] = 0;
      }
      for (int64_t r = 0; r < nrows; ++r)
        for (int64_t w = 0; w < n; ++w) m[w] = nan_max(m[w], static_cast<A>(rows[r][c0 + w]));
      for (int64_t r = 0; r < nrows; ++r)
        for (int64_t w = 0; w < n; ++w) s[w] += term(static_cast<A>(rows[r][c0 + w]), m[w]);
      for (int64_t w = 0; w < n; ++w) {
        if (is_nan(m[w]))
          dst[c0 + w] = acc_t{m[w], A(1)};
        else if (m[w] == -std::numeric_limits<A>::infinity())
          dst[c0 + w] = acc_t{};
        else
          dst[c0 + w] = acc_t{m[w], s[w]};
      }
    }
  }
  static constexpr int64_t kVec = 16;
  // Branch-free (| instead of ||, exp always evaluated) so the loops above vectorise.
  static A nan_max(A a, A b) { return reduce::extreme_nan<true>(a, b); }
  static A term(A v, A m) {
    const A e = exp_a(v - m);
    return v == m ? A(1) : e;
  }
  acc_t combine(const acc_t& a, const acc_t& b) const {
    if (is_nan(a.m) || is_nan(b.m)) return acc_t{std::numeric_limits<A>::quiet_NaN(), A(1)};
    const A m = a.m >= b.m ? a.m : b.m;
    if (m == -std::numeric_limits<A>::infinity()) return acc_t{};
    const A sa = a.m == m ? a.s : a.s * exp_a(a.m - m);
    const A sb = b.m == m ? b.s : b.s * exp_a(b.m - m);
    return acc_t{m, sa + sb};
  }
  void write(int64_t o, const acc_t& a) const {
    out[o] = static_cast<T>(a.m == -std::numeric_limits<A>::infinity() ? a.m : a.m + std::log(a.s));
  }
};

void logsumexp_cpu(const Tensor& out, const Tensor& in, const Shape& dims, double) {
  FX_DISPATCH_FLOATING_TYPES(in.dtype(), "logsumexp",
                             [&] { reduce::run(LogSumExpOp<scalar_t>{out.data_ptr<scalar_t>()}, in, dims); });
}

struct Welford {
  double mean = 0, m2 = 0;
  int64_t n = 0;
};

template <class T>
struct WelfordOp {
  using in_t = T;
  using acc_t = Welford;
  static constexpr int64_t kLanes = 8;
  T* var;
  T* mean;
  double correction;
  bool take_sqrt;
  acc_t identity() const { return acc_t{}; }
  acc_t reduce(acc_t a, in_t x, int64_t) const {
    const double v = static_cast<double>(static_cast<compute_t<T>>(x));
    a.n += 1;
    const double d = v - a.mean;
    a.mean += d / static_cast<double>(a.n);
    a.m2 += d * (v - a.mean);
    return a;
  }
  // A contiguous block (<= kBlock elements): exact two-pass mean and sum of squared deviations,
  // vectorised with kLanes partial sums; blocks then combine with Chan's formula.
  FX_REDUCE_HOT acc_t fold_contiguous(const in_t* p, int64_t n, int64_t) const {
    if (n == 0) return acc_t{};
    double lane[kLanes] = {};
    int64_t i = 0;
    for (; i + kLanes <= n; i += kLanes)
      for (int64_t j = 0; j < kLanes; ++j) lane[j] += static_cast<double>(static_cast<compute_t<T>>(p[i + j]));
    double s = 0;
    for (; i < n; ++i) s += static_cast<double>(static_cast<compute_t<T>>(p[i]));
    for (int64_t j = 0; j < kLanes; ++j) s += lane[j];
    const double mean_v = s / static_cast<double>(n);
    for (int64_t j = 0; j < kLanes; ++j) lane[j] = 0;
    for (i = 0; i + kLanes <= n; i += kLanes)
      for (int64_t j = 0; j < kLanes; ++j) {
        const double d = static_cast<double>(static_cast<compute_t<T>>(p[i + j])) - mean_v;
        lane[j] += d * d;
      }
    double m2 = 0;
    for (; i < n; ++i) {
      const double d = static_cast<double>(static_cast<compute_t<T>>(p[i])) - mean_v;
      m2 += d * d;
    }
    for (int64_t j = 0; j < kLanes; ++j) m2 += lane[j];
    return acc_t{mean_v, m2, n};
  }
  // Column mode: the same two-pass statistics for each of cw adjacent outputs over nrows rows.
  FX_REDUCE_HOT void fold_rows(const in_t* const* rows, int64_t nrows, int64_t cw, acc_t* dst, int64_t) const {
    constexpr int64_t kW = 256;
    double s[kW], q[kW];
    for (int64_t c0 = 0; c0 < cw; c0 += kW) {
      const int64_t n = std::min(kW, cw - c0);
      for (int64_t w = 0; w < n; ++w) s[w] = 0;
      for (int64_t r = 0; r < nrows; ++r) {
        const in_t* p = rows[r] + c0;
        for (int64_t w = 0; w < n; ++w) s[w] += static_cast<double>(static_cast<compute_t<T>>(p[w]));
      }
      for (int64_t w = 0; w < n; ++w) {
        s[w] /= static_cast<double>(nrows);
        q[w] = 0;
      }
      for (int64_t r = 0; r < nrows; ++r) {
        const in_t* p = rows[r] + c0;
        for (int64_t w = 0; w < n; ++w) {
          const double d = static_cast<double>(static_cast<compute_t<T>>(p[w])) - s[w];
          q[w] += d * d;
        }
      }
      for (int64_t w = 0; w < n; ++w) dst[c0 + w] = acc_t{s[w], q[w], nrows};
    }
  }
  acc_t combine(const acc_t& a, const acc_t& b) const {
    if (a.n == 0) return b;
    if (b.n == 0) return a;
    const double n = static_cast<double>(a.n + b.n);
    const double d = b.mean - a.mean;
    const double fb = static_cast<double>(b.n) / n;
    return acc_t{a.mean + d * fb, a.m2 + b.m2 + d * d * static_cast<double>(a.n) * fb, a.n + b.n};
  }
  void write(int64_t o, const acc_t& a) const {
    if (var) {
      const double dof = std::max(0.0, static_cast<double>(a.n) - correction);
      const double v = a.m2 / dof;  // 0/0 = nan when nothing is left, as PyTorch
      var[o] = static_cast<T>(take_sqrt ? std::sqrt(v) : v);
    }
    if (mean) mean[o] = static_cast<T>(a.n == 0 ? std::numeric_limits<double>::quiet_NaN() : a.mean);
  }
};

void var_mean_cpu(const Tensor& var, const Tensor& mean, const Tensor& in, const Shape& dims, double correction,
                  bool take_sqrt) {
  FX_DISPATCH_FLOATING_TYPES(in.dtype(), "var", [&] {
    WelfordOp<scalar_t> op{var.defined() ? var.data_ptr<scalar_t>() : nullptr,
                           mean.defined() ? mean.data_ptr<scalar_t>() : nullptr, correction, take_sqrt};
    reduce::run(op, in, dims);
  });
}

bool register_all() {
  for (DType dt : {kFloat32, kFloat64, kFloat16, kBFloat16}) {
    norm_kernel.set(DeviceType::CPU, dt, &norm_cpu);
    logsumexp_kernel.set(DeviceType::CPU, dt, &logsumexp_cpu);
    var_mean_kernel.set(DeviceType::CPU, dt, &var_mean_cpu);
  }
  return true;
}
const bool registered = register_all();

}  // namespace
}  // namespace fluxion::kernels
