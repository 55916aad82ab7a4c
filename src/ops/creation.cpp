// Creation ops: empty/zeros/ones/full, ranges, eye, tensors from C++ data, from_blob.
#include "fluxion/ops/creation.h"

#include <cmath>
#include <cstring>

#include "fluxion/autograd.h"
#include "kernels/cpu/copy.h"

namespace fluxion {

namespace {
void check_sizes(const Shape& sizes, const char* op) {
  for (int64_t s : sizes) FX_CHECK(s >= 0, op, ": sizes must be non-negative, got ", sizes);
}
Tensor finish(Tensor t, const TensorOptions& opts) {
  if (opts.requires_grad()) t.requires_grad_(true);
  return t;
}
}  // namespace

Tensor empty(const Shape& sizes, const TensorOptions& opts) {
  check_sizes(sizes, "empty");
  DType dt = opts.dtype();
  int64_t n = shape_numel(sizes);
  auto storage = std::make_shared<Storage>(static_cast<size_t>(n) * element_size(dt), opts.device());
  Tensor t(std::make_shared<TensorImpl>(std::move(storage), 0, sizes, contiguous_strides(sizes), dt));
  return finish(t, opts);
}

Tensor empty_strided(const Shape& sizes, const Shape& strides, const TensorOptions& opts) {
  check_sizes(sizes, "empty_strided");
  FX_CHECK(sizes.size() == strides.size(), "empty_strided: ", sizes.size(), " sizes but ", strides.size(), " strides");
  int64_t extent = 1;
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] == 0) {
      extent = 0;
      break;
    }
    FX_CHECK(strides[i] >= 0, "empty_strided: negative stride ", strides[i]);
    extent += (sizes[i] - 1) * strides[i];
  }
  DType dt = opts.dtype();
  auto storage = std::make_shared<Storage>(static_cast<size_t>(extent) * element_size(dt), opts.device());
  return finish(Tensor(std::make_shared<TensorImpl>(std::move(storage), 0, sizes, strides, dt)), opts);
}

Tensor full(const Shape& sizes, const Scalar& value, const TensorOptions& opts) {
  TensorOptions o = opts.has_dtype() ? opts : opts.dtype(value.natural_dtype());
  Tensor t = empty(sizes, o.requires_grad(false));
  kernels::fill_kernel.get(t.device().type(), t.dtype())(t, value);
  return finish(t, opts);
}

Tensor zeros(const Shape& sizes, const TensorOptions& opts) {
  Tensor t = empty(sizes, opts.requires_grad(false));
  if (t.device().is_cpu())
    std::memset(t.data_ptr(), 0, t.nbytes());
  else
    kernels::fill_kernel.get(t.device().type(), t.dtype())(t, 0);
  return finish(t, opts);
}

Tensor ones(const Shape& sizes, const TensorOptions& opts) { return full(sizes, 1, opts.dtype(opts.dtype())); }

namespace {
TensorOptions like_options(const Tensor& t, const TensorOptions& opts) {
  TensorOptions o = TensorOptions(opts.has_dtype() ? opts.dtype() : t.dtype())
                        .device(opts.device() == kCPU ? t.device() : opts.device())
                        .requires_grad(opts.requires_grad());
  return o;
}
}  // namespace

Tensor empty_like(const Tensor& t, const TensorOptions& opts) { return empty(t.sizes(), like_options(t, opts)); }
Tensor zeros_like(const Tensor& t, const TensorOptions& opts) { return zeros(t.sizes(), like_options(t, opts)); }
Tensor ones_like(const Tensor& t, const TensorOptions& opts) { return ones(t.sizes(), like_options(t, opts)); }
Tensor full_like(const Tensor& t, const Scalar& v, const TensorOptions& opts) {
  return full(t.sizes(), v, like_options(t, opts));
}

Tensor scalar_tensor(const Scalar& value, const TensorOptions& opts) { return full({}, value, opts); }

Tensor from_blob(void* data, const Shape& sizes, const TensorOptions& opts, std::function<void(void*)> deleter) {
  return from_blob(data, sizes, contiguous_strides(sizes), opts, std::move(deleter));
}

Tensor from_blob(void* data, const Shape& sizes, const Shape& strides, const TensorOptions& opts,
                 std::function<void(void*)> deleter) {
  check_sizes(sizes, "from_blob");
  FX_CHECK(data != nullptr || shape_numel(sizes) == 0, "from_blob: data pointer is null");
  FX_CHECK(sizes.size() == strides.size(), "from_blob: ", sizes.size(), " sizes but ", strides.size(), " strides");
  int64_t extent = 1;
  for (size_t i = 0; i < sizes.size(); ++i) extent += sizes[i] > 0 ? (sizes[i] - 1) * strides[i] : 0;
  DType dt = opts.dtype();
  auto storage = std::make_shared<Storage>(data, static_cast<size_t>(extent) * element_size(dt), opts.device(),
                                           std::move(deleter));
  return finish(Tensor(std::make_shared<TensorImpl>(std::move(storage), 0, sizes, strides, dt)), opts);
}

// ---- tensor(...) from C++ values ---------------------------------------------------------

template <class T>
Tensor tensor(const std::vector<T>& values, const Shape& sizes, const TensorOptions& opts) {
  FX_CHECK(shape_numel(sizes) == static_cast<int64_t>(values.size()), "tensor: ", values.size(),
           " values do not fill sizes ", sizes);
  using Stored = std::conditional_t<std::is_same_v<T, bool>, bool, T>;
  Tensor src = empty(sizes, TensorOptions(dtype_of<Stored>));
  Stored* p = static_cast<Stored*>(src.data_ptr());
  for (size_t i = 0; i < values.size(); ++i) p[i] = values[i];
  DType want = opts.has_dtype() ? opts.dtype() : dtype_of<Stored>;
  Tensor out = (want == src.dtype() && opts.device() == kCPU) ? src : src.to(opts.device(), want);
  return finish(out, opts);
}
template <class T>
Tensor tensor(const std::vector<T>& values, const TensorOptions& opts) {
  return tensor(values, Shape{static_cast<int64_t>(values.size())}, opts);
}
template <class T>
Tensor tensor(std::initializer_list<T> values, const TensorOptions& opts) {
  return tensor(std::vector<T>(values), opts);
}
template <class T>
Tensor tensor(std::initializer_list<std::initializer_list<T>> rows, const TensorOptions& opts) {
  std::vector<T> flat;
  int64_t ncols = rows.size() ? static_cast<int64_t>(rows.begin()->size()) : 0;
  for (const auto& r : rows) {
    FX_CHECK(static_cast<int64_t>(r.size()) == ncols, "tensor: ragged nested list (rows of ", ncols, " and ", r.size(),
             " values)");
    flat.insert(flat.end(), r.begin(), r.end());
  }
  return tensor(flat, Shape{static_cast<int64_t>(rows.size()), ncols}, opts);
}

// std::vector<bool> is a bitset; give it its own overload.
template <>
Tensor tensor<bool>(const std::vector<bool>& values, const Shape& sizes, const TensorOptions& opts) {
  FX_CHECK(shape_numel(sizes) == static_cast<int64_t>(values.size()), "tensor: ", values.size(),
           " values do not fill sizes ", sizes);
  Tensor src = empty(sizes, TensorOptions(kBool));
  bool* p = static_cast<bool*>(src.data_ptr());
  for (size_t i = 0; i < values.size(); ++i) p[i] = values[i];
  DType want = opts.has_dtype() ? opts.dtype() : kBool;
  Tensor out = (want == kBool && opts.device() == kCPU) ? src : src.to(opts.device(), want);
  return finish(out, opts);
}

#define FX_INSTANTIATE_TENSOR(T)                                                                    \
  template Tensor tensor<T>(std::initializer_list<T>, const TensorOptions&);                        \
  template Tensor tensor<T>(std::initializer_list<std::initializer_list<T>>, const TensorOptions&); \
  template Tensor tensor<T>(const std::vector<T>&, const TensorOptions&);
FX_INSTANTIATE_TENSOR(float)
FX_INSTANTIATE_TENSOR(double)
FX_INSTANTIATE_TENSOR(int8_t)
FX_INSTANTIATE_TENSOR(uint8_t)
FX_INSTANTIATE_TENSOR(int32_t)
FX_INSTANTIATE_TENSOR(int64_t)
FX_INSTANTIATE_TENSOR(bool)
FX_INSTANTIATE_TENSOR(Half)
FX_INSTANTIATE_TENSOR(BFloat16)
template Tensor tensor<float>(const std::vector<float>&, const Shape&, const TensorOptions&);
template Tensor tensor<double>(const std::vector<double>&, const Shape&, const TensorOptions&);
template Tensor tensor<int8_t>(const std::vector<int8_t>&, const Shape&, const TensorOptions&);
template Tensor tensor<uint8_t>(const std::vector<uint8_t>&, const Shape&, const TensorOptions&);
template Tensor tensor<int32_t>(const std::vector<int32_t>&, const Shape&, const TensorOptions&);
template Tensor tensor<int64_t>(const std::vector<int64_t>&, const Shape&, const TensorOptions&);
template Tensor tensor<Half>(const std::vector<Half>&, const Shape&, const TensorOptions&);
template Tensor tensor<BFloat16>(const std::vector<BFloat16>&, const Shape&, const TensorOptions&);
#undef FX_INSTANTIATE_TENSOR

}  // namespace fluxion
