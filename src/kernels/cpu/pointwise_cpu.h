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
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) && \
    !defined(FLUXION_NO_ISA_CLONES)
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

/// run_plan, but a plan that mixes layouts (plan_needs_tiling) is walked in tiles over its last
/// two dims, so each tile touches few pages and cache lines of every operand; transposed 4- and
/// 8-byte inputs are staged through SIMD-transposed scratch tiles (Note [Staged transposed tiles]).
/// x.t() + y runs at a few times the contiguous speed instead of ~20x slower
/// (bench/pointwise_bench.cpp). Compiled once (Note [Type-erased plan walkers]).
void run_pointwise_plan(const LoopPlan& p, LoopFnRef f, int64_t grain = kGrainSize);

}  // namespace fluxion::kernels
