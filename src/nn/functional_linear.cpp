// nn::functional::linear / bilinear, composed from matmul (BLAS) so autograd comes from linalg.
#include "fluxion/nn/functional/linear.h"

#include "fluxion/error.h"
#include "fluxion/ops/linalg.h"
#include "fluxion/ops/pointwise.h"

namespace fluxion::nn::functional {

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  FX_CHECK(x.defined() && weight.defined(), "linear: input and weight must be defined");
  FX_CHECK(weight.dim() == 2 || weight.dim() == 1,
           "linear: weight must be 1-d or 2-d (out_features, in_features), got sizes ", weight.sizes());
  FX_CHECK(x.dim() >= 1, "linear: input must have at least 1 dimension, got a 0-d tensor");
  FX_CHECK(x.size(-1) == weight.size(-1), "linear: input sizes ", x.sizes(), " do not match weight sizes ",
           weight.sizes(), " (input.size(-1) must equal in_features = weight.size(-1))");
  if (bias.defined()) {
    int64_t out = weight.dim() == 2 ? weight.size(0) : 1;
    FX_CHECK(bias.numel() == out && bias.dim() <= 1, "linear: bias of sizes ", bias.sizes(),
             " does not match out_features = ", out);
  }
  // The common 2-d case is one fused GEMM with the bias as the accumulator.
  if (x.dim() == 2 && weight.dim() == 2 && bias.defined() && bias.dim() == 1) return addmm(bias, x, weight.t());
  Tensor y = matmul(x, weight.dim() == 2 ? weight.t() : weight);
  return bias.defined() ? y + bias : y;
}

Tensor bilinear(const Tensor& x1, const Tensor& x2, const Tensor& weight, const Tensor& bias) {
  FX_CHECK(x1.defined() && x2.defined() && weight.defined(), "bilinear: inputs and weight must be defined");
  FX_CHECK(weight.dim() == 3, "bilinear: weight must be 3-d (out, in1, in2), got sizes ", weight.sizes());
  FX_CHECK(x1.dim() >= 1 && x2.dim() == x1.dim(), "bilinear: inputs must have the same number of dimensions, got ",
           x1.sizes(), " and ", x2.sizes());
  for (int64_t d = 0; d + 1 < x1.dim(); ++d)
    FX_CHECK(x1.size(d) == x2.size(d), "bilinear: input batch dimensions differ: ", x1.sizes(), " vs ", x2.sizes());
  const int64_t out = weight.size(0), in1 = weight.size(1), in2 = weight.size(2);
  FX_CHECK(x1.size(-1) == in1 && x2.size(-1) == in2, "bilinear: input sizes ", x1.sizes(), " and ", x2.sizes(),
           " do not match weight sizes ", weight.sizes(), " (expected in1 = ", in1, ", in2 = ", in2, ")");
  if (bias.defined())
    FX_CHECK(bias.dim() == 1 && bias.size(0) == out, "bilinear: bias of sizes ", bias.sizes(),
             " does not match out_features = ", out);
  Shape batch(x1.sizes().begin(), x1.sizes().end() - 1);
  Tensor a = x1.reshape({-1, in1});                                // (B, in1)
  Tensor b = x2.reshape({-1, in2});                                // (B, in2)
  Tensor w = weight.permute({1, 0, 2}).reshape({in1, out * in2});  // (in1, out * in2)
  Tensor t = matmul(a, w).reshape({-1, out, in2});                 // (B, out, in2)
  Tensor y = matmul(t, b.unsqueeze(2)).squeeze(2);                 // (B, out)
  if (bias.defined()) y = y + bias;
  Shape out_shape = batch;
  out_shape.push_back(out);
  return y.reshape(out_shape);
}

}  // namespace fluxion::nn::functional
