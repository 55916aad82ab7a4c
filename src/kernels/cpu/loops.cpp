#include "kernels/cpu/loops.h"

namespace fluxion::kernels {

LoopPlan make_plan(std::initializer_list<const Tensor*> ops) {
  LoopPlan p;
  p.nops = static_cast<int>(ops.size());
  FX_ASSERT(p.nops >= 1 && p.nops <= kMaxOperands);
  const Tensor& first = **ops.begin();
  const Shape& sizes = first.sizes();
  const int64_t ndim = first.dim();
  p.numel = first.numel();
  bool all_contig = true;
  int k = 0;
  for (const Tensor* t : ops) {
    FX_ASSERT(t->sizes() == sizes, "make_plan: operand sizes differ");
    p.base[k] = static_cast<char*>(t->data_ptr());
    p.elsize[k] = static_cast<int64_t>(t->element_size());
    all_contig = all_contig && t->is_contiguous();
    ++k;
  }
  p.contiguous = all_contig;
  if (all_contig || ndim == 0) {
    p.contiguous = true;
    return p;
  }
  // Coalesce: drop size-1 dims, merge dim d into d+1 when every operand has
  // stride[d] == stride[d+1] * size[d+1].
  Shape cs;
  Shape cstr[kMaxOperands];
  for (int64_t d = 0; d < ndim; ++d) {
    if (sizes[d] == 1) continue;
    cs.push_back(sizes[d]);
    k = 0;
    for (const Tensor* t : ops) {
      cstr[k].push_back(t->strides()[d] * p.elsize[k]);
      ++k;
    }
  }
  if (cs.empty()) {
    p.contiguous = true;
    return p;
  }
  Shape ms{cs[0]};
  Shape mstr[kMaxOperands];
  for (int j = 0; j < p.nops; ++j) mstr[j].push_back(cstr[j][0]);
  for (size_t d = 1; d < cs.size(); ++d) {
    bool can = true;
    for (int j = 0; j < p.nops; ++j)
      if (mstr[j].back() != cstr[j][d] * cs[d]) can = false;
    if (can) {
      ms.back() *= cs[d];
      for (int j = 0; j < p.nops; ++j) mstr[j].back() = cstr[j][d];
    } else {
      ms.push_back(cs[d]);
      for (int j = 0; j < p.nops; ++j) mstr[j].push_back(cstr[j][d]);
    }
  }
  p.sizes = ms;
  for (int j = 0; j < p.nops; ++j) p.strides[j] = mstr[j];
  return p;
}

void run_plan(const LoopPlan& p, LoopFnRef f, int64_t grain) {
  if (p.numel == 0) return;
  const int nops = p.nops;
  if (p.contiguous) {
    parallel_for(p.numel, grain, [&](int64_t b, int64_t e) {
      char* ptrs[kMaxOperands] = {};
      int64_t s[kMaxOperands] = {};
      for (int k = 0; k < nops; ++k) {
        ptrs[k] = p.base[k] + b * p.elsize[k];
        s[k] = p.elsize[k];
      }
      f(ptrs, s, e - b);
    });
    return;
  }
  const int ndim = static_cast<int>(p.sizes.size());
  const int64_t inner = p.sizes[ndim - 1];
  parallel_for(p.numel, grain, [&](int64_t b, int64_t e) {
    int64_t idx[16];
    Shape idx_heap;
    int64_t* ix = idx;
    if (ndim > 16) {
      idx_heap.resize(ndim);
      ix = idx_heap.data();
    }
    int64_t rem = b;
    for (int d = ndim - 1; d >= 0; --d) {
      ix[d] = rem % p.sizes[d];
      rem /= p.sizes[d];
    }
    int64_t s[kMaxOperands] = {};
    for (int k = 0; k < nops; ++k) s[k] = p.strides[k][ndim - 1];
    while (b < e) {
      char* ptrs[kMaxOperands] = {};
      for (int k = 0; k < nops; ++k) {
        int64_t off = 0;
        for (int d = 0; d < ndim; ++d) off += ix[d] * p.strides[k][d];
        ptrs[k] = p.base[k] + off;
      }
      int64_t n = std::min(inner - ix[ndim - 1], e - b);
      f(ptrs, s, n);
      b += n;
      ix[ndim - 1] += n;
      for (int d = ndim - 1; d > 0 && ix[d] >= p.sizes[d]; --d) {
        ix[d] = 0;
        ++ix[d - 1];
      }
    }
  });
}

}  // namespace fluxion::kernels
