// nn::functional dropout variants, composed from bernoulli masks and multiplications (so the
// gradient is the mask times the scale, for free).
#include "fluxion/nn/functional/dropout.h"

#include <cmath>

#include "fluxion/autograd.h"
#include "fluxion/error.h"
#include "fluxion/ops/creation.h"
#include "fluxion/ops/pointwise.h"

namespace fluxion::nn::functional {

namespace {
void check_p(double p, const char* op) {
  FX_CHECK(p >= 0.0 && p <= 1.0, op, ": dropout probability has to be between 0 and 1, but got ", p);
}

/// A mask of 0/1 keep decisions (probability 1 - p) of `shape`, in x's dtype.
Tensor keep_mask(const Tensor& x, const Shape& shape, double p, Generator* gen) {
  Tensor like = empty(shape, x.options());
  return bernoulli(like, 1.0 - p, gen);
}

/// Mask shape for channel-wise dropout: (N, C, 1, ...) or, for an unbatched input, (C, 1, ...).
Shape feature_shape(const Tensor& x, bool batched) {
  Shape s(static_cast<size_t>(x.dim()), 1);
  s[0] = x.size(0);
  if (batched) s[1] = x.size(1);
  return s;
}

Tensor feature_dropout(const Tensor& x, double p, bool training, bool batched, Generator* gen) {
  if (!training || p == 0.0 || x.numel() == 0) return x;
  if (p == 1.0) return x * 0.0;
  Tensor mask = keep_mask(x, feature_shape(x, batched), p, gen);
  return x * (mask * (1.0 / (1.0 - p)));
}

Tensor alpha_dropout_impl(const Tensor& x, double p, bool training, const Shape& mask_shape, Generator* gen) {
  if (!training || p == 0.0 || x.numel() == 0) return x;
  if (p == 1.0) return x * 0.0;
  // PyTorch's constants: alpha' = -scale * alpha of SELU, and (a, b) restore zero mean / unit variance.
  constexpr double alpha = 1.7580993408473766;
  const double a = 1.0 / std::sqrt((alpha * alpha * p + 1.0) * (1.0 - p));
  Tensor keep = keep_mask(x, mask_shape, p, gen);
  Tensor b = (keep - 1.0) * (alpha * a) + alpha * a * p;
  return x * (keep * a) + b;
}
}  // namespace

Tensor dropout(const Tensor& x, double p, bool training, bool inplace, Generator* gen) {
  check_p(p, "dropout");
  FX_CHECK(x.is_floating_point(), "dropout: expected a floating-point input, got ", x.dtype());
  if (!training || p == 0.0 || x.numel() == 0) return x;
  if (inplace) {
    Tensor y = x;
    if (p == 1.0) return y.mul_(0.0);
    Tensor mask = keep_mask(x, x.sizes(), p, gen);
    return y.mul_(mask * (1.0 / (1.0 - p)));
  }
  if (p == 1.0) return x * 0.0;
  Tensor mask = keep_mask(x, x.sizes(), p, gen);
  return x * (mask * (1.0 / (1.0 - p)));
}

Tensor dropout1d(const Tensor& x, double p, bool training, Generator* gen) {
  check_p(p, "dropout1d");
  FX_CHECK(x.dim() == 2 || x.dim() == 3, "dropout1d: expected a 2-d (C, L) or 3-d (N, C, L) input, got sizes ",
           x.sizes());
  return feature_dropout(x, p, training, x.dim() == 3, gen);
}

Tensor dropout2d(const Tensor& x, double p, bool training, Generator* gen) {
  check_p(p, "dropout2d");
  FX_CHECK(x.dim() == 3 || x.dim() == 4, "dropout2d: expected a 3-d or 4-d (N, C, H, W) input, got sizes ", x.sizes());
  // A 3-d input is taken as (N, C, L) (channel-wise 1-d dropout), PyTorch's backward-compatible reading.
  return feature_dropout(x, p, training, /*batched=*/true, gen);
}

Tensor dropout3d(const Tensor& x, double p, bool training, Generator* gen) {
  check_p(p, "dropout3d");
  FX_CHECK(x.dim() == 4 || x.dim() == 5,
           "dropout3d: expected a 4-d (C, D, H, W) or 5-d (N, C, D, H, W) input, got sizes ", x.sizes());
  return feature_dropout(x, p, training, x.dim() == 5, gen);
}

Tensor alpha_dropout(const Tensor& x, double p, bool training, Generator* gen) {
  check_p(p, "alpha_dropout");
  FX_CHECK(x.is_floating_point(), "alpha_dropout: expected a floating-point input, got ", x.dtype());
  return alpha_dropout_impl(x, p, training, x.sizes(), gen);
}

Tensor feature_alpha_dropout(const Tensor& x, double p, bool training, Generator* gen) {
  check_p(p, "feature_alpha_dropout");
  FX_CHECK(x.dim() >= 2, "feature_alpha_dropout: expected an input with at least 2 dims (N, C, ...), got sizes ",
           x.sizes());
  return alpha_dropout_impl(x, p, training, feature_shape(x, true), gen);
}

}  // namespace fluxion::nn::functional
