// Parameter initialisation (torch.nn.init). Every function fills its argument in place without
// recording a graph and returns it; `gen` defaults to the global generator.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "fluxion/random.h"
#include "fluxion/tensor.h"

namespace fluxion::nn::init {

/// Recommended gain for a nonlinearity: "linear", "conv1d".."conv3d", "conv_transpose1d".."3d",
/// "sigmoid" -> 1; "tanh" -> 5/3; "relu" -> sqrt(2); "leaky_relu" -> sqrt(2 / (1 + slope^2))
/// (slope = param, default 0.01); "selu" -> 3/4.
double calculate_gain(const std::string& nonlinearity, std::optional<double> param = std::nullopt);
/// {fan_in, fan_out}: sizes(1) * receptive field and sizes(0) * receptive field (needs dim >= 2).
std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& t);

/// U(a, b).
Tensor uniform_(Tensor t, double a = 0.0, double b = 1.0, Generator* gen = nullptr);
/// N(mean, std^2).
Tensor normal_(Tensor t, double mean = 0.0, double std = 1.0, Generator* gen = nullptr);
/// N(mean, std^2) truncated to [a, b] (inverse-CDF sampling, as PyTorch).
Tensor trunc_normal_(Tensor t, double mean = 0.0, double std = 1.0, double a = -2.0, double b = 2.0,
                     Generator* gen = nullptr);
Tensor constant_(Tensor t, double value);
Tensor zeros_(Tensor t);
Tensor ones_(Tensor t);
/// Identity matrix (2-d tensors only).
Tensor eye_(Tensor t);
/// Dirac delta for 3/4/5-d convolution weights: preserves the identity of the inputs (per group).
Tensor dirac_(Tensor t, int64_t groups = 1);
/// U(-r, r) with r = gain * sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio).
Tensor xavier_uniform_(Tensor t, double gain = 1.0, Generator* gen = nullptr);
/// N(0, s^2) with s = gain * sqrt(2 / (fan_in + fan_out)).
Tensor xavier_normal_(Tensor t, double gain = 1.0, Generator* gen = nullptr);
/// U(-r, r) with r = gain * sqrt(3 / fan), gain = calculate_gain(nonlinearity, a) (He et al.).
/// mode: "fan_in" (preserves forward variance) or "fan_out" (backward).
Tensor kaiming_uniform_(Tensor t, double a = 0.0, const std::string& mode = "fan_in",
                        const std::string& nonlinearity = "leaky_relu", Generator* gen = nullptr);
/// N(0, s^2) with s = gain / sqrt(fan).
Tensor kaiming_normal_(Tensor t, double a = 0.0, const std::string& mode = "fan_in",
                       const std::string& nonlinearity = "leaky_relu", Generator* gen = nullptr);
/// A (semi-)orthogonal matrix times gain (the tensor is viewed as sizes(0) x rest); QR of a
/// Gaussian matrix in float64 with the sign fix that makes Q uniformly (Haar) distributed.
Tensor orthogonal_(Tensor t, double gain = 1.0, Generator* gen = nullptr);
/// Sets each column to zero except a random fraction (1 - sparsity) drawn N(0, std^2) (2-d only).
Tensor sparse_(Tensor t, double sparsity, double std = 0.01, Generator* gen = nullptr);

}  // namespace fluxion::nn::init
