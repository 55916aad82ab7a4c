// CPU kernels with bool results: comparisons, logical ops, isclose, predicates (isnan, ...),
// and the all-true test used by allclose/equal.
#include <cmath>

#include "kernels/cpu/loops.h"
#include "kernels/cpu/pointwise_cpu.h"
#include "kernels/functors.h"

namespace fluxion::kernels {
namespace {

template <class T, class F>
void run_compare(const Tensor& out, const Tensor& a, const Tensor& b, const CompareParams& p, const F& f) {
  using O = opmath_t<T>;
  if (b.defined()) {
    LoopPlan plan = make_pointwise_plan({&out, &a, &b});
    run_pointwise_plan(plan, [&f](char** d, const int64_t* s, int64_t n) {
      binary_loop<bool, T, T>(d, s, n, [&f](T x, T y) { return f(static_cast<O>(x), static_cast<O>(y)); });
    });
  } else {
    const O sv = scalar_as<O>(p.scalar);
    LoopPlan plan = make_pointwise_plan({&out, &a});
    run_pointwise_plan(plan, [&f, sv](char** d, const int64_t* s, int64_t n) {
      unary_loop<bool, T>(d, s, n, [&f, sv](T x) { return f(static_cast<O>(x), sv); });
    });
  }
}

template <class T>
void compare_impl(const Tensor& out, const Tensor& a, const Tensor& b, CompareOp op, const CompareParams& p) {
  using O = opmath_t<T>;
  switch (op) {
    case CompareOp::Eq: return run_compare<T>(out, a, b, p, [](O x, O y) { return x == y; });
    case CompareOp::Ne: return run_compare<T>(out, a, b, p, [](O x, O y) { return x != y; });
    case CompareOp::Lt: return run_compare<T>(out, a, b, p, [](O x, O y) { return x < y; });
    case CompareOp::Le: return run_compare<T>(out, a, b, p, [](O x, O y) { return x <= y; });
    case CompareOp::Gt: return run_compare<T>(out, a, b, p, [](O x, O y) { return x > y; });
    case CompareOp::Ge: return run_compare<T>(out, a, b, p, [](O x, O y) { return x >= y; });
    case CompareOp::LogicalAnd:
      return run_compare<T>(out, a, b, p, [](O x, O y) { return (x != O(0)) && (y != O(0)); });
    case CompareOp::LogicalOr: return run_compare<T>(out, a, b, p, [](O x, O y) { return (x != O(0)) || (y != O(0)); });
    case CompareOp::LogicalXor:
      return run_compare<T>(out, a, b, p, [](O x, O y) { return (x != O(0)) != (y != O(0)); });
    case CompareOp::IsClose: {
      // PyTorch: a == b, or both NaN with equal_nan, or finite |a - b| <= atol + |rtol * b|.
      // Integers and bools compute the error in double.
      using E = std::conditional_t<std::is_floating_point_v<O>, O, double>;
      const E rtol = static_cast<E>(p.rtol), atol = static_cast<E>(p.atol);
      const bool equal_nan = p.equal_nan;
      return run_compare<T>(out, a, b, p, [rtol, atol, equal_nan](O x, O y) {
        if (x == y) return true;
        const E ex = static_cast<E>(x), ey = static_cast<E>(y);
        if (equal_nan && math::is_nan(ex) && math::is_nan(ey)) return true;
        const E err = std::fabs(ex - ey);
        return std::isfinite(err) && err <= atol + std::fabs(rtol * ey);
      });
    }
    case CompareOp::kCount: break;
  }
  FX_FAIL("compare op ", static_cast<int>(op), ": unknown");
}

template <class T, class F>
void run_predicate(const Tensor& out, const Tensor& x, const F& f) {
  LoopPlan plan = make_pointwise_plan({&out, &x});
  run_pointwise_plan(plan, [&f](char** d, const int64_t* s, int64_t n) { unary_loop<bool, T>(d, s, n, f); });
}

template <class T>
void predicate_impl(const Tensor& out, const Tensor& x, PredicateOp op) {
  using O = opmath_t<T>;
  if constexpr (std::is_floating_point_v<O>) {
    constexpr O kInf = std::numeric_limits<O>::infinity();
    switch (op) {
      case PredicateOp::IsNan: return run_predicate<T>(out, x, [](T v) { return math::is_nan(static_cast<O>(v)); });
      case PredicateOp::IsInf:
        return run_predicate<T>(out, x, [](T v) { return std::fabs(static_cast<O>(v)) == kInf; });
      case PredicateOp::IsPosInf: return run_predicate<T>(out, x, [](T v) { return static_cast<O>(v) == kInf; });
      case PredicateOp::IsNegInf: return run_predicate<T>(out, x, [](T v) { return static_cast<O>(v) == -kInf; });
      case PredicateOp::IsFinite:
        // o - o is NaN exactly for inf and NaN.
        return run_predicate<T>(out, x, [](T v) { return static_cast<O>(v) - static_cast<O>(v) == O(0); });
      default: break;
    }
  } else {
    switch (op) {
      case PredicateOp::IsNan:
      case PredicateOp::IsInf:
      case PredicateOp::IsPosInf:
      case PredicateOp::IsNegInf: return run_predicate<T>(out, x, [](T) { return false; });
      case PredicateOp::IsFinite: return run_predicate<T>(out, x, [](T) { return true; });
      default: break;
    }
  }
  switch (op) {
    case PredicateOp::LogicalNot: return run_predicate<T>(out, x, [](T v) { return static_cast<O>(v) == O(0); });
    case PredicateOp::NonZero: return run_predicate<T>(out, x, [](T v) { return static_cast<O>(v) != O(0); });
    default: break;
  }
  FX_FAIL("predicate op ", static_cast<int>(op), ": unknown");
}

bool all_true_cpu(const Tensor& t) {
  FX_ASSERT(t.dtype() == DType::Bool);
  if (t.numel() == 0) return true;
  LoopPlan plan = make_pointwise_plan({&t});
  bool all = true;
  run_pointwise_plan(
      plan,
      [&all](char** d, const int64_t* s, int64_t n) {
        bool ok = true;
        for (int64_t i = 0; i < n; ++i) ok &= *reinterpret_cast<const bool*>(d[0] + i * s[0]);
        all = all && ok;
      },
      std::numeric_limits<int64_t>::max());  // one thread: `all` is not shared safely
  return all;
}

}  // namespace

FX_DEFINE_KERNEL(compare_kernel, CompareFn);
FX_DEFINE_KERNEL(predicate_kernel, PredicateFn);
FX_DEFINE_KERNEL(all_true_kernel, AllTrueFn);

namespace {
bool register_compare_kernels() {
  for (int t = 0; t < kNumDTypes; ++t) {
    const DType dt = static_cast<DType>(t);
    FX_DISPATCH_ALL_TYPES(dt, "compare", [&] {
      compare_kernel.set(DeviceType::CPU, dt, &compare_impl<scalar_t>);
      predicate_kernel.set(DeviceType::CPU, dt, &predicate_impl<scalar_t>);
    });
  }
  all_true_kernel.set(DeviceType::CPU, DType::Bool, &all_true_cpu);
  return true;
}
const bool compare_registered = register_compare_kernels();
}  // namespace

}  // namespace fluxion::kernels
