// Kernel tables for reductions, normalising functions and scans. Keyed by the device and the
// dtype of the INPUT; the op layer allocates the outputs (contiguous) with the dtype the kernel
// expects (documented per table) and converts inputs beforehand when the user asks for another
// dtype. `dims` are sorted, wrapped, unique dims of `in`; reduction outputs are contiguous with
// the keepdim shape (reduced dims have size 1).
#pragma once

#include "fluxion/tensor.h"
#include "kernels/dispatch.h"

namespace fluxion::kernels {

/// out = project(fold over dims of in). `arg` is op specific: the scale for sum (1 for sum,
/// 1/n for mean), p for norm, unused otherwise.
using ReduceFn = void (*)(const Tensor& out, const Tensor& in, const Shape& dims, double arg);
/// values/indices along one dim (values may be undefined: argmax/argmin only).
using ReduceIndexFn = void (*)(const Tensor& values, const Tensor& indices, const Tensor& in, int64_t dim);
/// var (with `correction`; its square root when take_sqrt) and mean over dims; either output may
/// be undefined.
using VarMeanFn = void (*)(const Tensor& var, const Tensor& mean, const Tensor& in, const Shape& dims,
                           double correction, bool take_sqrt);
/// out = softmax/log_softmax of a contiguous `in` along dim (out contiguous, same dtype).
using SoftmaxFn = void (*)(const Tensor& out, const Tensor& in, int64_t dim);
/// out = inclusive scan of a contiguous `in` along dim (reverse: from the end).
using ScanFn = void (*)(const Tensor& out, const Tensor& in, int64_t dim, bool reverse);

// out dtype: in dtype for floating inputs, int64 for integral/bool inputs.
FX_DECLARE_KERNEL(sum_kernel, ReduceFn);
FX_DECLARE_KERNEL(prod_kernel, ReduceFn);
// out dtype = in dtype; NaN propagates.
FX_DECLARE_KERNEL(amax_kernel, ReduceFn);
FX_DECLARE_KERNEL(amin_kernel, ReduceFn);
// Floating inputs only, out dtype = in dtype. arg = p (0, 1, 2, inf, -inf or any other real).
FX_DECLARE_KERNEL(norm_kernel, ReduceFn);
// Floating inputs only, out dtype = in dtype.
FX_DECLARE_KERNEL(logsumexp_kernel, ReduceFn);
// out dtype: bool, or uint8 for uint8 inputs (as PyTorch).
FX_DECLARE_KERNEL(all_kernel, ReduceFn);
FX_DECLARE_KERNEL(any_kernel, ReduceFn);
// out dtype int64.
FX_DECLARE_KERNEL(count_nonzero_kernel, ReduceFn);
// values dtype = in dtype, indices int64 (first occurrence; first NaN wins).
FX_DECLARE_KERNEL(max_dim_kernel, ReduceIndexFn);
FX_DECLARE_KERNEL(min_dim_kernel, ReduceIndexFn);
// Floating inputs only; outputs in dtype.
FX_DECLARE_KERNEL(var_mean_kernel, VarMeanFn);
FX_DECLARE_KERNEL(softmax_kernel, SoftmaxFn);
FX_DECLARE_KERNEL(log_softmax_kernel, SoftmaxFn);
// out dtype: in dtype for floating inputs, int64 for integral/bool inputs.
FX_DECLARE_KERNEL(cumsum_kernel, ScanFn);
FX_DECLARE_KERNEL(cumprod_kernel, ScanFn);

}  // namespace fluxion::kernels
