// Range factories: arange, linspace, logspace, eye (declared in fluxion/ops/creation.h).
// Lengths and dtypes follow PyTorch exactly; values come from the range kernels.
#include <cmath>
#include <limits>

#include "fluxion/autograd.h"
#include "fluxion/ops/creation.h"
#include "fluxion/ops/view.h"
#include "kernels/range_kernels.h"

namespace fluxion {

namespace {

Tensor finish(Tensor t, const TensorOptions& opts) {
  if (opts.requires_grad()) {
    FX_CHECK(t.is_floating_point(), "only floating-point tensors can require grad, got dtype ", dtype_name(t.dtype()));
    t.requires_grad_(true);
  }
  return t;
}

void check_range_dtype(DType dt, const char* op) { FX_CHECK(dt != kBool, op, ": not implemented for dtype bool"); }

}  // namespace

Tensor arange(const Scalar& end, const TensorOptions& opts) { return arange(0, end, 1, opts); }

Tensor arange(const Scalar& start, const Scalar& end, const Scalar& step, const TensorOptions& opts) {
  const bool all_integral = !start.is_floating_point() && !end.is_floating_point() && !step.is_floating_point();
  const DType dt = opts.has_dtype() ? opts.dtype() : all_integral ? kInt64 : default_dtype();
  check_range_dtype(dt, "arange");
  int64_t size = 0;
  if (is_integral(dt)) {
    // PyTorch converts the bounds to the accumulation type (int64) first: arange(0, 2.5, 0.5,
    // dtype=int64) has step 0 and is an error.
    const int64_t s = start.to_int(), e = end.to_int(), d = step.to_int();
    FX_CHECK(d != 0, "arange: step must be nonzero");
    FX_CHECK((d > 0 && e >= s) || (d < 0 && e <= s),
             "arange: upper bound and lower bound inconsistent with step sign "
             "(start=",
             s, ", end=", e, ", step=", d, ")");
    const int64_t sgn = d > 0 ? 1 : -1;
    // ceil((e - s) / d), exactly; in 128 bits because e - s can overflow int64.
    const __int128 n = (static_cast<__int128>(e) - s + d - sgn) / d;
    FX_CHECK(n <= std::numeric_limits<int64_t>::max(), "arange: invalid size, possible overflow?");
    size = static_cast<int64_t>(n);
  } else {
    const double s = start.to_double(), e = end.to_double(), d = step.to_double();
    FX_CHECK(d != 0, "arange: step must be nonzero");
    FX_CHECK(std::isfinite(s) && std::isfinite(e), "arange: unsupported range: ", s, " -> ", e);
    FX_CHECK((d > 0 && e >= s) || (d < 0 && e <= s),
             "arange: upper bound and lower bound inconsistent with step sign "
             "(start=",
             s, ", end=", e, ", step=", d, ")");
    const double size_d = std::ceil((e - s) / d);
    FX_CHECK(size_d >= 0 && size_d <= static_cast<double>(std::numeric_limits<int64_t>::max()), "arange: invalid size ",
             size_d, ", possible overflow?");
    size = static_cast<int64_t>(size_d);
  }
  Tensor out = empty({size}, opts.dtype(dt).requires_grad(false));
  kernels::arange_kernel.get(out.device().type(), dt)(out, start, step);
  return finish(out, opts.dtype(dt));
}

Tensor linspace(double start, double end, int64_t steps, const TensorOptions& opts) {
  FX_CHECK(steps >= 0, "linspace: number of steps must be non-negative, got ", steps);
  check_range_dtype(opts.dtype(), "linspace");
  Tensor out = empty({steps}, opts.requires_grad(false));
  kernels::linspace_kernel.get(out.device().type(), out.dtype())(out, start, end);
  return finish(out, opts);
}

Tensor logspace(double start, double end, int64_t steps, double base, const TensorOptions& opts) {
  FX_CHECK(steps >= 0, "logspace: number of steps must be non-negative, got ", steps);
  check_range_dtype(opts.dtype(), "logspace");
  Tensor out = empty({steps}, opts.requires_grad(false));
  kernels::logspace_kernel.get(out.device().type(), out.dtype())(out, start, end, base);
  return finish(out, opts);
}

Tensor eye(int64_t n, std::optional<int64_t> m, const TensorOptions& opts) {
  const int64_t cols = m.value_or(n);
  FX_CHECK(n >= 0, "eye: n must be greater or equal to 0, got ", n);
  FX_CHECK(cols >= 0, "eye: m must be greater or equal to 0, got ", cols);
  Tensor out = zeros({n, cols}, opts.requires_grad(false));
  {
    NoGradGuard ng;
    out.diagonal().fill_(1);
  }
  return finish(out, opts);
}

}  // namespace fluxion
