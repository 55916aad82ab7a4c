// softmax / log_softmax along one dim (stable kernels), with their VJPs/JVPs:
//   softmax:     VJP y * (g - sum(g * y)),     JVP y * (t - sum(t * y))
//   log_softmax: VJP g - exp(y) * sum(g),      JVP t - sum(exp(y) * t)
#include "core/batched.h"
#include "fluxion/autograd.h"
#include "fluxion/ops/creation.h"
#include "fluxion/ops/pointwise.h"
#include "fluxion/ops/reduce.h"
#include "fluxion/ops/view.h"
#include "kernels/reduce_kernels.h"
#include "ops/reduce_util.h"

namespace fluxion {

using namespace reduce_util;

namespace {

Tensor softmax_impl(const Tensor& x, int64_t dim, std::optional<DType> dtype, bool log) {
  const char* op = log ? "log_softmax" : "softmax";
  check_defined(x, op);
  const Tensor in = (dtype && *dtype != x.dtype()) ? x.to(*dtype) : x;
  FX_CHECK(in.is_floating_point(), op, ": expected a floating point input but got ", dtype_name(in.dtype()),
           " (pass dtype=kFloat32 to convert)");
  const int64_t d = wrap_dim(dim, in.dim(), op);
  Tensor out;
  if (batched::is_batched(in) && in.dim() > 0) [[unlikely]] {  // Note [Batched tensors]
    const int64_t B = batched::batch_size({&in});
    const Tensor pin = batched::physical(in, B).contiguous();
    out = batched::wrap(empty(pin.sizes(), in.options()));
    (log ? kernels::log_softmax_kernel : kernels::softmax_kernel)
        .get(in.device().type(), in.dtype())(batched::physical(out, B), pin, d + 1);
  } else {
    out = empty(in.sizes(), in.options());
    (log ? kernels::log_softmax_kernel : kernels::softmax_kernel)
        .get(in.device().type(), in.dtype())(out, contiguous_nograd(in), in.dim() == 0 ? 0 : d);
  }
  if (autograd::needs_record({&in})) {
    const DimList dl{d};
    if (log) {
      autograd::record(
          "LogSoftmaxBackward0", {in}, {out}, {out},
          [dl](const autograd::BackwardArgs& a, const autograd::SavedList& s) {
            return TensorList{a.grad() - exp(s[0]) * sum(a.grad(), dl, true)};
          },
          [&](const TensorList& t) { return TensorList{t[0] - sum(exp(out) * t[0], dl, true)}; });
    } else {
      autograd::record(
          "SoftmaxBackward0", {in}, {out}, {out},
          [dl](const autograd::BackwardArgs& a, const autograd::SavedList& s) {
            return TensorList{s[0] * (a.grad() - sum(a.grad() * s[0], dl, true))};
          },
          [&](const TensorList& t) { return TensorList{out * (t[0] - sum(t[0] * out, dl, true))}; });
    }
  }
  return out;
}

}  // namespace

Tensor softmax(const Tensor& x, int64_t dim, std::optional<DType> dtype) { return softmax_impl(x, dim, dtype, false); }
Tensor log_softmax(const Tensor& x, int64_t dim, std::optional<DType> dtype) {
  return softmax_impl(x, dim, dtype, true);
}

Tensor Tensor::softmax(int64_t dim, std::optional<DType> dtype) const { return fluxion::softmax(*this, dim, dtype); }
Tensor Tensor::log_softmax(int64_t dim, std::optional<DType> dtype) const {
  return fluxion::log_softmax(*this, dim, dtype);
}

}  // namespace fluxion
