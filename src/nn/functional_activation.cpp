// nn::functional activations: forwards to the tensor core's elementwise ops, compositions for the rest.
#include "fluxion/nn/functional/activation.h"

#include "fluxion/error.h"
#include "fluxion/ops/creation.h"
#include "fluxion/ops/index.h"
#include "fluxion/random.h"

namespace fluxion::nn::functional {

Tensor relu(const Tensor& x, bool inplace) {
  if (inplace) {
    Tensor y = x;
    fluxion::relu_(y);
    return y;
  }
  return fluxion::relu(x);
}
Tensor relu6(const Tensor& x) { return fluxion::relu6(x); }
Tensor leaky_relu(const Tensor& x, double negative_slope) { return fluxion::leaky_relu(x, negative_slope); }
Tensor elu(const Tensor& x, double alpha) { return fluxion::elu(x, alpha); }
Tensor selu(const Tensor& x) { return fluxion::selu(x); }
Tensor celu(const Tensor& x, double alpha) {
  FX_CHECK(alpha != 0.0, "celu: alpha must not be 0");
  return fluxion::celu(x, alpha);
}
Tensor gelu(const Tensor& x, const std::string& approximate) {
  FX_CHECK(approximate == "none" || approximate == "tanh", "gelu: approximate must be 'none' or 'tanh', got '",
           approximate, "'");
  return fluxion::gelu(x, approximate);
}
Tensor silu(const Tensor& x) { return fluxion::silu(x); }
Tensor sigmoid(const Tensor& x) { return fluxion::sigmoid(x); }
Tensor tanh(const Tensor& x) { return fluxion::tanh(x); }
Tensor softplus(const Tensor& x, double beta, double threshold) { return fluxion::softplus(x, beta, threshold); }
Tensor mish(const Tensor& x) { return fluxion::mish(x); }
Tensor hardtanh(const Tensor& x, double min_val, double max_val) {
  FX_CHECK(min_val <= max_val, "hardtanh: min_val (", min_val, ") must not exceed max_val (", max_val, ")");
  return fluxion::hardtanh(x, min_val, max_val);
}
Tensor hardsigmoid(const Tensor& x) { return fluxion::hardsigmoid(x); }
Tensor hardswish(const Tensor& x) { return fluxion::hardswish(x); }
Tensor softsign(const Tensor& x) { return fluxion::softsign(x); }
Tensor tanhshrink(const Tensor& x) { return fluxion::tanhshrink(x); }
Tensor logsigmoid(const Tensor& x) { return fluxion::logsigmoid(x); }

Tensor threshold(const Tensor& x, double threshold, double value) {
  return fluxion::where(x > threshold, x, full_like(x, value));
}

Tensor hardshrink(const Tensor& x, double lambd) {
  FX_CHECK(lambd >= 0, "hardshrink: lambd must be non-negative, got ", lambd);
  return fluxion::where(fluxion::abs(x) > lambd, x, zeros_like(x));
}

Tensor softshrink(const Tensor& x, double lambd) {
  FX_CHECK(lambd >= 0, "softshrink: lambd must be non-negative, got ", lambd);
  Tensor zero = zeros_like(x);
  return fluxion::where(x > lambd, x - lambd, fluxion::where(x < -lambd, x + lambd, zero));
}

Tensor prelu(const Tensor& x, const Tensor& weight) {
  FX_CHECK(x.defined() && weight.defined(), "prelu: input and weight must be defined");
  FX_CHECK(x.is_floating_point(), "prelu: expected a floating-point input, got ", x.dtype());
  int64_t n = weight.numel();
  Tensor w = weight;
  if (n != 1) {
    FX_CHECK(x.dim() >= 1, "prelu: weight has ", n, " elements but the input is 0-d");
    int64_t channels = x.dim() >= 2 ? x.size(1) : x.size(0);
    FX_CHECK(weight.dim() == 1 && n == channels, "prelu: weight of sizes ", weight.sizes(),
             " must have 1 or input.size(1) = ", channels, " elements (input sizes ", x.sizes(), ")");
    // Broadcast along the channel dim (1, or 0 for a 1-d input).
    Shape shape(static_cast<size_t>(x.dim()), 1);
    shape[x.dim() >= 2 ? 1 : 0] = n;
    w = weight.reshape(shape);
  } else if (weight.dim() > 0) {
    w = weight.reshape({});
  }
  // PyTorch's rule: the gradient at x = 0 follows the negative branch (x > 0 picks the identity).
  return fluxion::where(x > 0, x, w * x);
}

Tensor glu(const Tensor& x, int64_t dim) {
  FX_CHECK(x.dim() > 0, "glu: does not support 0-d tensors");
  int64_t d = dim < 0 ? dim + x.dim() : dim;
  FX_CHECK(d >= 0 && d < x.dim(), "glu: dim ", dim, " out of range for a ", x.dim(), "-d input");
  FX_CHECK(x.size(d) % 2 == 0, "glu: halving dimension ", dim, " must be even, got size ", x.size(d));
  int64_t h = x.size(d) / 2;
  return x.narrow(d, 0, h) * fluxion::sigmoid(x.narrow(d, h, h));
}

Tensor softmax(const Tensor& x, int64_t dim, std::optional<DType> dtype) { return fluxion::softmax(x, dim, dtype); }
Tensor log_softmax(const Tensor& x, int64_t dim, std::optional<DType> dtype) {
  return fluxion::log_softmax(x, dim, dtype);
}
Tensor softmin(const Tensor& x, int64_t dim, std::optional<DType> dtype) { return fluxion::softmax(-x, dim, dtype); }

Tensor gumbel_softmax(const Tensor& logits, double tau, bool hard, int64_t dim) {
  FX_CHECK(logits.is_floating_point(), "gumbel_softmax: expected floating-point logits, got ", logits.dtype());
  FX_CHECK(tau > 0, "gumbel_softmax: tau must be positive, got ", tau);
  Tensor e = empty(logits.sizes(), logits.options());
  exponential_(e);
  Tensor gumbels = -fluxion::log(e);  // Gumbel(0, 1)
  Tensor y_soft = fluxion::softmax((logits + gumbels) / tau, dim);
  if (!hard) return y_soft;
  Tensor index = y_soft.argmax(dim, /*keepdim=*/true);
  Tensor y_hard = zeros_like(logits).scatter(dim, index, 1.0);
  // Straight-through: the value is one-hot, the gradient is that of y_soft.
  return y_hard - y_soft.detach() + y_soft;
}

Tensor normalize(const Tensor& x, double p, int64_t dim, double eps) {
  FX_CHECK(x.dim() > 0, "normalize: does not support 0-d tensors");
  Tensor n = fluxion::norm(x, p, DimList{dim}, /*keepdim=*/true).clamp_min(eps);
  return x / n;
}

}  // namespace fluxion::nn::functional
