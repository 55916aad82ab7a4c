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

/// The staged tiled walk of run_pointwise_plan (Note [Staged transposed tiles]).
namespace {

void run_staged_plan(const LoopPlan& p, const bool staged[kMaxOperands], LoopFnRef f, int64_t grain) {
  const int nd = static_cast<int>(p.sizes.size());
  const int nops = p.nops;
  const int64_t R = p.sizes[nd - 2], C = p.sizes[nd - 1];
  int64_t staged_bytes = 0;  // bytes of one tile column over all staged operands
  for (int k = 0; k < nops; ++k)
    if (staged[k]) staged_bytes += kStageRows * p.elsize[k];
  const int64_t tile_cols = kStageBytes / staged_bytes;  // 256 for one float operand
  const int64_t outer = p.numel / (R * C);
  const int64_t row_tiles = (R + kStageRows - 1) / kStageRows;
  const int64_t units = outer * row_tiles;
  const int64_t unit_elems = kStageRows * C;
  parallel_for(units, std::max<int64_t>(1, grain / unit_elems), [&](int64_t b, int64_t e) {
    alignas(64) char scratch[kStageBytes];
    char* tile[kMaxOperands] = {};
    int64_t row_s[kMaxOperands] = {}, col_s[kMaxOperands] = {}, loop_s[kMaxOperands] = {};
    int64_t used = 0;
    for (int k = 0; k < nops; ++k) {
      row_s[k] = p.strides[k][nd - 2];
      col_s[k] = p.strides[k][nd - 1];
      loop_s[k] = staged[k] ? p.elsize[k] : col_s[k];
      if (staged[k]) {
        tile[k] = scratch + used;
        used += kStageRows * tile_cols * p.elsize[k];
      }
    }
    for (int64_t u = b; u < e; ++u) {
      const int64_t o = u / row_tiles, rt = u % row_tiles;
      char* base[kMaxOperands] = {};
      for (int k = 0; k < nops; ++k) base[k] = p.base[k];
      int64_t rem = o;
      for (int d = nd - 3; d >= 0; --d) {
        const int64_t idx = rem % p.sizes[d];
        rem /= p.sizes[d];
        for (int k = 0; k < nops; ++k) base[k] += idx * p.strides[k][d];
      }
      const int64_t r0 = rt * kStageRows, rn = std::min(kStageRows, R - r0);
      for (int64_t c0 = 0; c0 < C; c0 += tile_cols) {
        const int64_t cn = std::min(tile_cols, C - c0);
        for (int k = 1; k < nops; ++k)
          if (staged[k])
            transpose_tile(base[k] + r0 * row_s[k] + c0 * col_s[k], col_s[k], tile[k], tile_cols * p.elsize[k], rn, cn,
                           p.elsize[k]);
        // While the kernel runs, prefetch the next tile's source columns, a few per row.
        const int64_t next_c0 = c0 + cn, next_cn = std::min(tile_cols, C - next_c0);
        const int64_t per_row = (next_cn + rn - 1) / rn;
        for (int64_t r = 0; r < rn; ++r) {
          char* ptrs[kMaxOperands] = {};
          for (int k = 0; k < nops; ++k) {
            if (!staged[k]) {
              ptrs[k] = base[k] + (r0 + r) * row_s[k] + c0 * col_s[k];
              continue;
            }
            ptrs[k] = tile[k] + r * tile_cols * p.elsize[k];
            const int64_t pc0 = next_c0 + r * per_row, pc1 = std::min(next_c0 + next_cn, pc0 + per_row);
            const char* src = base[k] + r0 * row_s[k];
            for (int64_t c = pc0; c < pc1; ++c)
              for (int64_t off = 0; off < rn * p.elsize[k]; off += 64) __builtin_prefetch(src + c * col_s[k] + off);
          }
          f(ptrs, loop_s, cn);
        }
      }
    }
  });
}

}  // namespace

void run_pointwise_plan(const LoopPlan& p, LoopFnRef f, int64_t grain) {
  if (!plan_needs_tiling(p)) return run_plan(p, f, grain);
  bool staged[kMaxOperands] = {};
  if (plan_stage_operands(p, staged)) return run_staged_plan(p, staged, f, grain);
  constexpr int64_t kTile = 64;
  const int nd = static_cast<int>(p.sizes.size());
  const int nops = p.nops;
  const int64_t R = p.sizes[nd - 2], C = p.sizes[nd - 1];
  const int64_t outer = p.numel / (R * C);
  const int64_t row_tiles = (R + kTile - 1) / kTile;
  const int64_t units = outer * row_tiles;
  const int64_t unit_elems = kTile * C;
  parallel_for(units, std::max<int64_t>(1, grain / unit_elems), [&](int64_t b, int64_t e) {
    int64_t inner_s[kMaxOperands] = {};
    for (int k = 0; k < nops; ++k) inner_s[k] = p.strides[k][nd - 1];
    for (int64_t u = b; u < e; ++u) {
      const int64_t o = u / row_tiles, rt = u % row_tiles;
      char* base[kMaxOperands] = {};
      for (int k = 0; k < nops; ++k) base[k] = p.base[k];
      int64_t rem = o;
      for (int d = nd - 3; d >= 0; --d) {
        const int64_t idx = rem % p.sizes[d];
        rem /= p.sizes[d];
        for (int k = 0; k < nops; ++k) base[k] += idx * p.strides[k][d];
      }
      const int64_t r0 = rt * kTile, r1 = std::min(R, r0 + kTile);
      for (int64_t c0 = 0; c0 < C; c0 += kTile) {
        const int64_t cn = std::min(kTile, C - c0);
        for (int64_t r = r0; r < r1; ++r) {
          char* ptrs[kMaxOperands] = {};
          for (int k = 0; k < nops; ++k) ptrs[k] = base[k] + r * p.strides[k][nd - 2] + c0 * inner_s[k];
          f(ptrs, inner_s, cn);
        }
      }
    }
  });
}

}  // namespace fluxion::kernels
