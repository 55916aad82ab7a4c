// Embedding and EmbeddingBag: lookup tables of learnable vectors.
#pragma once

#include <optional>
#include <string>

#include "fluxion/nn/functional/embedding.h"
#include "fluxion/nn/module.h"

namespace fluxion::nn {

struct EmbeddingOptions {
  EmbeddingOptions(int64_t num_embeddings, int64_t embedding_dim)
      : num_embeddings_(num_embeddings), embedding_dim_(embedding_dim) {}
  FX_ARG(int64_t, num_embeddings);
  FX_ARG(int64_t, embedding_dim);
  FX_ARG(std::optional<int64_t>, padding_idx) = std::nullopt;
  FX_ARG(std::optional<double>, max_norm) = std::nullopt;
  FX_ARG(double, norm_type) = 2.0;
  FX_ARG(bool, scale_grad_by_freq) = false;
};

/// weight (num_embeddings, embedding_dim) ~ N(0, 1), with the padding_idx row zeroed.
class EmbeddingImpl : public ModuleImpl {
 public:
  EmbeddingImpl(int64_t num_embeddings, int64_t embedding_dim)
      : EmbeddingImpl(EmbeddingOptions(num_embeddings, embedding_dim)) {}
  explicit EmbeddingImpl(const EmbeddingOptions& options);
  std::string name() const override { return "Embedding"; }
  void pretty_print(std::ostream& os) const override;
  /// indices: int64/int32 of any shape -> (*indices, embedding_dim).
  Tensor forward(const Tensor& indices) override;
  void reset_parameters();

  EmbeddingOptions options;
  Tensor weight;  // (num_embeddings, embedding_dim)
};

/// An Embedding handle; from_pretrained builds one around given vectors.
class Embedding : public ModuleHolder<EmbeddingImpl> {
 public:
  using ModuleHolder<EmbeddingImpl>::ModuleHolder;
  /// Uses `embeddings` (copied) as the weight; freeze=true turns off its gradient.
  static Embedding from_pretrained(const Tensor& embeddings, bool freeze = true,
                                   std::optional<int64_t> padding_idx = std::nullopt,
                                   std::optional<double> max_norm = std::nullopt);
};

struct EmbeddingBagOptions {
  EmbeddingBagOptions(int64_t num_embeddings, int64_t embedding_dim)
      : num_embeddings_(num_embeddings), embedding_dim_(embedding_dim) {}
  FX_ARG(int64_t, num_embeddings);
  FX_ARG(int64_t, embedding_dim);
  FX_ARG(std::optional<double>, max_norm) = std::nullopt;
  FX_ARG(double, norm_type) = 2.0;
  /// "sum", "mean" or "max".
  FX_ARG(std::string, mode) = "mean";
  FX_ARG(bool, include_last_offset) = false;
  FX_ARG(std::optional<int64_t>, padding_idx) = std::nullopt;
};

/// Reduces bags of embeddings (see functional::embedding_bag).
class EmbeddingBagImpl : public ModuleImpl {
 public:
  EmbeddingBagImpl(int64_t num_embeddings, int64_t embedding_dim)
      : EmbeddingBagImpl(EmbeddingBagOptions(num_embeddings, embedding_dim)) {}
  explicit EmbeddingBagImpl(const EmbeddingBagOptions& options);
  std::string name() const override { return "EmbeddingBag"; }
  void pretty_print(std::ostream& os) const override;
  /// 2-d indices (B, L), or 1-d indices with offsets (B) -> (B, embedding_dim).
  Tensor forward(const Tensor& indices, const Tensor& offsets = Tensor(), const Tensor& per_sample_weights = Tensor());
  void reset_parameters();

  EmbeddingBagOptions options;
  Tensor weight;  // (num_embeddings, embedding_dim)
};
FX_MODULE(EmbeddingBag);

}  // namespace fluxion::nn
