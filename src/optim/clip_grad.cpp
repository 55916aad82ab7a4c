// Gradient clipping through the vec_norm / vec_scale / vec_clamp kernels. The total norm is the
// norm of the per-gradient norms, as in PyTorch.
#include "fluxion/optim/clip_grad.h"

#include <cmath>

#include "fluxion/autograd.h"
#include "kernels/optim_kernels.h"

namespace fluxion::optim {

namespace {

std::vector<Tensor> defined_grads(const std::vector<Tensor>& parameters, const char* who) {
  std::vector<Tensor> grads;
  for (size_t i = 0; i < parameters.size(); ++i) {
    FX_CHECK(parameters[i].defined(), who, ": parameter ", i, " is undefined");
    const Tensor& g = parameters[i].grad();
    if (!g.defined()) continue;
    FX_CHECK(g.is_floating_point(), who, ": gradient of parameter ", i, " has non-floating dtype ",
             dtype_name(g.dtype()));
    grads.push_back(g);
  }
  return grads;
}

/// Applies `f(contiguous tensor)` to g in place (through a contiguous copy when needed).
template <class F>
void update_in_place(const Tensor& g, const F& f) {
  NoGradGuard ng;
  Tensor gd = g.detach();
  if (gd.is_contiguous()) {
    f(gd);
    if (!is_inference_mode()) gd.impl()->storage()->bump_version();
  } else {
    Tensor c = gd.contiguous();
    f(c);
    gd.copy_(c);
  }
}

double combine(const std::vector<double>& norms, double p) {
  if (norms.empty()) return 0.0;
  // Norm of the vector of per-tensor norms, with the same rules as the kernels.
  double acc = 0;
  if (std::isinf(p)) {
    acc = norms[0];
    for (double v : norms) {
      if (std::isnan(v) || std::isnan(acc)) return std::nan("");
      acc = p > 0 ? std::max(acc, v) : std::min(acc, v);
    }
    return acc;
  }
  if (p == 0) {
    for (double v : norms) acc += v != 0 ? 1.0 : 0.0;
    return acc;
  }
  for (double v : norms) acc += std::pow(std::abs(v), p);
  return p == 1 ? acc : p == 2 ? std::sqrt(acc) : std::pow(acc, 1.0 / p);
}

double total_norm_of(const std::vector<Tensor>& grads, double norm_type, bool error_if_nonfinite, const char* who) {
  std::vector<double> norms;
  for (const auto& g : grads) {
    Tensor c = g.is_contiguous() ? g : g.contiguous();
    norms.push_back(kernels::vec_norm_kernel.get(c.device().type(), c.dtype())(c.data_ptr(), c.numel(), norm_type));
  }
  double total = combine(norms, norm_type);
  FX_CHECK(!error_if_nonfinite || std::isfinite(total), who, ": the total norm of order ", norm_type,
           " for gradients from `parameters` is non-finite, so it cannot be clipped. To disable this error and "
           "scale the gradients by the non-finite norm anyway, set error_if_nonfinite = false");
  return total;
}

}  // namespace

double get_total_norm(const std::vector<Tensor>& parameters, double norm_type, bool error_if_nonfinite) {
  return total_norm_of(defined_grads(parameters, "get_total_norm"), norm_type, error_if_nonfinite, "get_total_norm");
}

double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type,
                       bool error_if_nonfinite) {
  auto grads = defined_grads(parameters, "clip_grad_norm_");
  if (grads.empty()) return 0.0;
  double total = total_norm_of(grads, norm_type, error_if_nonfinite, "clip_grad_norm_");
  double coef = std::min(max_norm / (total + 1e-6), 1.0);
  if (std::isnan(total)) coef = total;  // torch.clamp keeps NaN
  for (const auto& g : grads)
    update_in_place(g, [&](const Tensor& c) {
      kernels::vec_scale_kernel.get(c.device().type(), c.dtype())(c.data_ptr(), c.data_ptr(), coef, c.numel());
    });
  return total;
}

double clip_grad_norm_(const Tensor& parameter, double max_norm, double norm_type, bool error_if_nonfinite) {
  return clip_grad_norm_(std::vector<Tensor>{parameter}, max_norm, norm_type, error_if_nonfinite);
}

void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value) {
  for (const auto& g : defined_grads(parameters, "clip_grad_value_"))
    update_in_place(g, [&](const Tensor& c) {
      kernels::vec_clamp_kernel.get(c.device().type(), c.dtype())(c.data_ptr(), -clip_value, clip_value, c.numel());
    });
}

void clip_grad_value_(const Tensor& parameter, double clip_value) {
  clip_grad_value_(std::vector<Tensor>{parameter}, clip_value);
}

}  // namespace fluxion::optim
