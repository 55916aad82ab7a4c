// Helpers shared by the reduction, normalisation and scan ops (src/ops/reduce*.cpp,
// softmax.cpp, scan.cpp): dim-list normalisation, output allocation and gradient expansion.
#pragma once

#include <optional>

#include "fluxion/tensor.h"

namespace fluxion::reduce_util {

/// Wraps `dims` for a tensor with `ndim` dims into a sorted list without duplicates; an empty
/// list means every dim. Errors name `op`.
Shape normalize_dims(const DimList& dims, int64_t ndim, const char* op);
/// Same, with nullopt meaning every dim.
Shape normalize_dims(const std::optional<DimList>& dims, int64_t ndim, const char* op);
/// Number of elements folded into each output.
int64_t reduced_numel(const Shape& sizes, const Shape& dims);
/// Output sizes with or without the reduced dims.
Shape reduced_sizes(const Shape& sizes, const Shape& dims, bool keepdim);
/// Allocates a contiguous output of the final shape and returns {result, keepdim-shaped alias of
/// the same memory} (the alias is what the kernels write through).
std::pair<Tensor, Tensor> make_output(const Tensor& in, const Shape& dims, bool keepdim, DType dtype);
/// What a reduction kernel is given: the tensors themselves, or for a batched input (Note
/// [Batched tensors]) the physical ones with the reduced dims shifted past the batch dim.
struct KernelArgs {
  Tensor out, in;
  Shape dims;
};
KernelArgs kernel_args(const Tensor& out, const Tensor& in, const Shape& dims);
/// Re-inserts the reduced dims as size 1 (when !keepdim): differentiable view ops only.
Tensor unsqueeze_reduced(const Tensor& g, const Shape& dims, bool keepdim);
/// unsqueeze_reduced then expand to `in_sizes`: the VJP of a sum.
Tensor expand_reduced(const Tensor& g, const Shape& in_sizes, const Shape& dims, bool keepdim);
/// `x` itself when contiguous, else a contiguous copy made without recording autograd (for
/// handing to kernels).
Tensor contiguous_nograd(const Tensor& x);
/// Checks the tensor is defined (op-named error).
void check_defined(const Tensor& x, const char* op);
/// The dtype PyTorch's sum/prod/cumsum give: `dtype` if set, int64 for integral/bool, else x's.
DType sum_result_dtype(const Tensor& x, std::optional<DType> dtype);

}  // namespace fluxion::reduce_util

namespace fluxion::detail {
/// Reverses `x` along `dim` (a copy; differentiable). Used by the scan VJPs.
Tensor flip_dim(const Tensor& x, int64_t dim);
/// Pads `x` along `dim` with `before`/`after` copies of `value` (differentiable).
Tensor pad_dim(const Tensor& x, int64_t dim, int64_t before, int64_t after, double value);
/// prod over `dim` of all elements except the one at each position (keeps x's shape); exact
/// with zeros, differentiable. The VJP of prod.
Tensor prod_others(const Tensor& x, int64_t dim);
}  // namespace fluxion::detail
