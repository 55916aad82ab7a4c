// Statistical reductions: var / std / var_mean / std_mean (with `correction`), vector norms and
// logsumexp, with their VJPs/JVPs (formulas as PyTorch's derivatives.yaml).
#include <cmath>

#include "fluxion/autograd.h"
#include "fluxion/ops/creation.h"
#include "fluxion/ops/pointwise.h"
#include "fluxion/ops/reduce.h"
#include "fluxion/ops/view.h"
#include "kernels/reduce_kernels.h"
#include "ops/reduce_util.h"

namespace fluxion {

using namespace reduce_util;

namespace {

// ---- var / std -----------------------------------------------------------------------------------

// d var / d x = 2 (x - mean) / (N - correction).
Tensor var_direction(const Tensor& x, const Shape& rd, double correction) {
  const double n = static_cast<double>(reduced_numel(x.sizes(), rd));
  return (x - mean(x, DimList(rd), true)) * (2.0 / (n - correction));
}

// Gradient flowing into var from a std output: g / (2 std), 0 where std == 0 (as PyTorch).
Tensor std_to_var_grad(const Tensor& g, const Tensor& s) {
  Tensor zero = eq(s, 0);
  return where(zero, Scalar(0.0), g / (2.0 * where(zero, Scalar(1.0), s)));
}

std::tuple<Tensor, Tensor> var_mean_impl(const Tensor& x, const std::optional<DimList>& dims, double correction,
                                         bool keepdim, bool take_sqrt, bool want_mean, const char* op) {
  check_defined(x, op);
  FX_CHECK(x.is_floating_point(), op, ": std and var only support floating point dtypes, got ", dtype_name(x.dtype()));
  Shape rd = normalize_dims(dims, x.dim(), op);
  auto [v, v_alias] = make_output(x, rd, keepdim, x.dtype());
  Tensor m, m_alias;
  if (want_mean) std::tie(m, m_alias) = make_output(x, rd, keepdim, x.dtype());
  const KernelArgs k = kernel_args(v_alias, x, rd);
  const Tensor km = m_alias.defined() ? kernel_args(m_alias, x, rd).out : m_alias;
  kernels::var_mean_kernel.get(x.device().type(), x.dtype())(k.out, km, k.in, k.dims, correction, take_sqrt);
  if (autograd::needs_record({&x})) {
    Shape in_sizes = x.sizes();
    const double n = static_cast<double>(reduced_numel(x.sizes(), rd));
    TensorList outs{v};
    if (want_mean) outs.push_back(m);
    autograd::record(
        take_sqrt ? (want_mean ? "StdMeanBackward0" : "StdBackward0")
                  : (want_mean ? "VarMeanBackward0" : "VarBackward0"),
        {x}, outs, {x, v},
        [in_sizes, rd, keepdim, correction, take_sqrt, want_mean, n](const autograd::BackwardArgs& a,
                                                                     const autograd::SavedList& s) {
          Tensor gx;
          if (a.grad(0).defined()) {
            Tensor gv = take_sqrt ? std_to_var_grad(a.grad(0), s[1]) : a.grad(0);
            gx = expand_reduced(gv, in_sizes, rd, keepdim) * var_direction(s[0], rd, correction);
          }
          if (want_mean && a.grad(1).defined()) {
            Tensor gm = expand_reduced(a.grad(1), in_sizes, rd, keepdim) * (1.0 / n);
            gx = gx.defined() ? gx + gm : gm;
          }
          return TensorList{gx};
        },
        [&](const TensorList& t) {
          Tensor tv = sum(var_direction(x, rd, correction) * t[0], DimList(rd), keepdim);
          if (take_sqrt) tv = std_to_var_grad(tv, v);
          TensorList r{tv};
          if (want_mean) r.push_back(mean(t[0], DimList(rd), keepdim));
          return r;
        });
  }
  return {v, m};
}

// ---- norm ------------------------------------------------------------------------------------------

// d ||x||_p / d x, given the norm y broadcast to x's shape (PyTorch's norm_backward cases).
Tensor norm_direction(const Tensor& x, const Tensor& y, double p, const Shape& rd) {
  if (p == 0) return zeros_like(x);
  if (p == 1) return sign(x);
  if (std::isinf(p)) {
    // Derivative of amax(|x|): split evenly among the elements reaching it (NaNs included).
    Tensor mask;
    {
      NoGradGuard ng;
      Tensor ax = abs(x.detach());
      mask = logical_or(eq(ax, y.detach()), isnan(ax)).to(x.dtype());
    }
    return sign(x) * (mask / sum(mask, DimList(rd), true));
  }
  Tensor y_zero = eq(y, 0);
  Tensor safe_y = where(y_zero, Scalar(1.0), y);
  if (p == 2) return where(y_zero, Scalar(0.0), x / safe_y);
  if (p < 1) {
    Tensor x_zero = eq(x, 0);
    Tensor scaled = where(x_zero, Scalar(0.0), sign(x) * pow(abs(where(x_zero, Scalar(1.0), x)), p - 1));
    return scaled * pow(y, 1 - p);
  }
  Tensor scaled = p < 2 ? sign(x) * pow(abs(x), p - 1) : x * pow(abs(x), p - 2);
  return where(y_zero, Scalar(0.0), scaled / pow(safe_y, p - 1));
}

}  // namespace

Tensor var(const Tensor& x, std::optional<DimList> dims, double correction, bool keepdim) {
  return std::get<0>(var_mean_impl(x, dims, correction, keepdim, false, false, "var"));
}
Tensor std(const Tensor& x, std::optional<DimList> dims, double correction, bool keepdim) {
  return std::get<0>(var_mean_impl(x, dims, correction, keepdim, true, false, "std"));
}
std::tuple<Tensor, Tensor> var_mean(const Tensor& x, std::optional<DimList> dims, double correction, bool keepdim) {
  return var_mean_impl(x, dims, correction, keepdim, false, true, "var_mean");
}
std::tuple<Tensor, Tensor> std_mean(const Tensor& x, std::optional<DimList> dims, double correction, bool keepdim) {
  return var_mean_impl(x, dims, correction, keepdim, true, true, "std_mean");
}

Tensor norm(const Tensor& x, double p, std::optional<DimList> dims, bool keepdim) {
  check_defined(x, "norm");
  FX_CHECK(x.is_floating_point(), "norm: expected a floating point input, got ", dtype_name(x.dtype()));
  FX_CHECK(!std::isnan(p), "norm: the order p must not be NaN");
  Shape rd = normalize_dims(dims, x.dim(), "norm");
  FX_CHECK(!std::isinf(p) || reduced_numel(x.sizes(), rd) > 0, "norm: cannot compute the ", p > 0 ? "inf" : "-inf",
           " norm over an empty dimension (input sizes ", x.sizes(), ") because the operation has no identity");
  auto [out, alias] = make_output(x, rd, keepdim, x.dtype());
  const KernelArgs k = kernel_args(alias, x, rd);
  kernels::norm_kernel.get(x.device().type(), x.dtype())(k.out, k.in, k.dims, p);
  if (autograd::needs_record({&x})) {
    Shape in_sizes = x.sizes();
    autograd::record(
        "NormBackward1", {x}, {out}, {x, out},
        [in_sizes, rd, keepdim, p](const autograd::BackwardArgs& a, const autograd::SavedList& s) {
          Tensor dir = norm_direction(s[0], unsqueeze_reduced(s[1], rd, keepdim), p, rd);
          return TensorList{expand_reduced(a.grad(), in_sizes, rd, keepdim) * dir};
        },
        [&](const TensorList& t) {
          Tensor dir = norm_direction(x, unsqueeze_reduced(out, rd, keepdim), p, rd);
          return TensorList{sum(t[0] * dir, DimList(rd), keepdim)};
        });
  }
  return out;
}

Tensor frobenius_norm(const Tensor& x, std::optional<DimList> dims, bool keepdim) { return norm(x, 2, dims, keepdim); }

Tensor logsumexp(const Tensor& x, const DimList& dims, bool keepdim) {
  check_defined(x, "logsumexp");
  // Integers are converted to the default float dtype, as PyTorch.
  const Tensor in = x.is_floating_point() ? x : x.to(default_dtype());
  Shape rd = normalize_dims(dims, in.dim(), "logsumexp");
  auto [out, alias] = make_output(in, rd, keepdim, in.dtype());
  const KernelArgs k = kernel_args(alias, in, rd);
  kernels::logsumexp_kernel.get(in.device().type(), in.dtype())(k.out, k.in, k.dims, 0.0);
  if (autograd::needs_record({&in})) {
    Shape in_sizes = in.sizes();
    autograd::record(
        "LogsumexpBackward0", {in}, {out}, {in, out},
        [in_sizes, rd, keepdim](const autograd::BackwardArgs& a, const autograd::SavedList& s) {
          Tensor sm = exp(s[0] - unsqueeze_reduced(s[1], rd, keepdim));
          return TensorList{expand_reduced(a.grad(), in_sizes, rd, keepdim) * sm};
        },
        [&](const TensorList& t) {
          Tensor sm = exp(in - unsqueeze_reduced(out, rd, keepdim));
          return TensorList{sum(t[0] * sm, DimList(rd), keepdim)};
        });
  }
  return out;
}

Tensor Tensor::var(std::optional<DimList> dims, double correction, bool keepdim) const {
  return fluxion::var(*this, dims, correction, keepdim);
}
Tensor Tensor::std(std::optional<DimList> dims, double correction, bool keepdim) const {
  return fluxion::std(*this, dims, correction, keepdim);
}
Tensor Tensor::norm(double p, std::optional<DimList> dims, bool keepdim) const {
  return fluxion::norm(*this, p, dims, keepdim);
}
Tensor Tensor::logsumexp(const DimList& dims, bool keepdim) const { return fluxion::logsumexp(*this, dims, keepdim); }

}  // namespace fluxion
