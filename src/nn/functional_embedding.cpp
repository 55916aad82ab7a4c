// nn::functional::embedding and embedding_bag. embedding is one recorded op (forward: row
// gather; VJP: index_add of the output gradient, with the padding row masked out and optional
// frequency scaling, written with differentiable ops); embedding_bag composes it with index_add /
// scatter_reduce over bag ids.
#include "fluxion/nn/functional/embedding.h"

#include <vector>

#include "fluxion/autograd.h"
#include "fluxion/error.h"
#include "fluxion/ops/creation.h"
#include "fluxion/ops/index.h"
#include "fluxion/ops/pointwise.h"
#include "fluxion/ops/reduce.h"

namespace fluxion::nn::functional {

namespace {

void check_weight(const Tensor& weight, const char* op) {
  FX_CHECK(weight.defined(), op, ": weight is undefined");
  FX_CHECK(weight.dim() == 2, op, ": weight must be 2-d (num_embeddings, embedding_dim), got sizes ", weight.sizes());
}

/// Flattened int64 indices, checked against [0, num).
Tensor flat_indices(const Tensor& indices, int64_t num, const char* op) {
  FX_CHECK(indices.defined(), op, ": indices are undefined");
  FX_CHECK(indices.dtype() == kInt64 || indices.dtype() == kInt32, op,
           ": expected indices of dtype int64 or int32, got ", indices.dtype(), " (sizes ", indices.sizes(), ")");
  Tensor flat = indices.reshape({-1}).to(kInt64).contiguous();
  if (flat.numel() > 0) {
    int64_t lo = flat.min().item<int64_t>(), hi = flat.max().item<int64_t>();
    FX_CHECK(lo >= 0 && hi < num, op, ": index ", (lo < 0 ? lo : hi), " is out of range for num_embeddings = ", num,
             " (indices must be in [0, ", num, "))");
  }
  return flat;
}

std::optional<int64_t> wrap_padding(std::optional<int64_t> padding_idx, int64_t num, const char* op) {
  if (!padding_idx) return std::nullopt;
  int64_t p = *padding_idx;
  FX_CHECK(p >= -num && p < num, op, ": padding_idx ", p, " must be within num_embeddings = ", num);
  return p < 0 ? p + num : p;
}

/// Rescales, in place and without recording, the rows of `weight` used by `idx` whose norm exceeds max_norm.
void renorm_rows(const Tensor& weight, const Tensor& idx, double max_norm, double norm_type) {
  if (idx.numel() == 0) return;
  NoGradGuard no_grad;
  Tensor uniq = std::get<0>(unique(idx));
  Tensor rows = index_select(weight, 0, uniq);
  Tensor norms = norm(rows, norm_type, DimList{1}, /*keepdim=*/true);
  Tensor scale = where(norms > max_norm, max_norm / (norms + 1e-7), ones_like(norms));
  Tensor w = weight;
  index_put_(w, {uniq}, rows * scale);
}

}  // namespace

Tensor embedding(const Tensor& indices, const Tensor& weight, std::optional<int64_t> padding_idx,
                 std::optional<double> max_norm, double norm_type, bool scale_grad_by_freq) {
  check_weight(weight, "embedding");
  const int64_t num = weight.size(0), dim = weight.size(1);
  Tensor idx = flat_indices(indices, num, "embedding");
  std::optional<int64_t> pad = wrap_padding(padding_idx, num, "embedding");
  if (max_norm) {
    FX_CHECK(*max_norm > 0, "embedding: max_norm must be positive, got ", *max_norm);
    renorm_rows(weight, idx, *max_norm, norm_type);
  }
  Tensor out = index_select(weight.detach(), 0, idx);  // (N, dim)
  if (autograd::needs_record({&weight})) {
    const int64_t pad_v = pad.value_or(-1);
    autograd::record(
        "EmbeddingBackward0", {weight}, {out}, {idx},
        [num, dim, pad_v, scale_grad_by_freq](const autograd::BackwardArgs& a, const autograd::SavedList& s) {
          const Tensor& ix = s[0];
          Tensor g = a.grad().reshape({-1, dim});
          if (pad_v >= 0) g = g * (ix != pad_v).to(g.dtype()).unsqueeze(1);
          if (scale_grad_by_freq) {
            Tensor counts = zeros({num}, g.options()).index_add(0, ix, ones({ix.numel()}, g.options()));
            g = g / counts.index_select(0, ix).unsqueeze(1);
          }
          return TensorList{zeros({num, dim}, g.options()).index_add(0, ix, g)};
        },
        [&](const TensorList& t) { return TensorList{index_select(t[0], 0, idx)}; });
  }
  Shape shape = indices.sizes();
  shape.push_back(dim);
  return out.reshape(shape);
}

Tensor embedding_bag(const Tensor& indices, const Tensor& weight, const Tensor& offsets, std::optional<double> max_norm,
                     double norm_type, const std::string& mode, const Tensor& per_sample_weights,
                     bool include_last_offset, std::optional<int64_t> padding_idx) {
  check_weight(weight, "embedding_bag");
  FX_CHECK(mode == "sum" || mode == "mean" || mode == "max",
           "embedding_bag: mode must be 'sum', 'mean' or 'max', got '", mode, "'");
  const int64_t num = weight.size(0), dim = weight.size(1);
  FX_CHECK(indices.defined() && (indices.dim() == 1 || indices.dim() == 2),
           "embedding_bag: indices must be 1-d (with offsets) or 2-d (B, L), got sizes ",
           indices.defined() ? indices.sizes() : Shape{});
  Tensor flat = flat_indices(indices, num, "embedding_bag");
  const int64_t n = flat.numel();

  // bag_of[i]: the bag element i belongs to.
  std::vector<int64_t> bag_of(static_cast<size_t>(n));
  int64_t bags = 0;
  if (indices.dim() == 2) {
    FX_CHECK(!offsets.defined(), "embedding_bag: offsets must be undefined when indices are 2-d (got offsets of sizes ",
             offsets.sizes(), ")");
    bags = indices.size(0);
    const int64_t len = indices.size(1);
    for (int64_t i = 0; i < n; ++i) bag_of[static_cast<size_t>(i)] = i / len;
  } else {
    FX_CHECK(offsets.defined() && offsets.dim() == 1, "embedding_bag: 1-d indices need 1-d offsets, got ",
             offsets.defined() ? offsets.sizes() : Shape{});
    FX_CHECK(offsets.dtype() == kInt64 || offsets.dtype() == kInt32,
             "embedding_bag: offsets must be int64 or int32, got ", offsets.dtype());
    Tensor off = offsets.to(kCPU, kInt64).contiguous();
    std::vector<int64_t> o(off.data_ptr<int64_t>(), off.data_ptr<int64_t>() + off.numel());
    if (include_last_offset) {
      FX_CHECK(!o.empty(), "embedding_bag: include_last_offset needs at least one offset");
      bags = static_cast<int64_t>(o.size()) - 1;
      FX_CHECK(o.back() <= n, "embedding_bag: the last offset ", o.back(), " exceeds the number of indices ", n);
    } else {
      bags = static_cast<int64_t>(o.size());
      o.push_back(n);
    }
    FX_CHECK(o.empty() || o[0] == 0, "embedding_bag: offsets[0] has to be 0 (the first bag starts at position 0), got ",
             o.empty() ? 0 : o[0]);
    for (int64_t b = 0; b < bags; ++b) {
      FX_CHECK(o[b] <= o[b + 1] && o[b + 1] <= n, "embedding_bag: offsets must be non-decreasing and within [0, ", n,
               "], got offsets[", b, "] = ", o[b], ", next = ", o[b + 1]);
      for (int64_t i = o[b]; i < o[b + 1]; ++i) bag_of[static_cast<size_t>(i)] = b;
    }
    // Elements past the last bag's end (include_last_offset with a short last offset) belong to no bag.
    for (int64_t i = o[bags]; i < n; ++i) bag_of[static_cast<size_t>(i)] = -1;
  }

  Tensor psw;
  if (per_sample_weights.defined()) {
    FX_CHECK(mode == "sum", "embedding_bag: per_sample_weights are only supported for mode='sum', got mode='", mode,
             "'");
    FX_CHECK(per_sample_weights.sizes() == indices.sizes(), "embedding_bag: per_sample_weights of sizes ",
             per_sample_weights.sizes(), " must match indices of sizes ", indices.sizes());
    psw = per_sample_weights.reshape({-1});
  }

  // Keep the elements that belong to a bag and are not padding.
  std::optional<int64_t> pad = wrap_padding(padding_idx, num, "embedding_bag");
  std::vector<int64_t> keep, kept_bag;
  std::vector<int64_t> counts(static_cast<size_t>(bags), 0);
  const Tensor flat_host = flat.to(kCPU).contiguous();
  const int64_t* fp = flat_host.data_ptr<int64_t>();
  for (int64_t i = 0; i < n; ++i) {
    int64_t b = bag_of[static_cast<size_t>(i)];
    if (b < 0 || (pad && fp[i] == *pad)) continue;
    keep.push_back(i);
    kept_bag.push_back(b);
    ++counts[static_cast<size_t>(b)];
  }
  const int64_t k = static_cast<int64_t>(keep.size());
  Tensor keep_t = tensor(keep, Shape{k}, TensorOptions(kInt64)).to(flat.device());
  Tensor bag_t = tensor(kept_bag, Shape{k}, TensorOptions(kInt64)).to(flat.device());
  Tensor sel = index_select(flat, 0, keep_t);
  Tensor emb = embedding(sel, weight, std::nullopt, max_norm, norm_type);  // (k, dim)
  if (psw.defined()) emb = emb * index_select(psw, 0, keep_t).unsqueeze(1).to(emb.dtype());

  Tensor out = zeros({bags, dim}, weight.options());
  if (mode == "max") {
    if (k == 0) return out;
    return out.scatter_reduce(0, bag_t.unsqueeze(1).expand({k, dim}), emb, "amax", /*include_self=*/false);
  }
  out = out.index_add(0, bag_t, emb);
  if (mode == "mean") {
    std::vector<double> denom(counts.size());
    for (size_t b = 0; b < counts.size(); ++b) denom[b] = counts[b] > 0 ? static_cast<double>(counts[b]) : 1.0;
    out = out / tensor(denom, Shape{bags, 1}, TensorOptions(kFloat64)).to(out.device(), out.dtype());
  }
  return out;
}

}  // namespace fluxion::nn::functional
