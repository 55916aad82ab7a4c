// Normalisation ops. One primitive, norm_core, normalises an (A, C, B) view with statistics per
// channel c over A and B, optionally with a per-channel affine:
//   batch norm     (N, C, spatial)          affine fused in the kernel
//   layer norm     (1, rows, row length)    elementwise affine applied after (broadcast ops)
//   group norm     (1, N * G, C/G * spatial)
//   instance norm  (1, N * C, spatial)
// Eval-mode batch norm (running statistics, a per-channel linear map) is a second primitive.
//
// Backward: with grad mode off (a plain backward pass) a fused kernel computes gx, gw, gb in two
// sweeps. When the backward itself is being recorded (create_graph), the VJP is written with
// differentiable ops that recompute the statistics from x, so second derivatives include the
// dependence of mean and variance on x (PyTorch's batchnorm double backward).
#include "fluxion/nn/functional/normalization.h"

#include <cmath>

#include "core/batched.h"
#include "fluxion/autograd.h"
#include "fluxion/nn/functional/pooling.h"
#include "fluxion/ops/creation.h"
#include "fluxion/ops/index.h"
#include "fluxion/ops/pointwise.h"
#include "fluxion/ops/reduce.h"
#include "kernels/nn_kernels.h"

namespace fluxion::nn::functional {

namespace {

Tensor dense(const Tensor& t) {
  if (t.is_contiguous()) return t;
  NoGradGuard ng;
  return t.detach().contiguous();
}

// (C) -> (1, C, 1) for broadcasting against an (A, C, B) tensor.
Tensor chan(const Tensor& t) { return t.reshape({1, t.numel(), 1}); }

const DimList kStatDims{0, 2};

struct NormResult {
  Tensor y, mean, var;  // mean/var: (C), biased variance, no autograd history
};

// The forward-mode derivative of y = xhat * w + b with batch statistics (see the header note):
//   t_xhat = rstd * (tx - mean(tx) - xhat * mean(xhat * tx)).
Tensor norm_jvp(const Tensor& x, const Tensor& w, const Tensor& mean, const Tensor& rstd, const TensorList& t) {
  Tensor xhat = (x - chan(mean)) * chan(rstd);
  Tensor ty = chan(rstd) * (t[0] - t[0].mean(kStatDims, true) - xhat * (xhat * t[0]).mean(kStatDims, true));
  if (w.defined()) ty = ty * chan(w);
  if (t[1].defined()) ty = ty + xhat * chan(t[1]);
  if (t[2].defined()) ty = ty + chan(t[2]);
  return ty;
}

// Differentiable VJP of norm_core (statistics recomputed from x with ops).
TensorList norm_vjp_composite(const Tensor& gy, const Tensor& x, const Tensor& w, double eps,
                              const autograd::BackwardArgs& a) {
  Tensor mu = x.mean(kStatDims, true);
  Tensor xc = x - mu;
  Tensor rstd = ((xc * xc).mean(kStatDims, true) + eps).rsqrt();
  Tensor xhat = xc * rstd;
  Tensor gh = w.defined() ? gy * chan(w) : gy;
  Tensor gx, gw, gb;
  if (a.needs(0)) gx = rstd * (gh - gh.mean(kStatDims, true) - xhat * (gh * xhat).mean(kStatDims, true));
  if (a.needs(1)) gw = (gy * xhat).sum(kStatDims);
  if (a.needs(2)) gb = gy.sum(kStatDims);
  return {gx, gw, gb};
}

NormResult norm_core(const Tensor& x, const Tensor& w, const Tensor& b, double eps);

// Note [Batched tensors]: layer_norm and group_norm normalise rows of a (1, C, B) view, so under
// vmap the examples' rows are just more rows of one physical (1, batch * C, B) tensor. The VJP
// is the composite one (written in ops with batching rules); the statistics come back batched.
NormResult batched_row_norm(const Tensor& x, double eps) {
  const int64_t N = batched::batch_size({&x}), C = x.size(1), B = x.size(2);
  NormResult r = norm_core(batched::physical(x, N).reshape({1, N * C, B}), Tensor(), Tensor(), eps);
  Tensor y = batched::wrap(r.y.reshape({N, 1, C, B}));
  Tensor mean = batched::wrap(r.mean.reshape({N, C})), var = batched::wrap(r.var.reshape({N, C}));
  if (autograd::needs_record({&x})) {
    Tensor rstd;
    {
      NoGradGuard ng;
      rstd = (var + eps).rsqrt();
    }
    autograd::record(
        "NativeLayerNormBackward0", {x, Tensor(), Tensor()}, {y}, {x},
        [eps](const autograd::BackwardArgs& a, const autograd::SavedList& sv) -> TensorList {
          return norm_vjp_composite(a.grad(), sv[0], Tensor(), eps, a);
        },
        [&](const TensorList& t) { return TensorList{norm_jvp(x, Tensor(), mean, rstd, t)}; });
  }
  return {y, mean, var};
}

// y = (x - mean) * rstd * w + b with batch statistics of x (A, C, B); w, b: (C) or undefined.
NormResult norm_core(const Tensor& x, const Tensor& w, const Tensor& b, double eps) {
  if (batched::is_batched(x) && x.size(0) == 1 && !w.defined() && !b.defined()) [[unlikely]]
    return batched_row_norm(x, eps);
  const int64_t A = x.size(0), C = x.size(1), B = x.size(2);
  const auto dev = x.device().type();
  const auto dt = x.dtype();
  Tensor mean = empty({C}, x.options()), var = empty({C}, x.options());
  const Tensor xd = dense(x);
  kernels::norm_stats_kernel.get(dev, dt)(xd, mean, var, A, C, B);
  Tensor rstd;
  {
    NoGradGuard ng;
    rstd = (var + eps).rsqrt();
  }
  Tensor y = empty(x.sizes(), x.options());
  kernels::norm_apply_kernel.get(dev, dt)(xd, mean, rstd, w.defined() ? dense(w) : w, b.defined() ? dense(b) : b, y, A,
                                          C, B);
  if (autograd::needs_record({&x, &w, &b})) {
    autograd::record(
        "NativeBatchNormBackward0", {x, w, b}, {y}, {x, w},
        [mean, rstd, eps, A, C, B](const autograd::BackwardArgs& a, const autograd::SavedList& sv) -> TensorList {
          const Tensor& gy = a.grad();
          if (is_grad_enabled()) return norm_vjp_composite(gy, sv[0], sv[1], eps, a);
          Tensor gx = a.needs(0) ? empty(sv[0].sizes(), gy.options()) : Tensor();
          Tensor gw = a.needs(1) ? empty({C}, gy.options()) : Tensor();
          Tensor gb = a.needs(2) ? empty({C}, gy.options()) : Tensor();
          const Tensor& w = sv[1];
          kernels::norm_backward_kernel.get(gy.device().type(), gy.dtype())(
              dense(gy), dense(sv[0]), mean, rstd, w.defined() ? dense(w) : w, gx, gw, gb, A, C, B, false);
          return {gx, gw, gb};
        },
        [&](const TensorList& t) { return TensorList{norm_jvp(x, w, mean, rstd, t)}; });
  }
  return {y, mean, var};
}

// y = (x - mean) * rstd * w + b with constant statistics (eval-mode batch norm); x (A, C, B).
Tensor norm_eval(const Tensor& x, const Tensor& mean, const Tensor& rstd, const Tensor& w, const Tensor& b) {
  const int64_t A = x.size(0), C = x.size(1), B = x.size(2);
  Tensor y = empty(x.sizes(), x.options());
  const Tensor xd = dense(x);
  kernels::norm_apply_kernel.get(x.device().type(), x.dtype())(xd, mean, rstd, w.defined() ? dense(w) : w,
                                                               b.defined() ? dense(b) : b, y, A, C, B);
  if (autograd::needs_record({&x, &w, &b})) {
    autograd::record(
        "NativeBatchNormBackward0", {x, w, b}, {y}, {x, w},
        [mean, rstd, A, C, B](const autograd::BackwardArgs& a, const autograd::SavedList& sv) -> TensorList {
          const Tensor& gy = a.grad();
          const Tensor& xs = sv[0];
          const Tensor& w = sv[1];
          if (is_grad_enabled()) {
            Tensor scale = w.defined() ? rstd * w : rstd;
            Tensor gx, gw, gb;
            if (a.needs(0)) gx = gy * chan(scale);
            if (a.needs(1)) gw = (gy * ((xs - chan(mean)) * chan(rstd))).sum(kStatDims);
            if (a.needs(2)) gb = gy.sum(kStatDims);
            return {gx, gw, gb};
          }
          Tensor gx = a.needs(0) ? empty(xs.sizes(), gy.options()) : Tensor();
          Tensor gw = a.needs(1) ? empty({C}, gy.options()) : Tensor();
          Tensor gb = a.needs(2) ? empty({C}, gy.options()) : Tensor();
          kernels::norm_backward_kernel.get(gy.device().type(), gy.dtype())(
              dense(gy), dense(xs), mean, rstd, w.defined() ? dense(w) : w, gx, gw, gb, A, C, B, true);
          return {gx, gw, gb};
        },
        [&](const TensorList& t) {
          Tensor ty = t[0] * chan(w.defined() ? rstd * w : rstd);
          if (t[1].defined()) ty = ty + (x - chan(mean)) * chan(rstd) * chan(t[1]);
          if (t[2].defined()) ty = ty + chan(t[2]);
          return TensorList{ty};
        });
  }
  return y;
}

// Half inputs compute in f32 (parameters too); results are cast back.
bool is_half(DType t) { return t == kFloat16 || t == kBFloat16; }
Tensor to_compute(const Tensor& t) { return t.defined() && is_half(t.dtype()) ? t.to(kFloat32) : t; }

void check_param(const std::string& op, const Tensor& p, const char* name, int64_t C, const Tensor& input) {
  if (!p.defined()) return;
  FX_CHECK(p.numel() == C, op, ": ", name, " should contain ", C, " elements not ", p.numel(), " (input of size ",
           input.sizes(), ")");
  FX_CHECK(p.device() == input.device(), op, ": ", name, " is on ", p.device(), " but input is on ", input.device());
  FX_CHECK(is_floating_point(p.dtype()), op, ": ", name, " must be floating point, got ", p.dtype());
}

void check_input(const std::string& op, const Tensor& input, int64_t min_dim) {
  FX_CHECK(input.defined(), op, ": input is undefined");
  FX_CHECK(input.dim() >= min_dim, op, ": expected an input with at least ", min_dim, " dims, got input of size ",
           input.sizes());
  FX_CHECK(is_floating_point(input.dtype()), op, ": expected a floating-point input, got ", input.dtype());
}

// r = (1 - m) * r + m * stat, in place, without recording.
void update_running(const Tensor& r, const Tensor& stat, double momentum) {
  if (!r.defined()) return;
  NoGradGuard ng;
  Tensor rr = r;
  rr.mul_(1.0 - momentum).add_(stat.to(r.dtype()).reshape(r.sizes()), momentum);
}

}  // namespace

Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                  const Tensor& bias, bool training, double momentum, double eps) {
  const std::string op = "batch_norm";
  check_input(op, input, 2);
  const int64_t N = input.size(0), C = input.size(1);
  check_param(op, weight, "weight", C, input);
  check_param(op, bias, "bias", C, input);
  check_param(op, running_mean, "running_mean", C, input);
  check_param(op, running_var, "running_var", C, input);
  const int64_t B = N * C == 0 ? 0 : input.numel() / (N * C);
  const DType dt = input.dtype();
  Tensor x = to_compute(input).reshape({N, C, B});
  Tensor w = to_compute(weight), b = to_compute(bias);
  if (w.defined() && w.dtype() != x.dtype()) w = w.to(x.dtype());
  if (b.defined() && b.dtype() != x.dtype()) b = b.to(x.dtype());
  Tensor y;
  if (training) {
    const int64_t M = N * B;
    FX_CHECK(M > 1, op, ": expected more than 1 value per channel when training, got input size ", input.sizes());
    NormResult r = norm_core(x, w, b, eps);
    update_running(running_mean, r.mean, momentum);
    if (running_var.defined()) {
      NoGradGuard ng;
      update_running(running_var, r.var * (static_cast<double>(M) / static_cast<double>(M - 1)), momentum);
    }
    y = r.y;
  } else {
    FX_CHECK(running_mean.defined() && running_var.defined(), op,
             ": running_mean and running_var must be defined in evaluation mode (training=false)");
    Tensor mean, rstd;
    {
      NoGradGuard ng;
      mean = running_mean.detach().to(x.dtype()).contiguous();
      rstd = (running_var.detach().to(x.dtype()) + eps).rsqrt().contiguous();
    }
    y = norm_eval(x, mean, rstd, w, b);
  }
  y = y.reshape(input.sizes());
  return y.dtype() == dt ? y : y.to(dt);
}

Tensor layer_norm(const Tensor& input, const Shape& normalized_shape, const Tensor& weight, const Tensor& bias,
                  double eps) {
  const std::string op = "layer_norm";
  check_input(op, input, 1);
  const int64_t k = static_cast<int64_t>(normalized_shape.size());
  bool ok = k >= 1 && k <= input.dim();
  for (int64_t i = 0; ok && i < k; ++i)
    ok = input.size(input.dim() - k + i) == normalized_shape[static_cast<size_t>(i)];
  FX_CHECK(ok, op, ": given normalized_shape=", normalized_shape, ", expected input with shape [*, ", normalized_shape,
           "] but got input of size ", input.sizes());
  for (const Tensor* p : {&weight, &bias})
    if (p->defined())
      FX_CHECK(p->sizes() == normalized_shape, op, ": expected ", p == &weight ? "weight" : "bias", " of size ",
               normalized_shape, ", got ", p->sizes());
  const int64_t M = shape_numel(normalized_shape);
  const int64_t R = M == 0 ? 0 : input.numel() / M;
  const DType dt = input.dtype();
  Tensor x = to_compute(input).reshape({1, R, M});
  Tensor y = M > 0 && R > 0 ? norm_core(x, Tensor(), Tensor(), eps).y.reshape(input.sizes()) : to_compute(input) * 0.0;
  if (weight.defined()) y = y * to_compute(weight);
  if (bias.defined()) y = y + to_compute(bias);
  return y.dtype() == dt ? y : y.to(dt);
}

Tensor group_norm(const Tensor& input, int64_t num_groups, const Tensor& weight, const Tensor& bias, double eps) {
  const std::string op = "group_norm";
  check_input(op, input, 2);
  const int64_t N = input.size(0), C = input.size(1);
  FX_CHECK(num_groups > 0 && C % num_groups == 0, op,
           ": expected number of channels in input to be divisible by num_groups, but got input of shape ",
           input.sizes(), " and num_groups=", num_groups);
  check_param(op, weight, "weight", C, input);
  check_param(op, bias, "bias", C, input);
  const DType dt = input.dtype();
  Shape aff{1, C};
  for (int64_t i = 2; i < input.dim(); ++i) aff.push_back(1);
  const int64_t rows = N * num_groups;
  const int64_t len = rows == 0 ? 0 : input.numel() / rows;
  Tensor y;
  if (rows > 0 && len > 0)
    y = norm_core(to_compute(input).reshape({1, rows, len}), Tensor(), Tensor(), eps).y.reshape(input.sizes());
  else
    y = to_compute(input) * 0.0;
  if (weight.defined()) y = y * to_compute(weight).reshape(aff);
  if (bias.defined()) y = y + to_compute(bias).reshape(aff);
  return y.dtype() == dt ? y : y.to(dt);
}

Tensor instance_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                     const Tensor& bias, bool use_input_stats, double momentum, double eps) {
  const std::string op = "instance_norm";
  check_input(op, input, 2);
  const int64_t N = input.size(0), C = input.size(1);
  check_param(op, weight, "weight", C, input);
  check_param(op, bias, "bias", C, input);
  check_param(op, running_mean, "running_mean", C, input);
  check_param(op, running_var, "running_var", C, input);
  if (!use_input_stats) {
    FX_CHECK(running_mean.defined() && running_var.defined(), op,
             ": expected running_mean and running_var to be defined when use_input_stats is false");
    return batch_norm(input, running_mean, running_var, weight, bias, false, momentum, eps);
  }
  const int64_t B = N * C == 0 ? 0 : input.numel() / (N * C);
  FX_CHECK(B > 1, op, ": expected more than 1 spatial element when training, got input size ", input.sizes());
  const DType dt = input.dtype();
  NormResult r = norm_core(to_compute(input).reshape({1, N * C, B}), Tensor(), Tensor(), eps);
  {
    NoGradGuard ng;
    update_running(running_mean, r.mean.reshape({N, C}).mean(DimList{0}), momentum);
    if (running_var.defined())
      update_running(running_var,
                     (r.var * (static_cast<double>(B) / static_cast<double>(B - 1))).reshape({N, C}).mean(DimList{0}),
                     momentum);
  }
  Shape aff{1, C};
  for (int64_t i = 2; i < input.dim(); ++i) aff.push_back(1);
  Tensor y = r.y.reshape(input.sizes());
  if (weight.defined()) y = y * to_compute(weight).reshape(aff);
  if (bias.defined()) y = y + to_compute(bias).reshape(aff);
  return y.dtype() == dt ? y : y.to(dt);
}

Tensor local_response_norm(const Tensor& input, int64_t size, double alpha, double beta, double k) {
  const std::string op = "local_response_norm";
  FX_CHECK(input.defined(), op, ": input is undefined");
  FX_CHECK(input.dim() >= 3, op, ": expected 3D or higher dimensionality input (got ", input.dim(), " dimensions)");
  FX_CHECK(size > 0, op, ": size must be positive, got ", size);
  if (input.numel() == 0) return input;
  const Shape sizes = input.sizes();
  // Mean of x^2 over a window of `size` channels (zero padded), via average pooling over (C, 1).
  Tensor div = (input * input).reshape({sizes[0], 1, sizes[1], -1});
  div = fluxion::pad(div, {0, 0, size / 2, (size - 1) / 2});
  div = avg_pool2d(div, {size, 1}, {1, 1}).squeeze(1).reshape(sizes);
  div = (div * alpha + k).pow(beta);
  return input / div;
}

}  // namespace fluxion::nn::functional
