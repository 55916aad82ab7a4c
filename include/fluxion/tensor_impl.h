// TensorImpl: the state behind a Tensor handle (storage, offset, sizes, strides, dtype,
// autograd metadata). Users work with Tensor; this header is public so Tensor's hot
// accessors can be inline.
#pragma once

#include <cstdint>
#include <memory>

#include "fluxion/dtype.h"
#include "fluxion/small_vector.h"
#include "fluxion/storage.h"

namespace fluxion {

namespace autograd {
struct AutogradMeta;
}

class TensorImpl;
/// Throws for data() of a batched tensor (Note [Batched tensors]).
[[noreturn]] void vmap_tripwire(const TensorImpl& t);

class TensorImpl {
 public:
  TensorImpl(std::shared_ptr<Storage> storage, int64_t offset, Shape sizes, Shape strides, DType dtype);
  ~TensorImpl();

  const std::shared_ptr<Storage>& storage() const { return storage_; }
  int64_t storage_offset() const { return offset_; }
  const Shape& sizes() const { return sizes_; }
  const Shape& strides() const { return strides_; }
  DType dtype() const { return dtype_; }
  Device device() const { return storage_->device(); }
  int64_t dim() const { return static_cast<int64_t>(sizes_.size()); }
  int64_t numel() const { return numel_; }
  bool is_contiguous() const { return contiguous_; }
  /// Pointer to element 0 (storage data + offset * element size). On a batched tensor (below)
  /// this throws: code that reads the data directly has no batching rule.
  void* data() const {
    if (bdim_.level != 0) [[unlikely]]
      vmap_tripwire(*this);
    return static_cast<char*>(storage_->data()) + offset_ * static_cast<int64_t>(element_size(dtype_));
  }

  // Note [Batched tensors]: inside fx::func::vmap a tensor may stand for a whole batch. Its
  // sizes, strides and offset then describe example 0 (the logical, per-example tensor that the
  // user's function sees) and the batch runs along `size` steps of `stride` elements. Ops with a
  // batching rule compute on the physical tensor (batch dim first, src/ops/batching.h); views
  // keep the batch dim (make_alias); anything else reaches for data(), which throws, and vmap
  // reruns the function once per example instead (counted, and named in its warning).
  struct BatchDim {
    int32_t level = 0;   // 0: not batched; else the vmap call that batched it
    int64_t size = 0;    // batch size
    int64_t stride = 0;  // element stride between examples (0: broadcast)
  };
  const BatchDim& batch_dim() const { return bdim_; }
  bool is_batched() const { return bdim_.level != 0; }
  void set_batch_dim(const BatchDim& b) { bdim_ = b; }

  /// Changes the geometry in place (used by in-place view ops such as squeeze_, as_strided_).
  void set_geometry(Shape sizes, Shape strides, int64_t offset);
  /// Swaps in new storage and geometry (used by set_/detach-style rebinds).
  void set_storage(std::shared_ptr<Storage> storage, int64_t offset, Shape sizes, Shape strides, DType dtype);

  autograd::AutogradMeta* autograd_meta() const { return autograd_.get(); }
  autograd::AutogradMeta& ensure_autograd_meta();
  void reset_autograd_meta();

 private:
  void refresh();
  std::shared_ptr<Storage> storage_;
  int64_t offset_;
  Shape sizes_;
  Shape strides_;
  DType dtype_;
  int64_t numel_ = 1;
  bool contiguous_ = true;
  BatchDim bdim_;
  std::unique_ptr<autograd::AutogradMeta> autograd_;
};

/// A new impl sharing `src`'s storage with the given geometry; a batched `src` gives a batched
/// alias (the batch dim is untouched by every view).
std::shared_ptr<TensorImpl> make_alias(const TensorImpl& src, int64_t offset, Shape sizes, Shape strides, DType dtype);

/// Row-major contiguous strides for `sizes`.
Shape contiguous_strides(const Shape& sizes);
/// Product of sizes (1 for a 0-d tensor).
int64_t shape_numel(const Shape& sizes);

}  // namespace fluxion
