// Embedding and EmbeddingBag modules.
#include "fluxion/nn/embedding.h"

#include <ostream>

#include "fluxion/nn/init.h"
#include "fluxion/ops/creation.h"

namespace fluxion::nn {

namespace {
std::optional<int64_t> check_padding(std::optional<int64_t> p, int64_t num, const char* who) {
  if (!p) return p;
  FX_CHECK(*p >= -num && *p < num, who, ": padding_idx ", *p, " must be within num_embeddings = ", num);
  return *p < 0 ? *p + num : *p;
}

void zero_row(Tensor& w, std::optional<int64_t> row) {
  if (!row) return;
  NoGradGuard g;
  w.select(0, *row).fill_(0.0);
}
}  // namespace

EmbeddingImpl::EmbeddingImpl(const EmbeddingOptions& opts) : options(opts) {
  FX_CHECK(opts.num_embeddings() >= 0 && opts.embedding_dim() >= 0, "Embedding: sizes must be non-negative, got ",
           opts.num_embeddings(), " x ", opts.embedding_dim());
  options.padding_idx(check_padding(opts.padding_idx(), opts.num_embeddings(), "Embedding"));
  weight = register_parameter("weight", empty({opts.num_embeddings(), opts.embedding_dim()}));
  reset_parameters();
}

void EmbeddingImpl::reset_parameters() {
  init::normal_(weight);
  zero_row(weight, options.padding_idx());
}

void EmbeddingImpl::pretty_print(std::ostream& os) const {
  os << "Embedding(" << options.num_embeddings() << ", " << options.embedding_dim();
  if (options.padding_idx()) os << ", padding_idx=" << *options.padding_idx();
  if (options.max_norm()) os << ", max_norm=" << *options.max_norm();
  os << ")";
}

Tensor EmbeddingImpl::forward(const Tensor& indices) {
  return functional::embedding(indices, weight, options.padding_idx(), options.max_norm(), options.norm_type(),
                               options.scale_grad_by_freq());
}

Embedding Embedding::from_pretrained(const Tensor& embeddings, bool freeze, std::optional<int64_t> padding_idx,
                                     std::optional<double> max_norm) {
  FX_CHECK(embeddings.defined() && embeddings.dim() == 2,
           "Embedding::from_pretrained: embeddings must be 2-d (num_embeddings, embedding_dim)");
  Embedding e(EmbeddingOptions(embeddings.size(0), embeddings.size(1)).padding_idx(padding_idx).max_norm(max_norm));
  {
    NoGradGuard g;
    e->weight.copy_(embeddings);
  }
  e->weight.requires_grad_(!freeze);
  return e;
}

EmbeddingBagImpl::EmbeddingBagImpl(const EmbeddingBagOptions& opts) : options(opts) {
  FX_CHECK(opts.num_embeddings() >= 0 && opts.embedding_dim() >= 0, "EmbeddingBag: sizes must be non-negative, got ",
           opts.num_embeddings(), " x ", opts.embedding_dim());
  FX_CHECK(opts.mode() == "sum" || opts.mode() == "mean" || opts.mode() == "max",
           "EmbeddingBag: mode must be 'sum', 'mean' or 'max', got '", opts.mode(), "'");
  options.padding_idx(check_padding(opts.padding_idx(), opts.num_embeddings(), "EmbeddingBag"));
  weight = register_parameter("weight", empty({opts.num_embeddings(), opts.embedding_dim()}));
  reset_parameters();
}

void EmbeddingBagImpl::reset_parameters() {
  init::normal_(weight);
  zero_row(weight, options.padding_idx());
}

void EmbeddingBagImpl::pretty_print(std::ostream& os) const {
  os << "EmbeddingBag(" << options.num_embeddings() << ", " << options.embedding_dim() << ", mode='" << options.mode()
     << "'";
  if (options.padding_idx()) os << ", padding_idx=" << *options.padding_idx();
  os << ")";
}

Tensor EmbeddingBagImpl::forward(const Tensor& indices, const Tensor& offsets, const Tensor& per_sample_weights) {
  return functional::embedding_bag(indices, weight, offsets, options.max_norm(), options.norm_type(), options.mode(),
                                   per_sample_weights, options.include_last_offset(), options.padding_idx());
}

}  // namespace fluxion::nn
