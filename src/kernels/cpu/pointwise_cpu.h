// Internal helpers shared by the CPU elementwise kernels (pointwise_*.cpp in this folder).
#pragma once

#include <cstdint>
#include <type_traits>

#include "fluxion/half.h"
#include "fluxion/scalar.h"
#include "kernels/cpu/loops.h"
#include "kernels/cpu/transpose_tile.h"
#include "kernels/pointwise_kernels.h"

// Note [Runtime ISA dispatch]: the library is built without -march flags, so hot loops are
// compiled three times (AVX-512, AVX2+FMA, baseline SSE2) with GCC's target_clones and the
// loader picks one per CPU through an ifunc. Contraction stays off (ISO C++ mode), so every
// clone rounds identically and results do not depend on the machine.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define FX_TARGET_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define FX_TARGET_CLONES
#endif

namespace fluxion::kernels {

/// Arithmetic type used to compute on T: float for the 16-bit floats, T otherwise.
template <class T>
using opmath_t = std::conditional_t<std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>, float, T>;

/// A Scalar operand converted to the compute type (integers wrap like a C cast).
template <class T>
inline T scalar_as(const Scalar& s) {
  if constexpr (std::is_same_v<T, bool>) {
    return s.to_bool();
  } else if constexpr (std::is_integral_v<T>) {
    return static_cast<T>(s.to_int());
  } else {
    return static_cast<T>(s.to_double());
  }
}

/// y[i] = f(x[i]) over a contiguous float/double array (x == y allowed).
using F32ArrayFn = void (*)(const float* x, float* y, int64_t n, const UnaryParams& p);
using F64ArrayFn = void (*)(const double* x, double* y, int64_t n, const UnaryParams& p);
/// The vectorised array function of `op` (nullptr if the op has no floating formula).
F32ArrayFn f32_array_fn(UnaryOp op);
F64ArrayFn f64_array_fn(UnaryOp op);

/// Contiguous float fast paths for the streaming binary ops (runtime-dispatched ISA).
void add_f32(const float* a, const float* b, float* o, int64_t n, float alpha);
void mul_f32(const float* a, const float* b, float* o, int64_t n);
void sub_f32(const float* a, const float* b, float* o, int64_t n, float alpha);
void div_f32(const float* a, const float* b, float* o, int64_t n);

/// make_plan after reordering dims (outermost = largest stride, decided by the first operand
/// with distinct non-zero strides, as PyTorch's TensorIterator), so permuted layouts such as
/// x.t() with a matching output become one linear pass. Elementwise results do not depend on
/// the iteration order.
LoopPlan make_pointwise_plan(std::initializer_list<const Tensor*> ops);

/// True when some operand walks its last dim with a larger stride than its second-to-last one
/// (a transposed operand meeting a row-major one): then rows of the plan jump across pages.
inline bool plan_needs_tiling(const LoopPlan& p) {
  const size_t nd = p.sizes.size();
  if (p.contiguous || nd < 2) return false;
  for (int k = 0; k < p.nops; ++k) {
    const int64_t sl = p.strides[k][nd - 1], sp = p.strides[k][nd - 2];
    if (sl != 0 && sp != 0 && (sl < 0 ? -sl : sl) > (sp < 0 ? -sp : sp)) return true;
  }
  return false;
}

// Note [Staged transposed tiles]: in a plan that mixes layouts, an input walked across its rows
// (|stride| of the last dim > that of the second-to-last, x.t() in x.t() + y) is read one element
// per cache line, and with a power-of-two row stride all rows of a tile share a few cache sets.
// When that input is contiguous down the tile's columns and its elements are 4 or 8 bytes, each
// tile of it is first copied into a row-major scratch tile with an in-register SIMD transpose
// (transpose_tile.h, which reads every source cache line exactly once), and the kernel's 1-d loop
// then runs on contiguous scratch rows, so every kernel benefits unchanged. The next tile's source
// lines are prefetched meanwhile, spread over the rows of the current one. Only inputs are staged:
// the output is the first operand, by which make_pointwise_plan orders the dims, so it is walked
// along its rows already (out.t() = a + b stages a and b); other plans keep the plain tiles.
// Results are exact (elementwise results do not depend on the order). Measured on one thread
// (thread CPU time; the cases of bench/pointwise_bench.cpp's "x.t() + y" and "exp into contiguous"
// rows) against the plain 64x64 tiles: f32 x.t() + y at 4096^2 went from 6.5x to 2.1x the
// contiguous add (4000^2: 3.0x to 2.2x), exp_out from x.t() from 9.4x to 2.0x, and f64 x.t() + y
// from 4.2x to 2.9x.
constexpr int64_t kStageRows = 64;          // rows of a tile (and of a threading unit)
constexpr int64_t kStageBytes = 64 * 1024;  // scratch for all staged operands of a tile

/// Which operands of `p` to stage (Note [Staged transposed tiles]); false if none.
inline bool plan_stage_operands(const LoopPlan& p, bool staged[kMaxOperands]) {
  const size_t nd = p.sizes.size();
  if (nd < 2) return false;
  auto across = [&](int k) {  // walks its last dim with the larger stride
    const int64_t sl = p.strides[k][nd - 1], sp = p.strides[k][nd - 2];
    return sl != 0 && sp != 0 && (sl < 0 ? -sl : sl) > (sp < 0 ? -sp : sp);
  };
  if (across(0)) return false;
  bool any = false;
  for (int k = 0; k < p.nops; ++k) {
    staged[k] = k > 0 && across(k) && p.strides[k][nd - 2] == p.elsize[k] && transpose_tile_vectorised(p.elsize[k]);
    any = any || staged[k];
  }
  return any;
}

/// The staged tiled walk of run_pointwise_plan (Note [Staged transposed tiles]).
template <class F>
void run_staged_plan(const LoopPlan& p, const bool staged[kMaxOperands], const F& f, int64_t grain) {
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

/// run_plan, but a plan that mixes layouts (plan_needs_tiling) is walked in tiles over its last
/// two dims, so each tile touches few pages and cache lines of every operand; transposed 4- and
/// 8-byte inputs are staged through SIMD-transposed scratch tiles (Note [Staged transposed tiles]).
/// x.t() + y runs at a few times the contiguous speed instead of ~20x slower
/// (bench/pointwise_bench.cpp).
template <class F>
void run_pointwise_plan(const LoopPlan& p, const F& f, int64_t grain = kGrainSize) {
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
