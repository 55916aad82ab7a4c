#include "fluxion/tensor_impl.h"

#include "fluxion/autograd.h"

namespace fluxion {

Shape contiguous_strides(const Shape& sizes) {
  Shape strides(sizes.size(), int64_t{1});
  int64_t acc = 1;
  for (size_t i = sizes.size(); i-- > 0;) {
    strides[i] = acc;
    acc *= sizes[i] > 1 ? sizes[i] : 1;
  }
  return strides;
}

int64_t shape_numel(const Shape& sizes) {
  int64_t n = 1;
  for (int64_t s : sizes) n *= s;
  return n;
}

TensorImpl::TensorImpl(std::shared_ptr<Storage> storage, int64_t offset, Shape sizes, Shape strides, DType dtype)
    : storage_(std::move(storage)),
      offset_(offset),
      sizes_(std::move(sizes)),
      strides_(std::move(strides)),
      dtype_(dtype) {
  refresh();
}

TensorImpl::~TensorImpl() = default;

std::shared_ptr<TensorImpl> make_alias(const TensorImpl& src, int64_t offset, Shape sizes, Shape strides, DType dtype) {
  auto impl = std::make_shared<TensorImpl>(src.storage(), offset, std::move(sizes), std::move(strides), dtype);
  impl->set_batch_dim(src.batch_dim());
  return impl;
}

void TensorImpl::refresh() {
  numel_ = shape_numel(sizes_);
  // Contiguous: row-major with size-1 dims free to have any stride (PyTorch's definition).
  contiguous_ = true;
  int64_t expected = 1;
  for (size_t i = sizes_.size(); i-- > 0;) {
    if (sizes_[i] == 1) continue;
    if (strides_[i] != expected) {
      contiguous_ = false;
      break;
    }
    expected *= sizes_[i];
  }
  if (numel_ == 0) contiguous_ = true;
}

void TensorImpl::set_geometry(Shape sizes, Shape strides, int64_t offset) {
  sizes_ = std::move(sizes);
  strides_ = std::move(strides);
  offset_ = offset;
  refresh();
}

void TensorImpl::set_storage(std::shared_ptr<Storage> storage, int64_t offset, Shape sizes, Shape strides,
                             DType dtype) {
  storage_ = std::move(storage);
  dtype_ = dtype;
  set_geometry(std::move(sizes), std::move(strides), offset);
}

autograd::AutogradMeta& TensorImpl::ensure_autograd_meta() {
  if (!autograd_) autograd_ = std::make_unique<autograd::AutogradMeta>();
  return *autograd_;
}

void TensorImpl::reset_autograd_meta() { autograd_.reset(); }

}  // namespace fluxion
