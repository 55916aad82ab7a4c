// A small N-d walker for the index/sort kernels: visits a range of row-major positions of a
// shape and keeps one element offset per operand up to date (strides in elements or bytes).
// loops.h covers the elementwise case; these kernels need to split an iteration into an outer
// part (threaded) and an inner part (walked serially), which the walker makes explicit.
#pragma once

#include <array>
#include <cstdint>

#include "fluxion/small_vector.h"

namespace fluxion::kernels {

/// Calls f(offs) for linear positions [begin, end) of `sizes`, where offs[k] = base[k] +
/// sum_d idx[d] * strides[k][d]. K operands; 0-d shapes visit one position.
template <size_t K, class F>
void walk_offsets(const Shape& sizes, const std::array<const int64_t*, K>& strides, const std::array<int64_t, K>& base,
                  int64_t begin, int64_t end, const F& f) {
  const int nd = static_cast<int>(sizes.size());
  Shape idx(static_cast<size_t>(nd), int64_t{0});
  std::array<int64_t, K> off = base;
  int64_t rem = begin;
  for (int d = nd - 1; d >= 0; --d) {
    if (sizes[d] == 0) return;
    idx[d] = rem % sizes[d];
    rem /= sizes[d];
    for (size_t k = 0; k < K; ++k) off[k] += idx[d] * strides[k][d];
  }
  for (int64_t lin = begin; lin < end; ++lin) {
    f(off);
    for (int d = nd - 1; d >= 0; --d) {
      for (size_t k = 0; k < K; ++k) off[k] += strides[k][d];
      if (++idx[d] < sizes[d]) break;
      for (size_t k = 0; k < K; ++k) off[k] -= strides[k][d] * sizes[d];
      idx[d] = 0;
    }
  }
}

}  // namespace fluxion::kernels
