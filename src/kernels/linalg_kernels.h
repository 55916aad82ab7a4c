// Kernel tables for matrix products. One primitive covers mm, bmm, mv, dot and the batched,
// broadcast matmul: a batched strided GEMM
//   C[b] = beta * C[b] + alpha * A[b] @ B[b]      A: (m, k), B: (k, n), C: (m, n)
// where b runs over an N-d batch shape and every operand has its own element strides for rows,
// columns and each batch dim (stride 0 broadcasts). Ops build the descriptor from tensor views
// (transposes and expands need no copy); the kernel picks BLAS flags/leading dims or packs.
#pragma once

#include <cstdint>

#include "fluxion/scalar.h"
#include "fluxion/small_vector.h"
#include "fluxion/tensor_impl.h"  // shape_numel
#include "kernels/dispatch.h"

namespace fluxion::kernels {

/// One matrix operand: element (0, 0) of batch 0 and its element strides.
struct GemmOperand {
  char* data = nullptr;
  int64_t rs = 0, cs = 0;  // element strides of rows and columns
  Shape bstrides;          // element stride per batch dim (0 = broadcast); size == batch.size()
};

/// A batched strided GEMM. All operands have the kernel's dtype.
struct GemmParams {
  Shape batch;  // batch sizes (empty for a single product)
  int64_t m = 0, n = 0, k = 0;
  GemmOperand a, b, c;  // C must not overlap A or B; C's (row, col) map to distinct elements
  Scalar alpha = 1;
  Scalar beta = 0;  // beta == 0: C is write-only (NaN/Inf already in C are ignored, as BLAS)
};

using GemmFn = void (*)(const GemmParams&);
/// Keyed by (device, dtype) of the operands.
FX_DECLARE_KERNEL(gemm_kernel, GemmFn);

}  // namespace fluxion::kernels
