// Regression and distribution losses: mse, l1, smooth_l1, huber, poisson_nll, gaussian_nll, kl_div.
#include <cmath>

#include "fluxion/autograd.h"
#include "fluxion/nn/functional/loss.h"
#include "fluxion/ops/creation.h"
#include "fluxion/ops/pointwise.h"
#include "nn/loss_util.h"

namespace fluxion::nn::functional {

using detail::check_floating;
using detail::check_reduction;
using detail::check_same_sizes;
using detail::reduce;

Tensor mse_loss(const Tensor& input, const Tensor& target, const std::string& reduction) {
  check_reduction(reduction, "mse_loss");
  check_same_sizes(input, target, "mse_loss");
  check_floating(input, "mse_loss", "input");
  return reduce(square(input - target), reduction);
}

Tensor l1_loss(const Tensor& input, const Tensor& target, const std::string& reduction) {
  check_reduction(reduction, "l1_loss");
  check_same_sizes(input, target, "l1_loss");
  check_floating(input, "l1_loss", "input");
  return reduce(abs(input - target), reduction);
}

Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, const std::string& reduction, double beta) {
  check_reduction(reduction, "smooth_l1_loss");
  check_same_sizes(input, target, "smooth_l1_loss");
  check_floating(input, "smooth_l1_loss", "input");
  FX_CHECK(beta >= 0, "smooth_l1_loss: beta must be non-negative, got ", beta);
  Tensor d = input - target;
  if (beta == 0.0) return reduce(abs(d), reduction);
  Tensor ad = abs(d);
  return reduce(where(ad < beta, square(d) * (0.5 / beta), ad - 0.5 * beta), reduction);
}

Tensor huber_loss(const Tensor& input, const Tensor& target, const std::string& reduction, double delta) {
  check_reduction(reduction, "huber_loss");
  check_same_sizes(input, target, "huber_loss");
  check_floating(input, "huber_loss", "input");
  FX_CHECK(delta > 0, "huber_loss: delta must be positive, got ", delta);
  Tensor d = input - target;
  Tensor ad = abs(d);
  return reduce(where(ad < delta, square(d) * 0.5, (ad - 0.5 * delta) * delta), reduction);
}

Tensor poisson_nll_loss(const Tensor& input, const Tensor& target, bool log_input, bool full, double eps,
                        const std::string& reduction) {
  check_reduction(reduction, "poisson_nll_loss");
  check_same_sizes(input, target, "poisson_nll_loss");
  check_floating(input, "poisson_nll_loss", "input");
  Tensor loss = log_input ? exp(input) - target * input : input - target * log(input + eps);
  if (full) {
    // Stirling's approximation of log(target!), only where target > 1 (safe value elsewhere keeps
    // the gradient finite).
    Tensor safe = where(target > 1, target, ones_like(target));
    Tensor stirling = safe * log(safe) - safe + 0.5 * log(safe * (2 * M_PI));
    loss = loss + where(target > 1, stirling, zeros_like(stirling));
  }
  return reduce(loss, reduction);
}

Tensor gaussian_nll_loss(const Tensor& input, const Tensor& target, const Tensor& var, bool full, double eps,
                         const std::string& reduction) {
  check_reduction(reduction, "gaussian_nll_loss");
  check_same_sizes(input, target, "gaussian_nll_loss");
  detail::check_defined(var, "gaussian_nll_loss", "var");
  Tensor v = var;
  if (v.sizes() != input.sizes()) {
    Shape lead(input.sizes().begin(), input.sizes().end() - (input.dim() > 0 ? 1 : 0));
    if (input.dim() > 0 && v.sizes() == lead) {
      v = v.unsqueeze(-1);  // one variance per sample (homoscedastic over the last dim)
    } else {
      Shape vlead(v.sizes().begin(), v.sizes().end() - (v.dim() > 0 ? 1 : 0));
      FX_CHECK(v.dim() == input.dim() && vlead == lead && v.size(-1) == 1, "gaussian_nll_loss: var of sizes ",
               var.sizes(), " does not fit input of sizes ", input.sizes(),
               " (expected the input's sizes, those with the last dim 1, or those without the last dim)");
    }
  }
  FX_CHECK(!(v < 0).any().item<bool>(), "gaussian_nll_loss: var has negative entries");
  // Clamp for stability without changing the gradient (PyTorch clamps a clone under no_grad).
  Tensor vc = v + (v.clamp_min(eps) - v).detach();
  Tensor loss = 0.5 * (log(vc) + square(input - target) / vc);
  if (full) loss = loss + 0.5 * std::log(2 * M_PI);
  return reduce(loss, reduction);
}

Tensor kl_div(const Tensor& input, const Tensor& target, const std::string& reduction, bool log_target) {
  check_reduction(reduction, "kl_div", /*allow_batchmean=*/true);
  check_same_sizes(input, target, "kl_div");
  check_floating(input, "kl_div", "input");
  Tensor loss;
  if (log_target) {
    loss = exp(target) * (target - input);
  } else {
    // xlogy(t, t) - t * input; log(1) = 0 where t == 0 keeps both value and gradient finite.
    Tensor safe = where(target == 0, ones_like(target), target);
    loss = target * log(safe) - target * input;
  }
  if (reduction == "batchmean") {
    Tensor s = loss.sum();
    return input.dim() == 0 ? s : s / static_cast<double>(input.size(0));
  }
  return reduce(loss, reduction);
}

}  // namespace fluxion::nn::functional
