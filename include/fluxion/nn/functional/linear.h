// Affine maps (torch.nn.functional.linear / bilinear).
#pragma once

#include "fluxion/tensor.h"

namespace fluxion::nn::functional {

/// x @ weight^T + bias for x of sizes (*, in), weight (out, in), bias (out) or undefined.
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor());
/// y_o = x1^T A_o x2 + b_o for x1 (*, in1), x2 (*, in2), weight (out, in1, in2), bias (out) or undefined.
Tensor bilinear(const Tensor& x1, const Tensor& x2, const Tensor& weight, const Tensor& bias = Tensor());

}  // namespace fluxion::nn::functional
