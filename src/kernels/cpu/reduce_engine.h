// Generic CPU reduction driver shared by every reduction kernel (sum, prod, min/max, arg-min/max,
// norms, var/mean, logsumexp, all/any/count).
//
// Note [Reduction geometry]
// The input's dims are split into kept dims (the output's) and reduced dims; each group drops
// size-1 dims and coalesces mergeable neighbours; reduced dims are ordered by descending stride
// so the innermost reduced dim is the one with the smallest stride. Outputs are contiguous, so
// output i is the i-th kept multi-index in row-major order. Two traversals:
//   * row mode: per output, fold the reduced space (innermost reduced dim = a "row"); rows with
//     unit stride are folded with kLanes independent accumulators the compiler vectorises.
//   * column mode: when the innermost KEPT dim has unit stride and the innermost reduced one does
//     not (e.g. sum over dim 0 of a contiguous [N, C]), whole runs of adjacent outputs are folded
//     together, row after row, vectorised over the outputs: no strided gathers.
//
// Note [Deterministic tree reduction]
// Partial results are combined in a fixed binary tree: a row is cut into blocks of kBlock
// elements (leaves); rows and row-blocks are combined pairwise by halving index ranges. Pairwise
// combination keeps the rounding error of long float sums at O(log n) instead of O(n). Threads
// evaluate whole subtrees of the SAME tree (parallel_tree), so the result is bitwise identical
// for any number of threads.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/parallel.h"
#include "fluxion/tensor.h"

// Hot float loops are compiled per ISA (AVX-512, AVX2, baseline) and picked at load time; the
// library itself is built without -march flags.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) && \
    !defined(FLUXION_NO_ISA_CLONES)
#define FX_REDUCE_TARGET_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define FX_REDUCE_TARGET_CLONES
#endif
// For the ops' optional fast paths (fold_contiguous / fold_rows): compiled per ISA, with every
// call inside inlined (GCC otherwise leaves the vectorisable exp of kernels/functors.h as an
// out-of-line call in these large functions, which blocks vectorisation: measured 5x slower).
#define FX_REDUCE_HOT FX_REDUCE_TARGET_CLONES __attribute__((flatten))

namespace fluxion::kernels::reduce {

inline constexpr int64_t kBlock = 1024;   // row elements per tree leaf
inline constexpr int64_t kRowBlock = 16;  // minimum rows per tree leaf in column mode

/// See Note [Reduction geometry]. Strides are in elements.
struct Geometry {
  Shape out_sizes, out_strides;  // kept dims, row-major output order
  Shape red_sizes, red_strides;  // reduced dims, outermost first; never empty
  int64_t n_out = 1;             // number of outputs
  int64_t n_red = 1;             // elements folded into each output
};

inline Geometry make_geometry(const Tensor& in, const Shape& dims) {
  Geometry g;
  const int64_t nd = in.dim();
  std::vector<bool> red(static_cast<size_t>(nd), false);
  for (int64_t d : dims) red[static_cast<size_t>(d)] = true;
  const Shape& sz = in.sizes();
  const Shape& st = in.strides();
  std::vector<std::pair<int64_t, int64_t>> rd;  // (stride, size)
  for (int64_t d = 0; d < nd; ++d) {
    if (red[d]) {
      g.n_red *= sz[d];
      if (sz[d] > 1) rd.emplace_back(st[d], sz[d]);
      continue;
    }
    g.n_out *= sz[d];
    if (sz[d] <= 1) continue;
    if (!g.out_sizes.empty() && g.out_strides.back() == st[d] * sz[d]) {
      g.out_sizes.back() *= sz[d];
      g.out_strides.back() = st[d];
    } else {
      g.out_sizes.push_back(sz[d]);
      g.out_strides.push_back(st[d]);
    }
  }
  std::stable_sort(rd.begin(), rd.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (const auto& [stride, size] : rd) {
    if (!g.red_sizes.empty() && g.red_strides.back() == stride * size) {
      g.red_sizes.back() *= size;
      g.red_strides.back() = stride;
    } else {
      g.red_sizes.push_back(size);
      g.red_strides.push_back(stride);
    }
  }
  if (g.red_sizes.empty()) {
    g.red_sizes.push_back(1);
    g.red_strides.push_back(1);
  }
  return g;
}

/// Linear index over (sizes, strides) -> element offset.
struct OffsetCalc {
  Shape sizes, strides;
  int64_t operator()(int64_t i) const {
    int64_t off = 0;
    for (int64_t d = static_cast<int64_t>(sizes.size()) - 1; d >= 0; --d) {
      off += (i % sizes[d]) * strides[d];
      i /= sizes[d];
    }
    return off;
  }
};

/// Folds leaves [b, e) pairwise: the tree of Note [Deterministic tree reduction].
template <class Acc, class Leaf, class Combine>
Acc tree(int64_t b, int64_t e, const Leaf& leaf, const Combine& combine) {
  if (e - b == 1) return leaf(b);
  const int64_t m = b + (e - b) / 2;
  Acc l = tree<Acc>(b, m, leaf, combine);
  Acc r = tree<Acc>(m, e, leaf, combine);
  return combine(l, r);
}

namespace detail {
inline void collect_subtrees(int64_t b, int64_t e, int depth, std::vector<std::pair<int64_t, int64_t>>& out) {
  if (depth == 0 || e - b == 1) {
    out.emplace_back(b, e);
    return;
  }
  const int64_t m = b + (e - b) / 2;
  collect_subtrees(b, m, depth - 1, out);
  collect_subtrees(m, e, depth - 1, out);
}
template <class Acc, class Combine>
Acc assemble(int64_t b, int64_t e, int depth, std::vector<Acc>& res, size_t& k, const Combine& combine) {
  if (depth == 0 || e - b == 1) return std::move(res[k++]);
  const int64_t m = b + (e - b) / 2;
  Acc l = assemble(b, m, depth - 1, res, k, combine);
  Acc r = assemble(m, e, depth - 1, res, k, combine);
  return combine(l, r);
}
}  // namespace detail

/// Evaluates the tree over leaves [b, e) with subtrees near the root on all threads;
/// `subtree(b, e)` must return the value of tree(b, e) (computed on the calling thread).
template <class Acc, class Subtree, class Combine>
Acc parallel_subtrees(int64_t b, int64_t e, const Subtree& subtree, const Combine& combine) {
  const int nt = omp_get_max_threads();
  if (nt <= 1 || omp_in_parallel() || e - b < 2) return subtree(b, e);
  int depth = 0;
  while ((1 << depth) < 4 * nt && depth < 12) ++depth;
  std::vector<std::pair<int64_t, int64_t>> ranges;
  detail::collect_subtrees(b, e, depth, ranges);
  std::vector<Acc> res(ranges.size());
  parallel_for(static_cast<int64_t>(ranges.size()), 1, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) res[i] = subtree(ranges[i].first, ranges[i].second);
  });
  size_t k = 0;
  return detail::assemble(b, e, depth, res, k, combine);
}

/// Same value as tree(b, e, ...), with the subtrees near the root evaluated on all threads.
template <class Acc, class Leaf, class Combine>
Acc parallel_tree(int64_t b, int64_t e, const Leaf& leaf, const Combine& combine) {
  return parallel_subtrees<Acc>(
      b, e, [&](int64_t sb, int64_t se) { return tree<Acc>(sb, se, leaf, combine); }, combine);
}

/// Folds n elements p[0], p[s], ... (element indices idx0, idx0+1, ...) into one accumulator with
/// Op::kLanes interleaved accumulators (vectorised when s == 1), combined pairwise.
template <class Op>
FX_REDUCE_TARGET_CLONES typename Op::acc_t fold_leaf(const Op& op, const typename Op::in_t* p, int64_t n, int64_t s,
                                                     int64_t idx0) {
  using acc_t = typename Op::acc_t;
  constexpr int64_t L = Op::kLanes;
  // Optional fast path for a contiguous block (e.g. var's two-pass block statistics).
  if constexpr (requires(const Op& o, const typename Op::in_t* q, int64_t m) { o.fold_contiguous(q, m, m); }) {
    if (s == 1) return op.fold_contiguous(p, n, idx0);
  }
  if (L == 1 || n < 2 * L) {
    acc_t a = op.identity();
    for (int64_t i = 0; i < n; ++i) a = op.reduce(a, p[i * s], idx0 + i);
    return a;
  }
  acc_t lanes[L];
  for (int64_t j = 0; j < L; ++j) lanes[j] = op.identity();
  int64_t i = 0;
  if (s == 1) {
    for (; i + L <= n; i += L)
      for (int64_t j = 0; j < L; ++j) lanes[j] = op.reduce(lanes[j], p[i + j], idx0 + i + j);
  } else {
    for (; i + L <= n; i += L)
      for (int64_t j = 0; j < L; ++j) lanes[j] = op.reduce(lanes[j], p[(i + j) * s], idx0 + i + j);
  }
  for (int64_t j = 0; i < n; ++i, ++j) lanes[j] = op.reduce(lanes[j], p[i * s], idx0 + i);
  for (int64_t w = L / 2; w >= 1; w /= 2)
    for (int64_t j = 0; j < w; ++j) lanes[j] = op.combine(lanes[j], lanes[j + w]);
  return lanes[0];
}

/// Folds one row (n elements, stride s) as a tree of kBlock-element leaves.
template <class Op>
typename Op::acc_t fold_row(const Op& op, const typename Op::in_t* p, int64_t n, int64_t s, int64_t idx0,
                            bool parallel) {
  using acc_t = typename Op::acc_t;
  const int64_t nb = (n + kBlock - 1) / kBlock;
  if (nb <= 1) return fold_leaf(op, p, n, s, idx0);
  auto leaf = [&](int64_t b) {
    const int64_t i0 = b * kBlock;
    return fold_leaf(op, p + i0 * s, std::min(kBlock, n - i0), s, idx0 + i0);
  };
  auto comb = [&](const acc_t& a, const acc_t& c) { return op.combine(a, c); };
  return parallel ? parallel_tree<acc_t>(0, nb, leaf, comb) : tree<acc_t>(0, nb, leaf, comb);
}

/// Walks a linear index range over (sizes, strides) and yields element offsets incrementally
/// (one division per range start instead of one per element).
struct OffsetIter {
  const Shape& sizes;
  const Shape& strides;
  Shape idx;
  int64_t off = 0;
  OffsetIter(const Shape& sz, const Shape& st, int64_t start) : sizes(sz), strides(st), idx(sz.size(), int64_t{0}) {
    for (int64_t d = static_cast<int64_t>(sz.size()) - 1; d >= 0; --d) {
      idx[d] = start % sz[d];
      start /= sz[d];
      off += idx[d] * st[d];
    }
  }
  void next() {
    for (int64_t d = static_cast<int64_t>(sizes.size()) - 1; d >= 0; --d) {
      off += strides[d];
      if (++idx[d] < sizes[d]) return;
      off -= idx[d] * strides[d];
      idx[d] = 0;
    }
  }
};

/// A heap array of accumulators (std::vector<bool> has no data()).
template <class T>
struct AccBuf {
  std::unique_ptr<T[]> p;
  int64_t n = 0;
  AccBuf() = default;
  explicit AccBuf(int64_t size) : p(new T[static_cast<size_t>(size)]), n(size) {}
  T* data() const { return p.get(); }
  T& operator[](int64_t i) const { return p[static_cast<size_t>(i)]; }
};

/// Column mode (Note [Reduction geometry]): folds rows of `cw` adjacent outputs. Rows are the
/// reduced index space; a leaf folds `rows_per_leaf` of them straight into a buffer, leaves are
/// combined by the pairwise tree using one scratch buffer per tree level.
template <class Op>
struct ColumnFolder {
  using in_t = typename Op::in_t;
  using acc_t = typename Op::acc_t;
  const Op& op;
  const Geometry& g;
  int64_t rows_per_leaf;
  bool adjacent;  // row r+1 starts right after row r ends (one reduced dim with stride == width)
  std::vector<AccBuf<acc_t>> scratch;

  std::vector<const in_t*> row_ptrs;

  // Folds rows of leaf `b` into dst[0, cw).
  FX_REDUCE_TARGET_CLONES void leaf(const in_t* p, int64_t cw, int64_t b, acc_t* dst) {
    const int64_t r0 = b * rows_per_leaf, r1 = std::min(g.n_red, r0 + rows_per_leaf);
    // Optional whole-leaf hook (e.g. var's two-pass statistics per column).
    if constexpr (requires(const Op& o, const in_t* const* rows, int64_t n, acc_t* d) {
                    o.fold_rows(rows, n, n, d, n);
                  }) {
      row_ptrs.clear();
      OffsetIter it(g.red_sizes, g.red_strides, r0);
      for (int64_t r = r0; r < r1; ++r, it.next()) row_ptrs.push_back(p + it.off);
      op.fold_rows(row_ptrs.data(), r1 - r0, cw, dst, r0);
      return;
    }
    if (adjacent && cw < 32) {
      // Narrow rows laid end to end: fold the flat block with k*cw interleaved lanes.
      constexpr int64_t kMaxLanes = 64;
      const int64_t k = kMaxLanes / cw, lw = k * cw;
      acc_t lanes[kMaxLanes];
      for (int64_t j = 0; j < lw; ++j) lanes[j] = op.identity();
      const in_t* q = p + r0 * cw;
      const int64_t n = (r1 - r0) * cw;
      int64_t i = 0;
      for (; i + lw <= n; i += lw)
        for (int64_t j = 0; j < lw; ++j) lanes[j] = op.reduce(lanes[j], q[i + j], r0 + (i + j) / cw);
      for (int64_t j = 0; i < n; ++i, ++j) lanes[j] = op.reduce(lanes[j], q[i], r0 + i / cw);
      for (int64_t w = 0; w < cw; ++w) {
        acc_t a = lanes[w];
        for (int64_t m = 1; m < k; ++m) a = op.combine(a, lanes[w + m * cw]);
        dst[w] = a;
      }
      return;
    }
    // Four rows per pass over dst: the accumulators stay in registers across them, which
    // quarters the load/store traffic on dst (measured ~1.5x faster than one row per pass).
    OffsetIter it(g.red_sizes, g.red_strides, r0);
    for (int64_t w = 0; w < cw; ++w) dst[w] = op.identity();
    int64_t r = r0;
    for (; r + 4 <= r1; r += 4) {
      const in_t* q0 = p + it.off;
      it.next();
      const in_t* q1 = p + it.off;
      it.next();
      const in_t* q2 = p + it.off;
      it.next();
      const in_t* q3 = p + it.off;
      it.next();
      for (int64_t w = 0; w < cw; ++w)
        dst[w] = op.reduce(op.reduce(op.reduce(op.reduce(dst[w], q0[w], r), q1[w], r + 1), q2[w], r + 2), q3[w], r + 3);
    }
    for (; r < r1; ++r, it.next()) {
      const in_t* q = p + it.off;
      for (int64_t w = 0; w < cw; ++w) dst[w] = op.reduce(dst[w], q[w], r);
    }
  }

  // Folds leaves [b, e) into dst (same tree as reduce::tree).
  void fold(const in_t* p, int64_t cw, int64_t b, int64_t e, acc_t* dst, size_t level) {
    if (e - b == 1) {
      leaf(p, cw, b, dst);
      return;
    }
    const int64_t m = b + (e - b) / 2;
    fold(p, cw, b, m, dst, level + 1);
    if (scratch.size() <= level) scratch.resize(level + 1);
    if (scratch[level].n < cw) scratch[level] = AccBuf<acc_t>(cw);
    acc_t* tmp = scratch[level].data();
    fold(p, cw, m, e, tmp, level + 1);
    for (int64_t w = 0; w < cw; ++w) dst[w] = op.combine(dst[w], tmp[w]);
  }
};

/// Runs the reduction described by `op` over `dims` of `in`; op.write(i, acc) stores output i.
/// Op provides: in_t, acc_t, kLanes, identity(), reduce(acc, in_t, int64 idx), combine(a, b)
/// (a covers the earlier part), write(int64 out_index, acc). `idx` is the element's position in
/// the reduced space (meaningful for single-dim reductions, as used by arg-min/max).
/// Optional fast paths, when a per-element fold does not vectorise (two-pass statistics, index
/// tracking, exp): fold_contiguous(p, n, idx0) -> acc for n <= kBlock contiguous elements, and
/// fold_rows(rows, nrows, cw, acc* dst, r0) for a column-mode leaf (cw outputs, nrows rows).
template <class Op>
void run(const Op& op, const Tensor& in, const Shape& dims) {
  using in_t = typename Op::in_t;
  using acc_t = typename Op::acc_t;
  const Geometry g = make_geometry(in, dims);
  if (g.n_out == 0) return;
  if (g.n_red == 0) {
    parallel_for(g.n_out, kGrainSize, [&](int64_t b, int64_t e) {
      for (int64_t o = b; o < e; ++o) op.write(o, op.identity());
    });
    return;
  }
  const in_t* base = static_cast<const in_t*>(in.data_ptr());
  const int nt = omp_get_max_threads();
  const bool threaded = nt > 1 && !omp_in_parallel() && g.n_out * g.n_red >= kGrainSize;
  const int64_t nrd = static_cast<int64_t>(g.red_sizes.size());
  const int64_t row_len = g.red_sizes.back(), row_stride = g.red_strides.back();
  const bool column_mode =
      !g.out_sizes.empty() && g.out_strides.back() == 1 && row_stride != 1 && g.out_sizes.back() >= 2 && g.n_red > 1;
  // Few outputs: split each output's tree across threads instead of splitting the outputs.
  auto split_outputs = [&](int64_t units) { return units >= 4 * nt || (units >= nt && units % nt == 0); };

  if (!column_mode) {
    const int64_t n_rows = g.n_red / row_len;
    const Shape outer_sizes(g.red_sizes.begin(), g.red_sizes.begin() + (nrd - 1));
    const Shape outer_strides(g.red_strides.begin(), g.red_strides.begin() + (nrd - 1));
    OffsetCalc row_off{outer_sizes, outer_strides};
    auto fold_output = [&](int64_t o, int64_t off, bool par) {
      const in_t* p = base + off;
      acc_t a;
      if (n_rows == 1) {
        a = fold_row(op, p, row_len, row_stride, 0, par);
      } else {
        auto leaf = [&](int64_t r) { return fold_row(op, p + row_off(r), row_len, row_stride, r * row_len, false); };
        auto comb = [&](const acc_t& x, const acc_t& y) { return op.combine(x, y); };
        a = par ? parallel_tree<acc_t>(0, n_rows, leaf, comb) : tree<acc_t>(0, n_rows, leaf, comb);
      }
      op.write(o, a);
    };
    auto fold_range = [&](int64_t b, int64_t e) {
      OffsetIter it(g.out_sizes, g.out_strides, b);
      if (n_rows == 1 && row_len < 2 * Op::kLanes) {
        // Short rows (e.g. sum over the last dim of [N, 4]): fold inline, no per-output calls.
        for (int64_t o = b; o < e; ++o, it.next()) {
          const in_t* p = base + it.off;
          acc_t a = op.identity();
          for (int64_t i = 0; i < row_len; ++i) a = op.reduce(a, p[i * row_stride], i);
          op.write(o, a);
        }
        return;
      }
      for (int64_t o = b; o < e; ++o, it.next()) fold_output(o, it.off, false);
    };
    if (!threaded) {
      fold_range(0, g.n_out);
    } else if (split_outputs(g.n_out)) {
      parallel_for(g.n_out, std::max<int64_t>(1, kGrainSize / g.n_red), fold_range);
    } else {
      OffsetIter it(g.out_sizes, g.out_strides, 0);
      for (int64_t o = 0; o < g.n_out; ++o, it.next()) fold_output(o, it.off, true);
    }
    return;
  }

  const int64_t nko = static_cast<int64_t>(g.out_sizes.size());
  const int64_t width = g.out_sizes.back();
  constexpr int64_t kColChunk = 2048;  // outputs per unit: long contiguous reads per row
  const int64_t n_chunks = (width + kColChunk - 1) / kColChunk;
  const int64_t chunk_w = (width + n_chunks - 1) / n_chunks;
  const int64_t n_outer = g.n_out / width;
  const int64_t rows_per_leaf = std::max<int64_t>(kRowBlock, 1024 / chunk_w);
  const int64_t n_leaves = (g.n_red + rows_per_leaf - 1) / rows_per_leaf;
  const bool adjacent = nrd == 1 && row_stride == width;
  const Shape outer_sizes(g.out_sizes.begin(), g.out_sizes.begin() + (nko - 1));
  const Shape outer_strides(g.out_strides.begin(), g.out_strides.begin() + (nko - 1));
  OffsetCalc outer_off{outer_sizes, outer_strides};
  auto unit_geometry = [&](int64_t u, const in_t*& p, int64_t& o0, int64_t& cw) {
    const int64_t outer = u / n_chunks, c0 = (u % n_chunks) * chunk_w;
    cw = std::min(chunk_w, width - c0);
    p = base + outer_off(outer) + c0;
    o0 = outer * width + c0;
  };
  const int64_t n_units = n_outer * n_chunks;
  if (!threaded || split_outputs(n_units)) {
    auto fold_units = [&](int64_t b, int64_t e) {
      ColumnFolder<Op> f{op, g, rows_per_leaf, adjacent, {}, {}};
      AccBuf<acc_t> res(chunk_w);
      for (int64_t u = b; u < e; ++u) {
        const in_t* p;
        int64_t o0, cw;
        unit_geometry(u, p, o0, cw);
        f.fold(p, cw, 0, n_leaves, res.data(), 0);
        for (int64_t w = 0; w < cw; ++w) op.write(o0 + w, res[w]);
      }
    };
    if (threaded)
      parallel_for(n_units, 1, fold_units);
    else
      fold_units(0, n_units);
    return;
  }
  for (int64_t u = 0; u < n_units; ++u) {
    const in_t* p;
    int64_t o0, cw;
    unit_geometry(u, p, o0, cw);
    using Vec = AccBuf<acc_t>;
    auto leaf_range = [&](int64_t b, int64_t e) {  // a whole subtree, on this thread
      ColumnFolder<Op> f{op, g, rows_per_leaf, adjacent, {}, {}};
      Vec r(cw);
      f.fold(p, cw, b, e, r.data(), 0);
      return r;
    };
    auto comb = [&](const Vec& x, const Vec& y) {
      Vec z(x.n);
      for (int64_t w = 0; w < x.n; ++w) z[w] = op.combine(x[w], y[w]);
      return z;
    };
    Vec res = parallel_subtrees<Vec>(0, n_leaves, leaf_range, comb);
    for (int64_t w = 0; w < cw; ++w) op.write(o0 + w, res[w]);
  }
}

// ---- helpers shared by the ops ------------------------------------------------------------------

/// Accumulation type: float for half types, the type itself otherwise.
template <class T>
using compute_t = std::conditional_t<std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>, float, T>;

template <class T>
inline bool is_nan(T v) {
  if constexpr (std::is_floating_point_v<T>)
    return v != v;
  else
    return false;
}

/// NaN-propagating max (kMax) or min of a and b; on NaN the first NaN (a's) wins. Written as
/// selects in this order because it is the form GCC vectorises best (measured: 2-4x faster
/// than ||-style predicates).
template <bool kMax, class V>
inline V extreme_nan(V a, V b) {
  V m;
  if constexpr (kMax)
    m = b > a ? b : a;
  else
    m = b < a ? b : a;
  return is_nan(a) ? a : (is_nan(b) ? b : m);
}

}  // namespace fluxion::kernels::reduce
