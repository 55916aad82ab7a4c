// Embedding lookups (torch.nn.functional.embedding / embedding_bag).
#pragma once

#include <optional>
#include <string>

#include "fluxion/tensor.h"

namespace fluxion::nn::functional {

/// Rows of `weight` (num_embeddings, dim) picked by integer `indices` of any shape -> (*indices, dim).
/// padding_idx: that row receives no gradient. max_norm: rows looked up whose p-norm (norm_type)
/// exceeds max_norm are renormalised in place first (under no-grad, as PyTorch).
/// scale_grad_by_freq: each row's gradient is divided by how often it occurs in `indices`.
Tensor embedding(const Tensor& indices, const Tensor& weight, std::optional<int64_t> padding_idx = std::nullopt,
                 std::optional<double> max_norm = std::nullopt, double norm_type = 2.0,
                 bool scale_grad_by_freq = false);

/// Sums, averages or maxes bags of embeddings without materialising them one by one.
/// indices 2-d (B, L): each row is a bag (offsets must be undefined). indices 1-d with offsets (B)
/// (or B + 1 with include_last_offset): bag b is indices[offsets[b] : offsets[b + 1]].
/// per_sample_weights (same shape as indices) scale each embedding (mode "sum" only).
/// Entries equal to padding_idx are left out of their bag; an empty bag gives zeros. -> (B, dim)
Tensor embedding_bag(const Tensor& indices, const Tensor& weight, const Tensor& offsets = Tensor(),
                     std::optional<double> max_norm = std::nullopt, double norm_type = 2.0,
                     const std::string& mode = "mean", const Tensor& per_sample_weights = Tensor(),
                     bool include_last_offset = false, std::optional<int64_t> padding_idx = std::nullopt);

}  // namespace fluxion::nn::functional
