// Dropout variants (torch.nn.functional). In training, kept elements are scaled by 1 / (1 - p) so
// the expected value is unchanged; with training=false they are the identity.
#pragma once

#include "fluxion/random.h"
#include "fluxion/tensor.h"

namespace fluxion::nn::functional {

/// Zeroes each element with probability p. inplace writes into x (must not need a graph).
Tensor dropout(const Tensor& x, double p = 0.5, bool training = true, bool inplace = false, Generator* gen = nullptr);
/// Zeroes whole channels (dim 1 of (N, C, L), or dim 0 of an unbatched (C, L)).
Tensor dropout1d(const Tensor& x, double p = 0.5, bool training = true, Generator* gen = nullptr);
/// Zeroes whole channels of (N, C, H, W) or unbatched (C, H, W); a 3-d input is read as (N, C, L)
/// as PyTorch does.
Tensor dropout2d(const Tensor& x, double p = 0.5, bool training = true, Generator* gen = nullptr);
/// Zeroes whole channels of (N, C, D, H, W) or unbatched (C, D, H, W).
Tensor dropout3d(const Tensor& x, double p = 0.5, bool training = true, Generator* gen = nullptr);
/// Dropout that keeps SELU's self-normalising mean and variance (dropped values go to -alpha' and
/// an affine correction is applied).
Tensor alpha_dropout(const Tensor& x, double p = 0.5, bool training = false, Generator* gen = nullptr);
/// Alpha dropout of whole channels (dim 1).
Tensor feature_alpha_dropout(const Tensor& x, double p = 0.5, bool training = false, Generator* gen = nullptr);

}  // namespace fluxion::nn::functional
