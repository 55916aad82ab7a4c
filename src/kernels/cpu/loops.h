// Elementwise iteration over up to four same-shaped operands (one output first, then inputs),
// with byte strides (0 for broadcast dims). Dims are coalesced so a contiguous or simply
// strided tensor becomes one long inner loop; a fully contiguous plan is a flat loop split
// across threads. Kernels supply the inner 1-d loop:
//   f(char** ptrs, const int64_t* byte_strides, int64_t n)
#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <type_traits>

#include "core/parallel.h"
#include "fluxion/tensor.h"

namespace fluxion::kernels {

constexpr int kMaxOperands = 4;

struct LoopPlan {
  int nops = 0;
  char* base[kMaxOperands] = {};
  int64_t elsize[kMaxOperands] = {};
  Shape sizes;                  // coalesced sizes, innermost last
  Shape strides[kMaxOperands];  // byte strides per operand
  int64_t numel = 0;
  bool contiguous = false;  // every operand dense in row-major order
};

/// Builds a plan; all operands must already have the same sizes (broadcast views allowed).
LoopPlan make_plan(std::initializer_list<const Tensor*> ops);

// Note [Type-erased plan walkers]: the walkers below (run_plan here, run_pointwise_plan in
// pointwise_cpu.h) are compiled once, in loops.cpp / pointwise_plan.cpp, and call the kernel's
// inner 1-d loop through a LoopFnRef: one indirect call per contiguous chunk or per row, which is
// noise next to the row's work. Templating the walkers instead inlined every kernel's loop into
// each of their four code paths: pointwise_binary.cpp alone took 147 s to compile at -O3
// (~400 s under ASan) for no measurable speed.

/// A non-owning reference to an inner loop `f(char** ptrs, const int64_t* byte_strides, int64_t n)`.
class LoopFnRef {
 public:
  template <class F>
  requires(!std::is_same_v<std::decay_t<F>, LoopFnRef>)
      LoopFnRef(const F& f)  // NOLINT: implicit, so walkers take lambdas directly
      : obj_(&f),
        call_([](const void* o, char** d, const int64_t* s, int64_t n) { (*static_cast<const F*>(o))(d, s, n); }) {}
  void operator()(char** d, const int64_t* s, int64_t n) const { call_(obj_, d, s, n); }

 private:
  const void* obj_;
  void (*call_)(const void*, char**, const int64_t*, int64_t);
};

/// Runs the 1-d loop `f` over the whole plan, threaded above `grain` elements.
void run_plan(const LoopPlan& p, LoopFnRef f, int64_t grain = kGrainSize);

/// Value conversion between element types (bool: nonzero; half types through float).
template <class To, class From>
inline To cast_value(From v) {
  if constexpr (std::is_same_v<To, From>) {
    return v;
  } else if constexpr (std::is_same_v<To, bool>) {
    return static_cast<float>(v) != 0.0f || static_cast<double>(v) != 0.0;
  } else if constexpr (std::is_same_v<To, Half> || std::is_same_v<To, BFloat16>) {
    return To(static_cast<float>(v));
  } else if constexpr (std::is_same_v<From, Half> || std::is_same_v<From, BFloat16>) {
    return static_cast<To>(static_cast<float>(v));
  } else {
    return static_cast<To>(v);
  }
}

/// out[i] = f(a[i]) with a contiguous fast path the compiler vectorises.
template <class Out, class A, class F>
inline void unary_loop(char** d, const int64_t* s, int64_t n, const F& f) {
  Out* o = reinterpret_cast<Out*>(d[0]);
  const A* a = reinterpret_cast<const A*>(d[1]);
  if (s[0] == sizeof(Out) && s[1] == sizeof(A)) {
    for (int64_t i = 0; i < n; ++i) o[i] = f(a[i]);
  } else {
    for (int64_t i = 0; i < n; ++i)
      *reinterpret_cast<Out*>(d[0] + i * s[0]) = f(*reinterpret_cast<const A*>(d[1] + i * s[1]));
  }
}

/// out[i] = f(a[i], b[i]) with fast paths for contiguous and scalar-broadcast inputs.
template <class Out, class A, class B, class F>
inline void binary_loop(char** d, const int64_t* s, int64_t n, const F& f) {
  Out* o = reinterpret_cast<Out*>(d[0]);
  const A* a = reinterpret_cast<const A*>(d[1]);
  const B* b = reinterpret_cast<const B*>(d[2]);
  if (s[0] == sizeof(Out)) {
    if (s[1] == sizeof(A) && s[2] == sizeof(B)) {
      for (int64_t i = 0; i < n; ++i) o[i] = f(a[i], b[i]);
      return;
    }
    if (s[1] == sizeof(A) && s[2] == 0) {
      const B bv = *b;
      for (int64_t i = 0; i < n; ++i) o[i] = f(a[i], bv);
      return;
    }
    if (s[1] == 0 && s[2] == sizeof(B)) {
      const A av = *a;
      for (int64_t i = 0; i < n; ++i) o[i] = f(av, b[i]);
      return;
    }
  }
  for (int64_t i = 0; i < n; ++i)
    *reinterpret_cast<Out*>(d[0] + i * s[0]) =
        f(*reinterpret_cast<const A*>(d[1] + i * s[1]), *reinterpret_cast<const B*>(d[2] + i * s[2]));
}

/// out[i] = f(a[i], b[i], c[i]).
template <class Out, class A, class B, class C, class F>
inline void ternary_loop(char** d, const int64_t* s, int64_t n, const F& f) {
  for (int64_t i = 0; i < n; ++i)
    *reinterpret_cast<Out*>(d[0] + i * s[0]) =
        f(*reinterpret_cast<const A*>(d[1] + i * s[1]), *reinterpret_cast<const B*>(d[2] + i * s[2]),
          *reinterpret_cast<const C*>(d[3] + i * s[3]));
}

}  // namespace fluxion::kernels
