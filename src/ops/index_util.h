// Internal helpers shared by the index/scatter/join/sort ops (not part of the public API).
#pragma once

#include <string>
#include <vector>

#include "fluxion/autograd.h"
#include "fluxion/tensor.h"

namespace fluxion::detail {

/// A view of x's storage with the given geometry, recorded nowhere (for feeding kernels).
Tensor raw_view(const Tensor& x, const Shape& sizes, const Shape& strides, int64_t offset);
/// A contiguous copy of x, recorded nowhere.
Tensor raw_clone(const Tensor& x);
/// A contiguous batched copy of x with batch size B (x unbatched: repeated along the batch).
Tensor batched_clone(const Tensor& x, int64_t B);
/// Throws unless idx is int64 or int32 (or only int64 when int64_only).
void check_index_dtype(const Tensor& idx, const char* op, bool int64_only = false);
/// Throws when `t` is not on x's device.
void check_same_device(const Tensor& x, const Tensor& t, const char* op, const char* what);
/// Throws when writing to x would write one memory location twice (stride 0 on a dim of size > 1).
void check_no_internal_overlap(const Tensor& x, const char* op);

/// Advanced indexing lowered to offsets (Note [Offset-based gather/scatter]).
struct AdvancedIndex {
  Tensor src;          // x restrided to result_sizes with stride 0 over the index dims
  Tensor off;          // int64 element offsets, restrided to result_sizes
  Shape result_sizes;  // sizes of x.index(indices)
};
/// Builds the gather/put geometry for x[indices] (undefined entries mean ':'; bool/uint8
/// tensors are masks over as many dims as they have). Range-checks every index; negative
/// indices wrap when `wrap_negative`.
AdvancedIndex make_advanced_index(const Tensor& x, const std::vector<Tensor>& indices, bool wrap_negative,
                                  const char* op);

/// Differentiable x[indices] (the shared implementation of index and index_select).
Tensor index_op(const Tensor& x, const std::vector<Tensor>& indices, bool wrap_negative, const char* op);
/// Differentiable out-of-place index_put (index_put, index_add, index_fill, masked_scatter).
Tensor index_put_op(const Tensor& x, const std::vector<Tensor>& indices, const Tensor& values, bool accumulate,
                    bool wrap_negative, const char* op);
/// In-place index_put without autograd (the kernel path of every in-place variant).
void index_put_raw_(const Tensor& self, const std::vector<Tensor>& indices, const Tensor& values, bool accumulate,
                    bool wrap_negative, const char* op);

/// Packs a list with undefined entries into saved tensors plus their positions, and back.
struct PackedIndices {
  TensorList defined;
  std::vector<size_t> positions;
  size_t size = 0;
};
PackedIndices pack_indices(const std::vector<Tensor>& indices);
std::vector<Tensor> unpack_indices(const PackedIndices& p, const TensorList& saved, size_t first);

/// A list of `dim` undefined entries followed by `idx` (index along one dim).
std::vector<Tensor> indices_at_dim(int64_t dim, const Tensor& idx);

}  // namespace fluxion::detail
