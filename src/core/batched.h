// Helpers for batching rules (Note [Batched tensors] in fluxion/tensor_impl.h): the physical
// tensor behind a batched one (batch dim first), and the reverse. Physical tensors and the
// `plain` aliases carry no autograd metadata, so a rule computing on them records nothing; the
// op that called the rule records its node on the batched tensors as usual.
#pragma once

#include <initializer_list>

#include "fluxion/tensor.h"

namespace fluxion::batched {

inline bool is_batched(const Tensor& t) { return t.defined() && t.impl()->is_batched(); }
inline bool any_batched(std::initializer_list<const Tensor*> ts) {
  for (const Tensor* t : ts)
    if (is_batched(*t)) [[unlikely]]
      return true;
  return false;
}
/// Batch size of the first batched tensor among `ts` (0 if none).
int64_t batch_size(std::initializer_list<const Tensor*> ts);

/// [B] + sizes.
inline Shape batched_sizes(int64_t B, const Shape& sizes) {
  Shape out{B};
  for (int64_t s : sizes) out.push_back(s);
  return out;
}
/// [B] + t.sizes(): t's physical tensor if it is batched, else t expanded along a new dim 0.
Tensor physical(const Tensor& t, int64_t B);
/// An alias of an unbatched tensor without autograd metadata (its physical tensor if batched).
Tensor plain(const Tensor& t);
/// A physical tensor [B, s...] with size-1 dims inserted after dim 0 up to `logical_rank` + 1
/// dims, so it broadcasts like its logical tensor against unbatched operands of that rank.
Tensor pad_logical(const Tensor& phys, int64_t logical_rank);
/// A batched tensor at the running vmap level over physical `phys` (batch dim 0).
Tensor wrap(const Tensor& phys);

}  // namespace fluxion::batched
