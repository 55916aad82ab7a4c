// Host-side helpers of the CUDA backend: operand descriptors (kern::Strided) from tensors or raw
// strided buffers, dimension coalescing, dtype mapping and device checks.
#pragma once

#include <array>
#include <cstdint>

#include "cuda/context.h"
#include "cuda/launch.h"
#include "fluxion/error.h"
#include "fluxion/tensor.h"

namespace fluxion::cuda::detail {

/// The launchers' element type of a dtype (every dtype has one; each launcher rejects the types
/// it has no code for).
inline kern::Ty to_ty(DType dt) {
  switch (dt) {
    case DType::Float32: return kern::Ty::F32;
    case DType::Float64: return kern::Ty::F64;
    case DType::Int64: return kern::Ty::I64;
    case DType::Int32: return kern::Ty::I32;
    case DType::Bool: return kern::Ty::Bool;
    case DType::Float16: return kern::Ty::F16;
    case DType::BFloat16: return kern::Ty::BF16;
    case DType::Int8: return kern::Ty::I8;
    case DType::UInt8: return kern::Ty::U8;
  }
  FX_FAIL("CUDA: unknown dtype ", static_cast<int>(dt));
}

/// Operands of one kernel: sizes shared by all, element strides and element size per operand.
/// Size-1 dims are dropped and dims that are contiguous for every operand merged.
template <int N>
kern::Strided<N> make_strided(const Shape& sizes, const std::array<char*, N>& data,
                              const std::array<const int64_t*, N>& strides, const std::array<int64_t, N>& elem) {
  kern::Strided<N> it;
  for (int k = 0; k < N; ++k) it.data[k] = data[k];
  int nd = 0;
  int64_t sz[64];
  int64_t st[N][64];
  FX_CHECK(sizes.size() <= 64, "CUDA kernels: too many dimensions (", sizes.size(), ")");
  for (size_t d = 0; d < sizes.size(); ++d) {
    if (sizes[d] == 1) continue;
    sz[nd] = sizes[d];
    for (int k = 0; k < N; ++k) st[k][nd] = strides[k][d] * elem[k];
    ++nd;
  }
  // Merge dim i into i-1 (outer) when every operand steps through them as one.
  int out = 0;
  for (int d = 0; d < nd; ++d) {
    if (out > 0) {
      bool merge = true;
      for (int k = 0; k < N; ++k) merge = merge && st[k][out - 1] == st[k][d] * sz[d];
      if (merge) {
        sz[out - 1] *= sz[d];
        for (int k = 0; k < N; ++k) st[k][out - 1] = st[k][d];
        continue;
      }
    }
    sz[out] = sz[d];
    for (int k = 0; k < N; ++k) st[k][out] = st[k][d];
    ++out;
  }
  FX_CHECK(out <= kern::kMaxDims, "CUDA kernels: at most ", kern::kMaxDims,
           " non-mergeable dimensions are supported (got ", out, "); make the tensor contiguous first");
  it.nd = out;
  bool contiguous = out <= 1;
  for (int d = 0; d < out; ++d) {
    it.sizes[d] = sz[d];
    for (int k = 0; k < N; ++k) it.strides[k][d] = st[k][d];
  }
  if (out == 1)
    for (int k = 0; k < N; ++k) contiguous = contiguous && st[k][0] == elem[k];
  it.contiguous = contiguous;
  return it;
}

/// The device all (defined) tensors share; a clear error naming both devices otherwise.
inline int common_cuda_device(std::initializer_list<const Tensor*> ts, const char* what) {
  int dev = -1;
  for (const Tensor* t : ts) {
    if (!t->defined()) continue;
    FX_CHECK(t->is_cuda(), what, ": expected all tensors on a CUDA device, but found one on ", t->device().str());
    if (dev < 0) dev = t->device().index();
    FX_CHECK(t->device().index() == dev, what,
             ": expected all tensors to be on the same device, but found tensors on cuda:", dev, " and ",
             t->device().str());
  }
  return dev;
}

/// Descriptor of N same-sized tensors (undefined ones get a null pointer and zero strides).
template <int N>
kern::Strided<N> strided_of(const std::array<const Tensor*, N>& ts) {
  const Tensor& ref = *ts[0];
  std::array<char*, N> data{};
  std::array<const int64_t*, N> strides{};
  std::array<int64_t, N> elem{};
  static const Shape kZeros(64, int64_t{0});
  for (int k = 0; k < N; ++k) {
    if (ts[k]->defined()) {
      FX_ASSERT(ts[k]->sizes() == ref.sizes());
      data[k] = static_cast<char*>(const_cast<void*>(ts[k]->data_ptr()));
      strides[k] = ts[k]->strides().data();
      elem[k] = static_cast<int64_t>(ts[k]->element_size());
    } else {
      strides[k] = kZeros.data();
      elem[k] = 1;
    }
  }
  return make_strided<N>(ref.sizes(), data, strides, elem);
}

}  // namespace fluxion::cuda::detail
