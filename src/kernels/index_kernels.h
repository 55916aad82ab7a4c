// Kernel tables for indexing, scattering, sorting and friends. The ops in src/ops/index*.cpp,
// sort.cpp, join.cpp and pad.cpp call these; CPU implementations register themselves in
// src/kernels/cpu/index_*.cpp and sort*.cpp.
//
// Note [Offset-based gather/scatter]: every gather-like op (advanced indexing, index_select,
// gather, flip) is lowered to one kernel, `index_gather_kernel`, and every scatter-like op
// (index_put, scatter, scatter_add, scatter_reduce) to `index_put_kernel`. The op first turns
// its index tensors into int64 element offsets (`index_offsets_kernel`, which also range-checks
// them), then views the source/destination with stride 0 along the indexed dimensions, so that
// element p of the iteration lives at `base(p) + off[p]`. All three operands of the gather/put
// share one iteration shape, so the strided N-d loop machinery of loops.h applies unchanged.
#pragma once

#include <cstdint>

#include "fluxion/tensor.h"
#include "kernels/dispatch.h"

namespace fluxion::kernels {

/// off[p] += idx'[p] * stride, where idx' is idx (int32/int64) with negatives wrapped by `size`
/// when `wrap_negative` (advanced indexing) or rejected otherwise (gather/scatter). Throws
/// "<op>: index 7 is out of bounds for dimension <dim> with size <size>". `off` is int64 and
/// contiguous; `idx` has off's sizes (may be an expanded view). Keyed by idx's dtype.
using IndexOffsetsFn = void (*)(const Tensor& off, const Tensor& idx, int64_t size, int64_t stride, int64_t dim,
                                bool wrap_negative, const char* op);
FX_DECLARE_KERNEL(index_offsets_kernel, IndexOffsetsFn);

/// out[p] = *(src.data + src_offset(p) + off[p]); src and off are (restrided) views with out's
/// sizes; `off` holds int64 element offsets. Keyed by out's dtype (src has the same dtype).
using IndexGatherFn = void (*)(const Tensor& out, const Tensor& src, const Tensor& off);
FX_DECLARE_KERNEL(index_gather_kernel, IndexGatherFn);

/// How index_put_kernel combines a value with the destination element.
enum class PutMode : int8_t { Assign, Add, Mul, Max, Min };
/// self[p + off[p]] = combine(self[...], values[p]) for every p of the iteration shape. self,
/// values and off have the same sizes; the dims where `self` has stride 0 are the indexed ones
/// (several p may address one element there): they are walked serially per position of the
/// other dims, so duplicates accumulate exactly even when threaded. Keyed by self's dtype
/// (values has the same dtype). Max/Min propagate NaN like PyTorch.
using IndexPutFn = void (*)(const Tensor& self, const Tensor& values, const Tensor& off, PutMode mode);
FX_DECLARE_KERNEL(index_put_kernel, IndexPutFn);

/// (n, ndim) int64 coordinates of the non-zero elements of x, in row-major order.
using NonzeroFn = Tensor (*)(const Tensor& x);
FX_DECLARE_KERNEL(nonzero_kernel, NonzeroFn);

/// out = tril(x, diagonal) (upper = false) or triu(x, diagonal) over the last two dims.
using TriFn = void (*)(const Tensor& out, const Tensor& x, int64_t diagonal, bool upper);
FX_DECLARE_KERNEL(tri_kernel, TriFn);

/// Sorts x along `dim` into values (x's dtype) and indices (int64), both with x's sizes.
/// NaN sorts as the largest value; ties keep their original order (always stable).
using SortFn = void (*)(const Tensor& values, const Tensor& indices, const Tensor& x, int64_t dim, bool descending);
FX_DECLARE_KERNEL(sort_kernel, SortFn);

/// The k largest (or smallest) entries along `dim`, in sorted order; ties prefer the lower index.
using TopkFn = void (*)(const Tensor& values, const Tensor& indices, const Tensor& x, int64_t k, int64_t dim,
                        bool largest);
FX_DECLARE_KERNEL(topk_kernel, TopkFn);

/// Unique rows of a contiguous (n, m) tensor in lexicographic order. Returns values (u, m),
/// inverse (n) and counts (u), both int64.
struct UniqueResult {
  Tensor values, inverse, counts;
};
using UniqueFn = UniqueResult (*)(const Tensor& rows);
FX_DECLARE_KERNEL(unique_kernel, UniqueFn);

/// out[..., j] = first i with seq[..., i] >= v[..., j] (right: > v), seq sorted along its last
/// dim. seq is (B, S) and values (B, V) contiguous with the same dtype, or seq is (1, S) and
/// shared by every row. out is int64 or int32 with values' sizes. Keyed by the values' dtype.
using SearchsortedFn = void (*)(const Tensor& out, const Tensor& seq, const Tensor& values, bool right);
FX_DECLARE_KERNEL(searchsorted_kernel, SearchsortedFn);

}  // namespace fluxion::kernels
