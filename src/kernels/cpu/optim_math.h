// Helpers shared by the CPU optimiser kernels. The update loops are written branch-free: every
// option that changes the control flow (weight decay, AMSGrad, centering, ...) is a template flag
// chosen once per call with with_flags(), so the compiler vectorises each instantiation. The
// element formulas themselves are in kernels/optim_functors.h (shared with CUDA).
//
// Why this matters: with a runtime `if` per element and errno-setting sqrt, GCC vectorised none
// of these loops and Adam took ~5x the memory-bound time on a 10M-element parameter.
//
// sqrt only vectorises when it need not set errno, i.e. with -fno-math-errno on the command line
// (GCC 12 ignores no-math-errno in `optimize` pragmas/attributes, checked with -fopt-info-vec);
// without it the sqrt-free loops still vectorise and the others run scalar but branch-free.
#pragma once

#include <cmath>
#include <cstdint>
#include <type_traits>

#include "core/parallel.h"
#include "fluxion/half.h"
#include "kernels/optim_functors.h"

namespace fluxion::kernels::optim_math {

/// Compute type: double for double, float for float/Half/BFloat16.
template <class T>
using acc_t = std::conditional_t<std::is_same_v<T, double>, double, float>;

/// f(std::integral_constant<bool, b0>{}, ..., ) for runtime booleans b0.. (2^n instantiations).
template <class F>
inline void with_flags(const F& f) {
  f();
}
template <class F, class... Rest>
inline void with_flags(const F& f, bool first, Rest... rest) {
  if (first)
    with_flags([&](auto... ks) { f(std::true_type{}, ks...); }, rest...);
  else
    with_flags([&](auto... ks) { f(std::false_type{}, ks...); }, rest...);
}

#if defined(__GNUC__) && !defined(__clang__)
#define FX_OPTIM_IVDEP _Pragma("GCC ivdep")
#else
#define FX_OPTIM_IVDEP
#endif

/// body(i) for i in [0, n), threaded above kGrainSize. `body` should capture by value and be
/// branch-free. Each chunk runs a private copy of it, so the captured scalars provably do not
/// alias the arrays being written; iterations touch disjoint elements (ivdep), so the loop
/// vectorises without runtime alias checks.
template <class Body>
inline void for_each_index(int64_t n, const Body& body) {
  parallel_for(n, kGrainSize, [&](int64_t b, int64_t e) {
    const Body local = body;
    FX_OPTIM_IVDEP
    for (int64_t i = b; i < e; ++i) local(i);
  });
}

}  // namespace fluxion::kernels::optim_math
