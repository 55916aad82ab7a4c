// Portable blocked GEMM for any element type: C = beta * C + alpha * A @ B on strided matrices.
//
// What: the readable reference kernel. It serves the dtypes BLAS has no routine for (integers),
// problems whose sizes overflow BLAS's 32-bit ints, and the tests, which use it as the oracle
// for the BLAS path.
// Why it is reasonably fast: A and B are packed block by block (MB x KB and KB x NB) into
// contiguous buffers of the accumulator type, so the inner loop is a unit-stride axpy the
// compiler vectorises; tiles of C are spread over threads.
// Accumulation: float for f16/bf16/f32, double for f64, uint64 for integers (two's complement
// wrap-around, which gives the same low bits as PyTorch's in-type accumulation, without
// signed-overflow UB).
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <type_traits>

#include "core/parallel.h"
#include "fluxion/half.h"

namespace fluxion::kernels {

/// Accumulator type used by the portable GEMM for element type T.
template <class T>
using gemm_acc_t =
    std::conditional_t<std::is_same_v<T, double>, double, std::conditional_t<std::is_integral_v<T>, uint64_t, float>>;

template <class Acc, class T>
inline Acc gemm_to_acc(T v) {
  if constexpr (std::is_integral_v<T>)
    return static_cast<Acc>(static_cast<int64_t>(v));  // sign-extend, then wrap into uint64
  else if constexpr (std::is_same_v<T, double>)
    return v;
  else
    return static_cast<Acc>(static_cast<float>(v));
}

template <class T, class Acc>
inline T gemm_from_acc(Acc v) {
  if constexpr (std::is_integral_v<T>)
    return static_cast<T>(v);  // modular conversion (well defined since C++20)
  else if constexpr (std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>)
    return T(static_cast<float>(v));
  else
    return static_cast<T>(v);
}

/// C (m x n) = beta * C + alpha * A (m x k) @ B (k x n); element strides per operand.
/// beta_zero: C is write-only. Threads over tiles of C for large problems.
template <class T>
void gemm_portable(int64_t m, int64_t n, int64_t k, gemm_acc_t<T> alpha, const T* A, int64_t a_rs, int64_t a_cs,
                   const T* B, int64_t b_rs, int64_t b_cs, gemm_acc_t<T> beta, bool beta_zero, T* C, int64_t c_rs,
                   int64_t c_cs) {
  using Acc = gemm_acc_t<T>;
  constexpr int64_t MB = 64, NB = 256, KB = 256;
  if (m <= 0 || n <= 0) return;
  const int64_t mt = (m + MB - 1) / MB, nt = (n + NB - 1) / NB;
  // Problems below ~64^3 multiply-adds stay on the calling thread.
  const int64_t grain = (m * n * std::max<int64_t>(k, 1)) < (int64_t{1} << 18) ? mt * nt : 1;
  parallel_for(mt * nt, grain, [&](int64_t t0, int64_t t1) {
    std::unique_ptr<Acc[]> apack(new Acc[MB * KB]), bpack(new Acc[KB * NB]), acc(new Acc[MB * NB]);
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t i0 = (t / nt) * MB, j0 = (t % nt) * NB;
      const int64_t mb = std::min(MB, m - i0), nb = std::min(NB, n - j0);
      std::fill(acc.get(), acc.get() + mb * NB, Acc(0));
      for (int64_t p0 = 0; p0 < k; p0 += KB) {
        const int64_t kb = std::min(KB, k - p0);
        for (int64_t i = 0; i < mb; ++i)
          for (int64_t p = 0; p < kb; ++p) apack[i * KB + p] = gemm_to_acc<Acc>(A[(i0 + i) * a_rs + (p0 + p) * a_cs]);
        for (int64_t p = 0; p < kb; ++p)
          for (int64_t j = 0; j < nb; ++j) bpack[p * NB + j] = gemm_to_acc<Acc>(B[(p0 + p) * b_rs + (j0 + j) * b_cs]);
        for (int64_t i = 0; i < mb; ++i) {
          Acc* __restrict crow = acc.get() + i * NB;
          const Acc* arow = apack.get() + i * KB;
          for (int64_t p = 0; p < kb; ++p) {
            const Acc av = arow[p];
            const Acc* __restrict brow = bpack.get() + p * NB;
            for (int64_t j = 0; j < nb; ++j) crow[j] += av * brow[j];
          }
        }
      }
      for (int64_t i = 0; i < mb; ++i)
        for (int64_t j = 0; j < nb; ++j) {
          T& c = C[(i0 + i) * c_rs + (j0 + j) * c_cs];
          Acc v = alpha * acc[i * NB + j];
          if (!beta_zero) v += beta * gemm_to_acc<Acc>(c);
          c = gemm_from_acc<T>(v);
        }
    }
  });
}

}  // namespace fluxion::kernels
