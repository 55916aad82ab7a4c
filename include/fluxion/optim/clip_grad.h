// Gradient clipping (torch.nn.utils.clip_grad_norm_ / clip_grad_value_), in fluxion::optim and
// re-exported as fluxion::nn::utils.
#pragma once

#include <limits>
#include <vector>

#include "fluxion/tensor.h"

namespace fluxion::optim {

/// The norm of all gradients of `parameters` taken together (undefined gradients are skipped);
/// norm_type may be INFINITY. Throws fluxion::Error when the norm is NaN/Inf and
/// `error_if_nonfinite` is set.
double get_total_norm(const std::vector<Tensor>& parameters, double norm_type = 2.0, bool error_if_nonfinite = false);

/// Scales every gradient by min(1, max_norm / (total_norm + 1e-6)) in place and returns the total
/// norm (computed as get_total_norm). Gradients are left untouched when it throws.
double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type = 2.0,
                       bool error_if_nonfinite = false);
/// Single-tensor overload.
double clip_grad_norm_(const Tensor& parameter, double max_norm, double norm_type = 2.0,
                       bool error_if_nonfinite = false);

/// Clamps every gradient to [-clip_value, clip_value] in place.
void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value);
void clip_grad_value_(const Tensor& parameter, double clip_value);

}  // namespace fluxion::optim

namespace fluxion::nn::utils {
using optim::clip_grad_norm_;
using optim::clip_grad_value_;
using optim::get_total_norm;
}  // namespace fluxion::nn::utils
