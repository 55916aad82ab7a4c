// Tensor handle: metadata accessors, item(), conversion and copies.
#include "fluxion/tensor.h"

#include "core/batched.h"
#include "core/vmap_state.h"

#include "core/cuda_hooks.h"
#include "fluxion/autograd.h"
#include "fluxion/ops/creation.h"
#include "fluxion/ops/view.h"
#include "kernels/cpu/copy.h"

namespace fluxion {

int64_t Tensor::size(int64_t d) const { return sizes()[static_cast<size_t>(wrap_dim(d, dim(), "size"))]; }
int64_t Tensor::stride(int64_t d) const { return strides()[static_cast<size_t>(wrap_dim(d, dim(), "stride"))]; }

void Tensor::check_dtype_for_access(DType requested) const {
  FX_CHECK(defined(), "data_ptr: tensor is undefined");
  FX_CHECK(requested == dtype(), "data_ptr: requested ", dtype_name(requested), " but the tensor holds ",
           dtype_name(dtype()));
}

Scalar Tensor::item() const {
  FX_CHECK(defined(), "item: tensor is undefined");
  FX_CHECK(numel() == 1, "item: a tensor with ", numel(), " elements cannot be converted to a scalar (sizes ", sizes(),
           ")");
  Tensor c = is_cpu() ? *this : to(kCPU);
  const void* p = c.data_ptr();
  switch (dtype()) {
    case DType::Float32: return Scalar(*static_cast<const float*>(p));
    case DType::Float64: return Scalar(*static_cast<const double*>(p));
    case DType::Float16: return Scalar(static_cast<float>(*static_cast<const Half*>(p)));
    case DType::BFloat16: return Scalar(static_cast<float>(*static_cast<const BFloat16*>(p)));
    case DType::Int8: return Scalar(*static_cast<const int8_t*>(p));
    case DType::UInt8: return Scalar(*static_cast<const uint8_t*>(p));
    case DType::Int32: return Scalar(*static_cast<const int32_t*>(p));
    case DType::Int64: return Scalar(*static_cast<const int64_t*>(p));
    case DType::Bool: return Scalar(*static_cast<const bool*>(p));
  }
  FX_FAIL("item: unknown dtype");
}

// ---- conversion ------------------------------------------------------------------------------

namespace {
// Copies a tensor to another device (same dtype): made contiguous on its own device first, then
// one memcpy through the CUDA backend. Synchronous unless non_blocking and the host side is pinned.
Tensor transfer(const Tensor& x, Device device, bool non_blocking) {
  if (!detail::cuda_memcpy_hook) detail::fail_no_cuda("to: cannot copy a tensor", x.is_cpu() ? device : x.device());
  Tensor src = x.contiguous();
  Tensor out = empty(x.sizes(), TensorOptions(x.dtype()).device(device));
  const size_t nbytes = static_cast<size_t>(src.numel()) * src.element_size();
  if (nbytes) detail::cuda_memcpy_hook(out.data_ptr(), device, src.data_ptr(), src.device(), nbytes, non_blocking);
  return out;
}

// Differentiable dtype/device conversion: the gradient converts back.
Tensor convert(const Tensor& x, Device device, DType dtype, bool non_blocking) {
  Tensor out;
  const bool same_device = x.device() == device || (x.is_cpu() && device.is_cpu());
  if (batched::is_batched(x) && same_device) {
    const int64_t B = batched::batch_size({&x});  // Note [Batched tensors]
    out = batched::wrap(empty(batched::batched_sizes(B, x.sizes()), TensorOptions(dtype).device(device)));
    kernels::copy_kernel.get(device.type(), dtype)(batched::physical(out, B), batched::physical(x, B));
  } else if (same_device) {
    out = empty(x.sizes(), TensorOptions(dtype).device(device));
    kernels::copy_kernel.get(device.type(), dtype)(out, x);
  } else if (device.is_cpu()) {
    // Device to host: bytes first, then the dtype conversion on the CPU (every dtype works).
    out = transfer(x, device, non_blocking);
    if (out.dtype() != dtype) {
      Tensor c = empty(x.sizes(), TensorOptions(dtype).device(device));
      kernels::copy_kernel.get(device.type(), dtype)(c, out);
      out = c;
    }
  } else {
    // Host (or another GPU) to device: convert on the source, then copy the bytes.
    Tensor src = x;
    if (x.dtype() != dtype) {
      src = empty(x.sizes(), TensorOptions(dtype).device(x.device()));
      kernels::copy_kernel.get(x.device().type(), dtype)(src, x);
    }
    out = transfer(src, device, non_blocking);
  }
  if (autograd::needs_record({&x}) && is_floating_point(dtype) && x.is_floating_point()) {
    DType src_dtype = x.dtype();
    Device src_dev = x.device();
    autograd::record(
        "ToCopyBackward0", {x}, {out},
        [src_dtype, src_dev](const autograd::BackwardArgs& a) { return TensorList{a.grad().to(src_dev, src_dtype)}; },
        [device, dtype](const TensorList& t) { return TensorList{t[0].to(device, dtype)}; });
  }
  return out;
}
}  // namespace

Tensor Tensor::to(DType dt, bool copy) const { return to(device(), dt, false, copy); }
Tensor Tensor::to(Device dev, bool non_blocking, bool copy) const { return to(dev, dtype(), non_blocking, copy); }
Tensor Tensor::to(const TensorOptions& o) const { return to(o.device(), o.dtype_opt().value_or(dtype())); }
Tensor Tensor::to(Device dev, DType dt, bool non_blocking, bool copy) const {
  FX_CHECK(defined(), "to: tensor is undefined");
  if (!copy && dev == device() && dt == dtype()) return *this;
  return convert(*this, dev, dt, non_blocking);
}

Tensor Tensor::pin_memory() const {
  FX_CHECK(defined(), "pin_memory: tensor is undefined");
  FX_CHECK(is_cpu(), "pin_memory: only CPU tensors can be pinned, but this one is on ", device().str());
  if (!detail::pinned_alloc_hook)
    detail::fail_no_cuda("pin_memory: cannot allocate pinned memory for", Device(kCUDA, 0));
  if (is_pinned()) return *this;
  const size_t nbytes = static_cast<size_t>(numel()) * element_size();
  void* p = detail::pinned_alloc_hook(nbytes);
  auto storage = std::make_shared<Storage>(p, nbytes, kCPU, [](void* q) { detail::pinned_free_hook(q); });
  Tensor out(std::make_shared<TensorImpl>(storage, 0, sizes(), contiguous_strides(sizes()), dtype()));
  kernels::copy_kernel.get(DeviceType::CPU, dtype())(out, *this);
  return out;
}

bool Tensor::is_pinned() const {
  return defined() && is_cpu() && detail::is_pinned_hook && detail::is_pinned_hook(impl()->storage()->data());
}

Tensor Tensor::clone() const { return fluxion::clone(*this); }
Tensor Tensor::contiguous() const { return fluxion::contiguous(*this); }

Tensor clone(const Tensor& x) {
  FX_CHECK(x.defined(), "clone: tensor is undefined");
  Tensor out;
  if (batched::is_batched(x)) [[unlikely]] {  // Note [Batched tensors]
    const int64_t B = batched::batch_size({&x});
    out = batched::wrap(empty(batched::batched_sizes(B, x.sizes()), x.options()));
    kernels::copy_kernel.get(x.device().type(), x.dtype())(batched::physical(out, B), batched::physical(x, B));
  } else {
    out = empty(x.sizes(), x.options());
    kernels::copy_kernel.get(x.device().type(), x.dtype())(out, x);
  }
  if (autograd::needs_record({&x}))
    autograd::record(
        "CloneBackward0", {x}, {out}, [](const autograd::BackwardArgs& a) { return TensorList{a.grad()}; },
        [](const TensorList& t) { return TensorList{t[0]}; });
  return out;
}

Tensor contiguous(const Tensor& x) {
  FX_CHECK(x.defined(), "contiguous: tensor is undefined");
  if (x.is_contiguous()) return x;
  return clone(x);
}

Tensor& Tensor::copy_(const Tensor& src, bool non_blocking) {
  FX_CHECK(defined() && src.defined(), "copy_: tensor is undefined");
  if (!(src.device() == device() || (src.is_cpu() && is_cpu()))) {
    // Across devices: bring src over (converted to our dtype), then an ordinary same-device copy.
    Shape bs = broadcast_shapes(sizes(), src.sizes());
    FX_CHECK(bs == sizes(), "copy_: source of sizes ", src.sizes(), " cannot be broadcast to destination sizes ",
             sizes());
    if (!autograd::needs_record({this, &src}) && is_contiguous() && src.sizes() == sizes() && src.dtype() == dtype() &&
        src.is_contiguous()) {
      if (!detail::cuda_memcpy_hook) detail::fail_no_cuda("copy_: cannot copy", is_cpu() ? src.device() : device());
      const size_t nbytes = static_cast<size_t>(numel()) * element_size();
      if (nbytes) detail::cuda_memcpy_hook(data_ptr(), device(), src.data_ptr(), src.device(), nbytes, non_blocking);
      if (!is_inference_mode()) impl()->storage()->bump_version();
      return *this;
    }
    return copy_(src.to(device(), dtype(), non_blocking));
  }
  Shape bshape = broadcast_shapes(sizes(), src.sizes());
  FX_CHECK(bshape == sizes(), "copy_: source of sizes ", src.sizes(), " cannot be broadcast to destination sizes ",
           sizes());
  if (autograd::needs_record({this, &src})) {
    autograd::check_inplace(*this, "copy_");
    // Out of place: result = src converted and broadcast to our sizes; then rebase.
    Tensor s = src.to(dtype());
    Tensor result = s.sizes() == sizes() ? fluxion::clone(s) : fluxion::clone(s.expand(sizes()));
    autograd::rebase_inplace(*this, result);
    return *this;
  }
  Tensor s = src.sizes() == sizes() ? src : src.expand(sizes());
  if (batched::any_batched({this, &s})) [[unlikely]] {  // Note [Batched tensors]
    if (!batched::is_batched(*this)) vmap_state::no_rule("copy_ of a batched value into an unbatched tensor");
    const int64_t B = batched::batch_size({this});
    kernels::copy_kernel.get(device().type(), dtype())(batched::physical(*this, B), batched::physical(s, B));
  } else {
    kernels::copy_kernel.get(device().type(), dtype())(*this, s);
  }
  if (!is_inference_mode()) impl()->storage()->bump_version();
  return *this;
}

Tensor& Tensor::fill_(const Scalar& v) {
  FX_CHECK(defined(), "fill_: tensor is undefined");
  if (autograd::needs_record({this})) {
    autograd::check_inplace(*this, "fill_");
    autograd::rebase_inplace(*this, full(sizes(), v, options()));
    return *this;
  }
  kernels::fill_kernel.get(device().type(), dtype())(*this, v);
  if (!is_inference_mode()) impl()->storage()->bump_version();
  return *this;
}

Tensor& Tensor::fill_(const Tensor& v) {
  FX_CHECK(v.dim() == 0, "fill_: expected a 0-d value tensor but got sizes ", v.sizes());
  return copy_(v);
}

Tensor& Tensor::zero_() { return fill_(0); }

std::string Tensor::toString() const {
  std::ostringstream os;
  os << *this;
  return os.str();
}

}  // namespace fluxion
