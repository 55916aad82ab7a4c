// Float16/BFloat16 through float32 for the CUDA kernels that only have float32 code (reductions,
// softmax, ...): 16-bit operands are converted to float32 temporaries on the device, the float32
// kernel runs (so accumulation is in float32, as PyTorch's), and 16-bit outputs are converted
// back, each value rounded once. Costs two extra passes over the 16-bit tensors.
#pragma once

#include <utility>
#include <vector>

#include "fluxion/ops/creation.h"
#include "kernels/cpu/copy.h"

namespace fluxion::cuda::detail {

inline bool is_16bit_float(const Tensor& t) { return t.defined() && (t.dtype() == kFloat16 || t.dtype() == kBFloat16); }

/// Collects the float32 twins of one call's operands and writes the outputs back in finish().
class Float32Call {
 public:
  /// An input: its float32 copy (contiguous), or itself when it is not 16-bit.
  Tensor in(const Tensor& t) {
    if (!is_16bit_float(t)) return t;
    Tensor f = empty(t.sizes(), t.options().dtype(kFloat32));
    kernels::copy_kernel.get(DeviceType::CUDA, kFloat32)(f, t);
    return f;
  }
  /// An output: a fresh contiguous float32 tensor that finish() converts into `t`.
  Tensor out(const Tensor& t) {
    if (!is_16bit_float(t)) return t;
    Tensor f = empty(t.sizes(), t.options().dtype(kFloat32));
    outputs_.emplace_back(t, f);
    return f;
  }
  void finish() {
    for (const auto& [dst, f] : outputs_) kernels::copy_kernel.get(DeviceType::CUDA, dst.dtype())(dst, f);
  }

 private:
  std::vector<std::pair<Tensor, Tensor>> outputs_;
};

/// ReduceFn-shaped kernels: out = f(in, dims, arg).
template <void (*Fn)(const Tensor&, const Tensor&, const Shape&, double)>
void reduce_via_f32(const Tensor& out, const Tensor& in, const Shape& dims, double arg) {
  Float32Call c;
  Fn(c.out(out), c.in(in), dims, arg);
  c.finish();
}

/// ReduceIndexFn-shaped kernels: (values, indices) = f(in, dim).
template <void (*Fn)(const Tensor&, const Tensor&, const Tensor&, int64_t)>
void reduce_index_via_f32(const Tensor& values, const Tensor& indices, const Tensor& in, int64_t dim) {
  Float32Call c;
  Fn(c.out(values), indices, c.in(in), dim);
  c.finish();
}

/// SoftmaxFn-shaped kernels: out = f(in, dim).
template <void (*Fn)(const Tensor&, const Tensor&, int64_t)>
void softmax_via_f32(const Tensor& out, const Tensor& in, int64_t dim) {
  Float32Call c;
  Fn(c.out(out), c.in(in), dim);
  c.finish();
}

}  // namespace fluxion::cuda::detail
