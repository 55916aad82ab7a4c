// Launchers of the remaining CUDA reductions and scans (reduce_more.cu), called by
// reduce_more.cpp with plain descriptors: shared by nvcc and the C++ compiler, includes nothing
// from the tensor library.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

#include "cuda/launch.h"

namespace fluxion::cuda::kern {

/// Row reductions of reduce_more.cu.
enum class RowOp : int {
  Prod,          // out: the input type for floats, int64 for integers and bool
  All,           // out: bool
  Any,           // out: bool
  CountNonzero,  // out: int64
  Norm0,         // the norms and logsumexp: floats only, out of the input type
  Norm1,
  Norm2,
  NormInf,
  NormNegInf,
  NormP,
  LogSumExp,
};

/// out[r] = op over in[r, 0:cols] for a contiguous rows x cols input; `p` for NormP.
void reduce_rows_more(const void* in, void* out, int64_t rows, int64_t cols, Ty t, RowOp op, double p, void* scratch,
                      cudaStream_t s);

/// Bytes of device scratch reduce_rows_more / var_mean_rows need: the partial accumulators when
/// few long rows are split over several blocks, 0 otherwise.
size_t reduce_more_scratch_bytes(int64_t rows, int64_t cols);

/// var[r] (with `correction`, its square root when take_sqrt) and mean[r] of in[r, 0:cols]
/// (f32/f64, outputs of the input type, either may be null). Statistics in double.
void var_mean_rows(const void* in, void* var, void* mean, int64_t rows, int64_t cols, Ty t, double correction,
                   bool take_sqrt, void* scratch, cudaStream_t s);

/// Inclusive scan (sum, or product when prod) of a contiguous [outer, D, inner] input along D,
/// from the end when reverse. Output: the input type for floats, int64 otherwise; the running
/// value in double for floats (as the CPU kernel), int64 for integers and bool.
void scan_dim(const void* in, void* out, int64_t outer, int64_t D, int64_t inner, Ty t, bool prod, bool reverse,
              cudaStream_t s);

}  // namespace fluxion::cuda::kern
