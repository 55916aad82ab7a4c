// Tensor: a cheap, shared handle to an n-dimensional array (PyTorch semantics: views share
// storage, in-place ops end in `_`, every op is also a free function in namespace fluxion).
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

#include "fluxion/device.h"
#include "fluxion/dtype.h"
#include "fluxion/scalar.h"
#include "fluxion/small_vector.h"
#include "fluxion/tensor_impl.h"

namespace fluxion {

namespace autograd {
class Node;
}

/// Creation options, builder style: TensorOptions().dtype(kFloat64).requires_grad(true).
class TensorOptions {
 public:
  TensorOptions() = default;
  TensorOptions(DType d) : dtype_(d) {}        // NOLINT: implicit like LibTorch
  TensorOptions(Device d) : device_(d) {}      // NOLINT
  TensorOptions(DeviceType d) : device_(d) {}  // NOLINT
  TensorOptions dtype(DType d) const {
    auto o = *this;
    o.dtype_ = d;
    return o;
  }
  TensorOptions device(Device d) const {
    auto o = *this;
    o.device_ = d;
    return o;
  }
  TensorOptions requires_grad(bool r) const {
    auto o = *this;
    o.requires_grad_ = r;
    return o;
  }
  DType dtype() const { return dtype_.value_or(default_dtype()); }
  std::optional<DType> dtype_opt() const { return dtype_; }
  bool has_dtype() const { return dtype_.has_value(); }
  Device device() const { return device_; }
  bool requires_grad() const { return requires_grad_; }

 private:
  std::optional<DType> dtype_;
  Device device_ = kCPU;
  bool requires_grad_ = false;
};

/// A list of dimensions: accepts `1` or `{0, 2}`. Negative dims count from the end.
class DimList : public Shape {
 public:
  DimList() = default;
  template <class T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
  DimList(T d) : Shape({static_cast<int64_t>(d)}) {}       // NOLINT
  DimList(std::initializer_list<int64_t> d) : Shape(d) {}  // NOLINT
  DimList(const Shape& s) : Shape(s) {}                    // NOLINT
  DimList(const std::vector<int64_t>& v) : Shape(v) {}     // NOLINT
};

class Tensor;
namespace indexing {
struct NoneT {};
struct EllipsisT {};
inline constexpr NoneT None{};
inline constexpr EllipsisT Ellipsis{};
/// Python's start:stop:step. Missing bounds are std::nullopt.
struct Slice {
  Slice(std::optional<int64_t> start = std::nullopt, std::optional<int64_t> stop = std::nullopt, int64_t step = 1)
      : start(start), stop(stop), step(step) {}
  std::optional<int64_t> start, stop;
  int64_t step;
};
}  // namespace indexing
using indexing::Ellipsis;
using indexing::None;
using indexing::Slice;

/// One entry of an index expression: integer, Slice, None, Ellipsis, bool or index tensor.
class TensorIndex;

/// Handle returned by register_hook; pass it to remove_hook to unregister.
using HookHandle = uint64_t;

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  // ---- metadata ------------------------------------------------------------------
  bool defined() const { return impl_ != nullptr; }
  TensorImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }
  int64_t dim() const { return impl()->dim(); }
  int64_t ndimension() const { return dim(); }
  const Shape& sizes() const { return impl()->sizes(); }
  const Shape& shape() const { return impl()->sizes(); }
  const Shape& strides() const { return impl()->strides(); }
  /// Size of dimension `d` (negative counts from the end); throws if out of range.
  int64_t size(int64_t d) const;
  int64_t stride(int64_t d) const;
  int64_t numel() const { return impl()->numel(); }
  DType dtype() const { return impl()->dtype(); }
  DType scalar_type() const { return dtype(); }
  Device device() const { return impl()->device(); }
  TensorOptions options() const { return TensorOptions(dtype()).device(device()); }
  bool is_contiguous() const { return impl()->is_contiguous(); }
  bool is_cpu() const { return device().is_cpu(); }
  bool is_cuda() const { return device().is_cuda(); }
  bool is_floating_point() const { return fluxion::is_floating_point(dtype()); }
  int64_t storage_offset() const { return impl()->storage_offset(); }
  size_t element_size() const { return fluxion::element_size(dtype()); }
  size_t nbytes() const { return static_cast<size_t>(numel()) * element_size(); }
  void* data_ptr() const { return impl()->data(); }
  /// Typed pointer to element 0; throws if T does not match dtype().
  template <class T>
  T* data_ptr() const {
    check_dtype_for_access(dtype_of<T>);
    return static_cast<T*>(impl()->data());
  }
  /// The value of a one-element tensor.
  Scalar item() const;
  template <class T>
  T item() const {
    return item().to<T>();
  }
  /// True when both handles point at the same TensorImpl.
  bool is_same(const Tensor& o) const { return impl_ == o.impl_; }
  long use_count() const { return impl_.use_count(); }
  std::string toString() const;

  // ---- autograd ------------------------------------------------------------------
  bool requires_grad() const;
  Tensor& requires_grad_(bool r = true);
  /// Accumulated gradient of a leaf (undefined tensor if none yet).
  const Tensor& grad() const;
  Tensor& mutable_grad();
  void set_grad(const Tensor& g);
  std::shared_ptr<autograd::Node> grad_fn() const;
  bool is_leaf() const;
  void retain_grad();
  bool retains_grad() const;
  /// Runs reverse-mode differentiation from this tensor (see autograd::backward).
  void backward(const Tensor& gradient = Tensor(), std::optional<bool> retain_graph = std::nullopt,
                bool create_graph = false, const std::vector<Tensor>& inputs = {}) const;
  Tensor detach() const;
  Tensor& detach_();
  /// Calls `hook(grad)` when the gradient of this tensor is computed; a defined return value
  /// replaces the gradient.
  HookHandle register_hook(std::function<Tensor(const Tensor&)> hook) const;
  void remove_hook(HookHandle h) const;
  /// Called with the leaf after its .grad() has been accumulated.
  HookHandle register_post_accumulate_grad_hook(std::function<void(const Tensor&)> hook) const;
  uint32_t _version() const { return impl()->storage()->version(); }
  bool is_view() const;
  Tensor _base() const;

  // ---- conversion and copies -----------------------------------------------------
  Tensor to(DType dtype, bool copy = false) const;
  Tensor to(Device device, bool non_blocking = false, bool copy = false) const;
  Tensor to(Device device, DType dtype, bool non_blocking = false, bool copy = false) const;
  Tensor to(const TensorOptions& opts) const;
  Tensor type_as(const Tensor& other) const { return to(other.dtype()); }
  Tensor cpu() const { return to(kCPU); }
  Tensor cuda(int index = 0) const { return to(Device(kCUDA, index)); }
  Tensor float_() const { return to(kFloat32); }
  Tensor double_() const { return to(kFloat64); }
  Tensor long_() const { return to(kInt64); }
  /// A copy in page-locked (pinned) host memory, so host-to-GPU copies can run asynchronously
  /// (`to(cuda, /*non_blocking=*/true)`). CPU tensors only; needs a CUDA build and a GPU.
  Tensor pin_memory() const;
  /// True when this CPU tensor lives in pinned memory from pin_memory().
  bool is_pinned() const;
  Tensor clone() const;
  Tensor contiguous() const;
  /// Copies `src` into this tensor (broadcasting, dtype conversion); returns *this.
  Tensor& copy_(const Tensor& src, bool non_blocking = false);
  Tensor& fill_(const Scalar& v);
  Tensor& fill_(const Tensor& v);
  Tensor& zero_();

  // ---- views ---------------------------------------------------------------------
  Tensor view(const Shape& sizes) const;
  Tensor view(DType dtype) const;
  Tensor view_as(const Tensor& other) const { return view(other.sizes()); }
  Tensor reshape(const Shape& sizes) const;
  Tensor reshape_as(const Tensor& other) const { return reshape(other.sizes()); }
  Tensor permute(const Shape& dims) const;
  Tensor transpose(int64_t d0, int64_t d1) const;
  Tensor swapaxes(int64_t d0, int64_t d1) const { return transpose(d0, d1); }
  Tensor movedim(const DimList& src, const DimList& dst) const;
  Tensor t() const;
  Tensor mT() const;  // transpose of the last two dims
  Tensor narrow(int64_t dim, int64_t start, int64_t length) const;
  Tensor select(int64_t dim, int64_t index) const;
  Tensor slice(int64_t dim, std::optional<int64_t> start = std::nullopt, std::optional<int64_t> end = std::nullopt,
               int64_t step = 1) const;
  Tensor expand(const Shape& sizes) const;
  Tensor expand_as(const Tensor& other) const { return expand(other.sizes()); }
  Tensor squeeze() const;
  Tensor squeeze(const DimList& dims) const;
  Tensor unsqueeze(int64_t dim) const;
  Tensor flatten(int64_t start_dim = 0, int64_t end_dim = -1) const;
  Tensor unflatten(int64_t dim, const Shape& sizes) const;
  Tensor unfold(int64_t dim, int64_t size, int64_t step) const;
  Tensor as_strided(const Shape& sizes, const Shape& strides, std::optional<int64_t> offset = std::nullopt) const;
  Tensor diagonal(int64_t offset = 0, int64_t dim1 = 0, int64_t dim2 = 1) const;
  Tensor operator[](int64_t i) const { return select(0, i); }
  /// LibTorch-style indexing: x.index({Slice(0, 2), 1, None, Ellipsis, idx_tensor}).
  Tensor index(const std::vector<TensorIndex>& indices) const;
  Tensor& index_put_(const std::vector<TensorIndex>& indices, const Tensor& values, bool accumulate = false);
  Tensor& index_put_(const std::vector<TensorIndex>& indices, const Scalar& value);

  // ---- pointwise -----------------------------------------------------------------
#define FX_DECLARE_UNARY_METHOD(name) \
  Tensor name() const;                \
  Tensor& name##_();
  FX_DECLARE_UNARY_METHOD(neg)
  FX_DECLARE_UNARY_METHOD(abs)
  FX_DECLARE_UNARY_METHOD(sign)
  FX_DECLARE_UNARY_METHOD(exp)
  FX_DECLARE_UNARY_METHOD(exp2)
  FX_DECLARE_UNARY_METHOD(log)
  FX_DECLARE_UNARY_METHOD(log2)
  FX_DECLARE_UNARY_METHOD(log10)
  FX_DECLARE_UNARY_METHOD(log1p)
  FX_DECLARE_UNARY_METHOD(expm1)
  FX_DECLARE_UNARY_METHOD(sqrt)
  FX_DECLARE_UNARY_METHOD(rsqrt)
  FX_DECLARE_UNARY_METHOD(reciprocal)
  FX_DECLARE_UNARY_METHOD(square)
  FX_DECLARE_UNARY_METHOD(sin)
  FX_DECLARE_UNARY_METHOD(cos)
  FX_DECLARE_UNARY_METHOD(tan)
  FX_DECLARE_UNARY_METHOD(asin)
  FX_DECLARE_UNARY_METHOD(acos)
  FX_DECLARE_UNARY_METHOD(atan)
  FX_DECLARE_UNARY_METHOD(sinh)
  FX_DECLARE_UNARY_METHOD(cosh)
  FX_DECLARE_UNARY_METHOD(tanh)
  FX_DECLARE_UNARY_METHOD(sigmoid)
  FX_DECLARE_UNARY_METHOD(relu)
  FX_DECLARE_UNARY_METHOD(silu)
  FX_DECLARE_UNARY_METHOD(erf)
  FX_DECLARE_UNARY_METHOD(erfc)
  FX_DECLARE_UNARY_METHOD(floor)
  FX_DECLARE_UNARY_METHOD(ceil)
  FX_DECLARE_UNARY_METHOD(trunc)
  FX_DECLARE_UNARY_METHOD(frac)
#undef FX_DECLARE_UNARY_METHOD
  Tensor round(int64_t decimals = 0) const;
  Tensor& round_(int64_t decimals = 0);
  Tensor logit(std::optional<double> eps = std::nullopt) const;
  Tensor clamp(std::optional<Scalar> min, std::optional<Scalar> max = std::nullopt) const;
  Tensor clamp(const Tensor& min, const Tensor& max) const;  // either may be undefined
  Tensor& clamp_(std::optional<Scalar> min, std::optional<Scalar> max = std::nullopt);
  Tensor clip(std::optional<Scalar> min, std::optional<Scalar> max = std::nullopt) const { return clamp(min, max); }
  Tensor clamp_min(const Scalar& min) const { return clamp(min, std::nullopt); }
  Tensor clamp_max(const Scalar& max) const { return clamp(std::nullopt, max); }
  Tensor pow(const Tensor& exponent) const;
  Tensor pow(const Scalar& exponent) const;
  Tensor& pow_(const Scalar& exponent);
  Tensor add(const Tensor& other, const Scalar& alpha = 1) const;
  Tensor add(const Scalar& other, const Scalar& alpha = 1) const;
  Tensor sub(const Tensor& other, const Scalar& alpha = 1) const;
  Tensor sub(const Scalar& other, const Scalar& alpha = 1) const;
  Tensor mul(const Tensor& other) const;
  Tensor mul(const Scalar& other) const;
  /// rounding_mode: "" (true division), "trunc" or "floor".
  Tensor div(const Tensor& other, const std::string& rounding_mode = "") const;
  Tensor div(const Scalar& other, const std::string& rounding_mode = "") const;
  Tensor& add_(const Tensor& other, const Scalar& alpha = 1);
  Tensor& add_(const Scalar& other, const Scalar& alpha = 1);
  Tensor& sub_(const Tensor& other, const Scalar& alpha = 1);
  Tensor& sub_(const Scalar& other, const Scalar& alpha = 1);
  Tensor& mul_(const Tensor& other);
  Tensor& mul_(const Scalar& other);
  Tensor& div_(const Tensor& other, const std::string& rounding_mode = "");
  Tensor& div_(const Scalar& other, const std::string& rounding_mode = "");
  Tensor addcmul(const Tensor& t1, const Tensor& t2, const Scalar& value = 1) const;
  Tensor addcdiv(const Tensor& t1, const Tensor& t2, const Scalar& value = 1) const;
  Tensor& addcmul_(const Tensor& t1, const Tensor& t2, const Scalar& value = 1);
  Tensor& addcdiv_(const Tensor& t1, const Tensor& t2, const Scalar& value = 1);
  Tensor fmod(const Tensor& other) const;
  Tensor fmod(const Scalar& other) const;
  Tensor remainder(const Tensor& other) const;
  Tensor remainder(const Scalar& other) const;
  Tensor maximum(const Tensor& other) const;
  Tensor minimum(const Tensor& other) const;
  Tensor atan2(const Tensor& other) const;
  Tensor lerp(const Tensor& end, const Scalar& weight) const;
  Tensor lerp(const Tensor& end, const Tensor& weight) const;
  Tensor& lerp_(const Tensor& end, const Scalar& weight);
  Tensor where(const Tensor& condition, const Tensor& other) const;
  Tensor eq(const Tensor& o) const;
  Tensor eq(const Scalar& o) const;
  Tensor ne(const Tensor& o) const;
  Tensor ne(const Scalar& o) const;
  Tensor lt(const Tensor& o) const;
  Tensor lt(const Scalar& o) const;
  Tensor le(const Tensor& o) const;
  Tensor le(const Scalar& o) const;
  Tensor gt(const Tensor& o) const;
  Tensor gt(const Scalar& o) const;
  Tensor ge(const Tensor& o) const;
  Tensor ge(const Scalar& o) const;
  Tensor isclose(const Tensor& o, double rtol = 1e-5, double atol = 1e-8, bool equal_nan = false) const;
  bool allclose(const Tensor& o, double rtol = 1e-5, double atol = 1e-8, bool equal_nan = false) const;
  /// True when sizes and all elements are equal.
  bool equal(const Tensor& o) const;
  Tensor logical_and(const Tensor& o) const;
  Tensor logical_or(const Tensor& o) const;
  Tensor logical_xor(const Tensor& o) const;
  Tensor logical_not() const;
  Tensor isnan() const;
  Tensor isinf() const;
  Tensor isfinite() const;
  Tensor nan_to_num(std::optional<double> nan = 0.0, std::optional<double> posinf = std::nullopt,
                    std::optional<double> neginf = std::nullopt) const;
  Tensor masked_fill(const Tensor& mask, const Scalar& value) const;
  Tensor masked_fill(const Tensor& mask, const Tensor& value) const;
  Tensor& masked_fill_(const Tensor& mask, const Scalar& value);

  // ---- reductions ----------------------------------------------------------------
  Tensor sum(std::optional<DType> dtype = std::nullopt) const;
  Tensor sum(const DimList& dims, bool keepdim = false, std::optional<DType> dtype = std::nullopt) const;
  Tensor mean(std::optional<DType> dtype = std::nullopt) const;
  Tensor mean(const DimList& dims, bool keepdim = false, std::optional<DType> dtype = std::nullopt) const;
  Tensor prod(std::optional<DType> dtype = std::nullopt) const;
  Tensor prod(int64_t dim, bool keepdim = false, std::optional<DType> dtype = std::nullopt) const;
  Tensor max() const;
  std::tuple<Tensor, Tensor> max(int64_t dim, bool keepdim = false) const;
  Tensor min() const;
  std::tuple<Tensor, Tensor> min(int64_t dim, bool keepdim = false) const;
  Tensor amax(const DimList& dims = {}, bool keepdim = false) const;
  Tensor amin(const DimList& dims = {}, bool keepdim = false) const;
  Tensor argmax(std::optional<int64_t> dim = std::nullopt, bool keepdim = false) const;
  Tensor argmin(std::optional<int64_t> dim = std::nullopt, bool keepdim = false) const;
  /// Variance with Bessel-style `correction` (1 = unbiased, PyTorch's default).
  Tensor var(std::optional<DimList> dims = std::nullopt, double correction = 1, bool keepdim = false) const;
  Tensor std(std::optional<DimList> dims = std::nullopt, double correction = 1, bool keepdim = false) const;
  /// p = 1, 2, inf (INFINITY), -inf, any other positive real, or "fro" via p = 2 over all dims.
  Tensor norm(double p = 2, std::optional<DimList> dims = std::nullopt, bool keepdim = false) const;
  Tensor logsumexp(const DimList& dims, bool keepdim = false) const;
  Tensor softmax(int64_t dim, std::optional<DType> dtype = std::nullopt) const;
  Tensor log_softmax(int64_t dim, std::optional<DType> dtype = std::nullopt) const;
  Tensor cumsum(int64_t dim, std::optional<DType> dtype = std::nullopt) const;
  Tensor cumprod(int64_t dim, std::optional<DType> dtype = std::nullopt) const;
  Tensor all() const;
  Tensor all(int64_t dim, bool keepdim = false) const;
  Tensor any() const;
  Tensor any(int64_t dim, bool keepdim = false) const;
  Tensor count_nonzero(std::optional<DimList> dims = std::nullopt) const;

  // ---- linear algebra ------------------------------------------------------------
  Tensor matmul(const Tensor& other) const;
  Tensor mm(const Tensor& other) const;
  Tensor bmm(const Tensor& other) const;
  Tensor mv(const Tensor& vec) const;
  Tensor dot(const Tensor& other) const;
  Tensor outer(const Tensor& other) const;

  // ---- indexing, joining, sorting --------------------------------------------------
  Tensor index_select(int64_t dim, const Tensor& index) const;
  Tensor gather(int64_t dim, const Tensor& index) const;
  Tensor scatter(int64_t dim, const Tensor& index, const Tensor& src) const;
  Tensor scatter(int64_t dim, const Tensor& index, const Scalar& value) const;
  Tensor& scatter_(int64_t dim, const Tensor& index, const Tensor& src);
  Tensor& scatter_(int64_t dim, const Tensor& index, const Scalar& value);
  Tensor scatter_add(int64_t dim, const Tensor& index, const Tensor& src) const;
  Tensor& scatter_add_(int64_t dim, const Tensor& index, const Tensor& src);
  /// reduce: "sum", "prod", "mean", "amax", "amin".
  Tensor scatter_reduce(int64_t dim, const Tensor& index, const Tensor& src, const std::string& reduce,
                        bool include_self = true) const;
  Tensor index_add(int64_t dim, const Tensor& index, const Tensor& source, const Scalar& alpha = 1) const;
  Tensor& index_add_(int64_t dim, const Tensor& index, const Tensor& source, const Scalar& alpha = 1);
  Tensor index_fill(int64_t dim, const Tensor& index, const Scalar& value) const;
  Tensor masked_select(const Tensor& mask) const;
  Tensor masked_scatter(const Tensor& mask, const Tensor& source) const;
  Tensor nonzero() const;
  Tensor flip(const DimList& dims) const;
  Tensor roll(const DimList& shifts, const DimList& dims = {}) const;
  Tensor repeat(const Shape& repeats) const;
  Tensor repeat_interleave(int64_t repeats, std::optional<int64_t> dim = std::nullopt) const;
  Tensor repeat_interleave(const Tensor& repeats, std::optional<int64_t> dim = std::nullopt) const;
  Tensor tile(const Shape& reps) const;
  Tensor tril(int64_t diagonal = 0) const;
  Tensor triu(int64_t diagonal = 0) const;
  std::tuple<Tensor, Tensor> topk(int64_t k, int64_t dim = -1, bool largest = true, bool sorted = true) const;
  std::tuple<Tensor, Tensor> sort(int64_t dim = -1, bool descending = false, bool stable = false) const;
  Tensor argsort(int64_t dim = -1, bool descending = false, bool stable = false) const;
  std::vector<Tensor> split(int64_t split_size, int64_t dim = 0) const;
  std::vector<Tensor> split(const std::vector<int64_t>& sizes, int64_t dim = 0) const;
  std::vector<Tensor> chunk(int64_t chunks, int64_t dim = 0) const;
  std::vector<Tensor> unbind(int64_t dim = 0) const;

  // ---- compound assignment ----------------------------------------------------------
  Tensor& operator+=(const Tensor& o) { return add_(o); }
  Tensor& operator+=(const Scalar& o) { return add_(o); }
  Tensor& operator-=(const Tensor& o) { return sub_(o); }
  Tensor& operator-=(const Scalar& o) { return sub_(o); }
  Tensor& operator*=(const Tensor& o) { return mul_(o); }
  Tensor& operator*=(const Scalar& o) { return mul_(o); }
  Tensor& operator/=(const Tensor& o) { return div_(o); }
  Tensor& operator/=(const Scalar& o) { return div_(o); }

 private:
  void check_dtype_for_access(DType requested) const;
  std::shared_ptr<TensorImpl> impl_;
};

class TensorIndex {
 public:
  TensorIndex(indexing::NoneT) : v_(indexing::None) {}          // NOLINT
  TensorIndex(indexing::EllipsisT) : v_(indexing::Ellipsis) {}  // NOLINT
  TensorIndex(indexing::Slice s) : v_(s) {}                     // NOLINT
  TensorIndex(Tensor t) : v_(std::move(t)) {}                   // NOLINT
  TensorIndex(bool b) : v_(b) {}                                // NOLINT
  template <class T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
  TensorIndex(T i) : v_(static_cast<int64_t>(i)) {}  // NOLINT
  bool is_none() const { return std::holds_alternative<indexing::NoneT>(v_); }
  bool is_ellipsis() const { return std::holds_alternative<indexing::EllipsisT>(v_); }
  bool is_slice() const { return std::holds_alternative<indexing::Slice>(v_); }
  bool is_integer() const { return std::holds_alternative<int64_t>(v_); }
  bool is_bool() const { return std::holds_alternative<bool>(v_); }
  bool is_tensor() const { return std::holds_alternative<Tensor>(v_); }
  const indexing::Slice& slice() const { return std::get<indexing::Slice>(v_); }
  int64_t integer() const { return std::get<int64_t>(v_); }
  bool boolean() const { return std::get<bool>(v_); }
  const Tensor& tensor() const { return std::get<Tensor>(v_); }

 private:
  std::variant<indexing::NoneT, indexing::EllipsisT, indexing::Slice, int64_t, bool, Tensor> v_;
};

/// Prints like PyTorch (summarised with "..." for large tensors).
std::ostream& operator<<(std::ostream& os, const Tensor& t);

// ---- operators (tensor-tensor and tensor-scalar, both ways round) ---------------------
Tensor operator-(const Tensor& a);
Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator+(const Tensor& a, const Scalar& b);
Tensor operator+(const Scalar& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Scalar& b);
Tensor operator-(const Scalar& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Scalar& b);
Tensor operator*(const Scalar& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Scalar& b);
Tensor operator/(const Scalar& a, const Tensor& b);
Tensor operator%(const Tensor& a, const Tensor& b);
Tensor operator%(const Tensor& a, const Scalar& b);
Tensor operator==(const Tensor& a, const Tensor& b);
Tensor operator==(const Tensor& a, const Scalar& b);
Tensor operator!=(const Tensor& a, const Tensor& b);
Tensor operator!=(const Tensor& a, const Scalar& b);
Tensor operator<(const Tensor& a, const Tensor& b);
Tensor operator<(const Tensor& a, const Scalar& b);
Tensor operator<=(const Tensor& a, const Tensor& b);
Tensor operator<=(const Tensor& a, const Scalar& b);
Tensor operator>(const Tensor& a, const Tensor& b);
Tensor operator>(const Tensor& a, const Scalar& b);
Tensor operator>=(const Tensor& a, const Tensor& b);
Tensor operator>=(const Tensor& a, const Scalar& b);
Tensor operator<(const Scalar& a, const Tensor& b);
Tensor operator<=(const Scalar& a, const Tensor& b);
Tensor operator>(const Scalar& a, const Tensor& b);
Tensor operator>=(const Scalar& a, const Tensor& b);
Tensor operator&(const Tensor& a, const Tensor& b);  // logical_and for bool, bitwise for ints
Tensor operator|(const Tensor& a, const Tensor& b);
Tensor operator^(const Tensor& a, const Tensor& b);
Tensor operator~(const Tensor& a);

}  // namespace fluxion
