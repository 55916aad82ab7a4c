// Activation functions (torch.nn.functional). The elementwise ones are the tensor core's ops;
// the rest (prelu, softmax family, glu, shrinkage) are compositions of differentiable ops.
#pragma once

#include <optional>
#include <string>

#include "fluxion/ops/pointwise.h"
#include "fluxion/ops/reduce.h"
#include "fluxion/tensor.h"

namespace fluxion::nn::functional {

/// max(x, 0); inplace modifies x.
Tensor relu(const Tensor& x, bool inplace = false);
/// min(max(x, 0), 6).
Tensor relu6(const Tensor& x);
Tensor leaky_relu(const Tensor& x, double negative_slope = 0.01);
Tensor elu(const Tensor& x, double alpha = 1.0);
Tensor selu(const Tensor& x);
Tensor celu(const Tensor& x, double alpha = 1.0);
/// approximate: "none" (erf) or "tanh".
Tensor gelu(const Tensor& x, const std::string& approximate = "none");
Tensor silu(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor tanh(const Tensor& x);
/// log(1 + exp(beta x)) / beta; linear above `threshold`.
Tensor softplus(const Tensor& x, double beta = 1.0, double threshold = 20.0);
Tensor mish(const Tensor& x);
Tensor hardtanh(const Tensor& x, double min_val = -1.0, double max_val = 1.0);
Tensor hardsigmoid(const Tensor& x);
Tensor hardswish(const Tensor& x);
Tensor softsign(const Tensor& x);
Tensor tanhshrink(const Tensor& x);
Tensor logsigmoid(const Tensor& x);
/// x where x > threshold, else `value`.
Tensor threshold(const Tensor& x, double threshold, double value);
/// x where |x| > lambd, else 0.
Tensor hardshrink(const Tensor& x, double lambd = 0.5);
/// x - lambd * sign(x) where |x| > lambd, else 0.
Tensor softshrink(const Tensor& x, double lambd = 0.5);
/// x where x >= 0, else weight * x; weight has 1 or C = x.size(1) elements (channel dim 1).
Tensor prelu(const Tensor& x, const Tensor& weight);
/// Gated linear unit: a * sigmoid(b) for the two halves of `dim`.
Tensor glu(const Tensor& x, int64_t dim = -1);
Tensor softmax(const Tensor& x, int64_t dim, std::optional<DType> dtype = std::nullopt);
Tensor log_softmax(const Tensor& x, int64_t dim, std::optional<DType> dtype = std::nullopt);
/// softmax(-x).
Tensor softmin(const Tensor& x, int64_t dim, std::optional<DType> dtype = std::nullopt);
/// Samples from Gumbel-softmax(logits / tau); hard=true returns one-hot with the soft gradient
/// (straight-through estimator).
Tensor gumbel_softmax(const Tensor& logits, double tau = 1.0, bool hard = false, int64_t dim = -1);
/// x / max(||x||_p over dim, eps).
Tensor normalize(const Tensor& x, double p = 2.0, int64_t dim = 1, double eps = 1e-12);

}  // namespace fluxion::nn::functional
