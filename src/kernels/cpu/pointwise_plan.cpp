// Iteration order for elementwise kernels: see make_pointwise_plan in pointwise_cpu.h.
#include <memory>
#include <vector>

#include "kernels/cpu/pointwise_cpu.h"

namespace fluxion::kernels {

LoopPlan make_pointwise_plan(std::initializer_list<const Tensor*> ops) {
  bool all_contig = true;
  for (const Tensor* t : ops) all_contig = all_contig && t->is_contiguous();
  const Tensor& first = **ops.begin();
  const int64_t nd = first.dim();
  if (all_contig || nd <= 1) return make_plan(ops);
  // True when dim i should be iterated outside dim j.
  auto outer = [&](int64_t i, int64_t j) {
    for (const Tensor* t : ops) {
      const int64_t si = t->strides()[i], sj = t->strides()[j];
      if (si == 0 || sj == 0 || t->sizes()[i] == 1 || t->sizes()[j] == 1) continue;
      if (si != sj) return si > sj;
    }
    return false;
  };
  Shape perm(nd, int64_t{0});
  for (int64_t d = 0; d < nd; ++d) perm[d] = d;
  bool identity = true;
  for (int64_t i = 1; i < nd; ++i) {
    for (int64_t j = i; j > 0 && outer(perm[j], perm[j - 1]); --j) {
      std::swap(perm[j], perm[j - 1]);
      identity = false;
    }
  }
  if (identity) return make_plan(ops);
  std::vector<Tensor> views;
  views.reserve(ops.size());
  for (const Tensor* t : ops) {
    Shape sz(nd, int64_t{0}), st(nd, int64_t{0});
    for (int64_t d = 0; d < nd; ++d) {
      sz[d] = t->sizes()[perm[d]];
      st[d] = t->strides()[perm[d]];
    }
    views.emplace_back(std::make_shared<TensorImpl>(t->impl()->storage(), t->storage_offset(), sz, st, t->dtype()));
  }
  switch (views.size()) {
    case 1: return make_plan({&views[0]});
    case 2: return make_plan({&views[0], &views[1]});
    case 3: return make_plan({&views[0], &views[1], &views[2]});
    default: return make_plan({&views[0], &views[1], &views[2], &views[3]});
  }
}

}  // namespace fluxion::kernels
