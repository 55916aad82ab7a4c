// Pooling (torch.nn.functional.max_pool1d/2d, avg_pool1d/2d, adaptive_*_pool1d/2d,
// max_unpool1d/2d). Inputs are (N, C, L) / (N, C, H, W) or without the batch dim. f32 and f64
// compute natively, f16/bf16 through f32. Differentiable to any order, with forward mode.
// A one-element kernel_size/stride/padding/dilation applies to every spatial dim; an empty
// stride means stride = kernel_size (PyTorch's default).
#pragma once

#include <cstdint>
#include <optional>
#include <tuple>

#include "fluxion/tensor.h"

namespace fluxion::nn::functional {

/// Max over sliding windows of a (N, C, L) input.
Tensor max_pool1d(const Tensor& input, const DimList& kernel_size, const DimList& stride = {},
                  const DimList& padding = 0, const DimList& dilation = 1, bool ceil_mode = false);
/// max_pool1d and the int64 position of each maximum within its input row (for max_unpool1d).
std::tuple<Tensor, Tensor> max_pool1d_with_indices(const Tensor& input, const DimList& kernel_size,
                                                   const DimList& stride = {}, const DimList& padding = 0,
                                                   const DimList& dilation = 1, bool ceil_mode = false);
/// Max over sliding windows of a (N, C, H, W) input.
Tensor max_pool2d(const Tensor& input, const DimList& kernel_size, const DimList& stride = {},
                  const DimList& padding = 0, const DimList& dilation = 1, bool ceil_mode = false);
/// max_pool2d and the flat int64 position h * W + w of each maximum in its input plane.
std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input, const DimList& kernel_size,
                                                   const DimList& stride = {}, const DimList& padding = 0,
                                                   const DimList& dilation = 1, bool ceil_mode = false);

/// Mean over sliding windows of a (N, C, L) input; count_include_pad counts zero padding in the divisor.
Tensor avg_pool1d(const Tensor& input, const DimList& kernel_size, const DimList& stride = {},
                  const DimList& padding = 0, bool ceil_mode = false, bool count_include_pad = true);
/// Mean over sliding windows of a (N, C, H, W) input; divisor_override replaces the window size.
Tensor avg_pool2d(const Tensor& input, const DimList& kernel_size, const DimList& stride = {},
                  const DimList& padding = 0, bool ceil_mode = false, bool count_include_pad = true,
                  std::optional<int64_t> divisor_override = std::nullopt);

/// Average pooling to a fixed output length (windows [floor(i*L/O), ceil((i+1)*L/O))).
Tensor adaptive_avg_pool1d(const Tensor& input, const DimList& output_size);
/// Average pooling to a fixed (OH, OW); an entry of -1 keeps that input size (PyTorch's None).
Tensor adaptive_avg_pool2d(const Tensor& input, const DimList& output_size);
/// Max pooling to a fixed output length.
Tensor adaptive_max_pool1d(const Tensor& input, const DimList& output_size);
std::tuple<Tensor, Tensor> adaptive_max_pool1d_with_indices(const Tensor& input, const DimList& output_size);
/// Max pooling to a fixed (OH, OW); an entry of -1 keeps that input size.
Tensor adaptive_max_pool2d(const Tensor& input, const DimList& output_size);
std::tuple<Tensor, Tensor> adaptive_max_pool2d_with_indices(const Tensor& input, const DimList& output_size);

/// Partial inverse of max_pool1d: places each value at its index in a zero row of the output
/// length (default (L - 1) * stride - 2 * padding + kernel_size, or the last dim of output_size).
Tensor max_unpool1d(const Tensor& input, const Tensor& indices, const DimList& kernel_size, const DimList& stride = {},
                    const DimList& padding = 0, const DimList& output_size = {});
/// Partial inverse of max_pool2d (output (H - 1) * stride - 2 * padding + kernel_size per dim, or
/// the last two entries of output_size).
Tensor max_unpool2d(const Tensor& input, const Tensor& indices, const DimList& kernel_size, const DimList& stride = {},
                    const DimList& padding = 0, const DimList& output_size = {});

}  // namespace fluxion::nn::functional
