// Normalisation (torch.nn.functional.batch_norm, layer_norm, group_norm, instance_norm,
// local_response_norm). Inputs are (N, C, *). f32 and f64 compute natively, f16/bf16 through f32.
// Differentiable to any order (first-order backward runs a fused kernel; when a graph of the
// backward is requested it is built from differentiable ops), with forward mode.
#pragma once

#include <cstdint>

#include "fluxion/tensor.h"

namespace fluxion::nn::functional {

/// Batch normalisation over (N, *spatial) per channel of an (N, C, *) input.
/// training: normalises with the batch statistics and, when running_mean/running_var are
/// defined, updates them in place: r = (1 - momentum) * r + momentum * stat, with the unbiased
/// batch variance for running_var (as PyTorch). Eval (training = false): normalises with the
/// running statistics (which must be defined). weight/bias: per-channel affine, or undefined.
Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                  const Tensor& weight = Tensor(), const Tensor& bias = Tensor(), bool training = false,
                  double momentum = 0.1, double eps = 1e-5);

/// Normalises over the trailing dims `normalized_shape` of the input; weight/bias (of that
/// shape) are an elementwise affine, or undefined.
Tensor layer_norm(const Tensor& input, const Shape& normalized_shape, const Tensor& weight = Tensor(),
                  const Tensor& bias = Tensor(), double eps = 1e-5);

/// Normalises each of `num_groups` channel groups of every sample of an (N, C, *) input;
/// weight/bias: per-channel affine (C), or undefined.
Tensor group_norm(const Tensor& input, int64_t num_groups, const Tensor& weight = Tensor(),
                  const Tensor& bias = Tensor(), double eps = 1e-5);

/// Normalises each channel of each sample of an (N, C, *) input over its spatial dims
/// (use_input_stats), updating running stats if defined; or, with use_input_stats = false,
/// normalises with the running statistics.
Tensor instance_norm(const Tensor& input, const Tensor& running_mean = Tensor(), const Tensor& running_var = Tensor(),
                     const Tensor& weight = Tensor(), const Tensor& bias = Tensor(), bool use_input_stats = true,
                     double momentum = 0.1, double eps = 1e-5);

/// Local response normalisation across channels (AlexNet):
///   y = x / (k + alpha / size * sum over a window of `size` neighbouring channels of x^2)^beta.
Tensor local_response_norm(const Tensor& input, int64_t size, double alpha = 1e-4, double beta = 0.75, double k = 1.0);

}  // namespace fluxion::nn::functional
