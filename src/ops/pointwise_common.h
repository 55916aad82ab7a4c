// Shared machinery of the elementwise ops (src/ops/pointwise_*.cpp, activation.cpp,
// operators.cpp): PyTorch type promotion, output allocation, kernel launch with broadcasting,
// in-place/out= checks, and the autograd helpers that undo broadcasting and promotion.
#pragma once

#include <optional>

#include "fluxion/autograd.h"
#include "fluxion/ops/creation.h"
#include "fluxion/ops/pointwise.h"
#include "fluxion/ops/view.h"
#include "kernels/pointwise_kernels.h"

namespace fluxion::pw {

using kernels::BinaryOp;
using kernels::CompareOp;
using kernels::PredicateOp;
using kernels::TernaryOp;
using kernels::UnaryOp;
using kernels::UnaryParams;

// ---- type promotion (PyTorch's ResultTypeState) ------------------------------------------------

/// Dimensioned tensors outrank 0-d tensors, which outrank Python numbers (Scalars), within the
/// same category (bool < integer < floating).
class TypeState {
 public:
  void add(const Tensor& t);
  void add(const Scalar& s);
  void add(const std::optional<Scalar>& s) {
    if (s) add(*s);
  }
  DType result() const;

 private:
  int dim_ = -1, zero_ = -1, wrapped_ = -1;  // DType as int, -1 = none
};

/// PyTorch's can_cast: no float -> integer, no non-bool -> bool.
bool can_cast(DType from, DType to);
/// The float dtype a float-valued function of x returns (x's own, or the default float dtype).
inline DType float_result(DType dt) { return is_floating_point(dt) ? dt : default_dtype(); }

// ---- argument checks -------------------------------------------------------------------------

void check_defined(const Tensor& t, const char* op);
/// All defined tensors on one device (0-d CPU tensors may mix with CUDA ones, as in PyTorch).
Device common_device(std::initializer_list<const Tensor*> ts, const char* op);
void check_floating(const Tensor& x, const char* op);
/// In-place / out=: result dtype must be castable to the destination dtype.
void check_can_cast(DType result, DType dest, const char* op);
/// In-place: the broadcast shape must equal self's shape.
void check_inplace_shape(const Tensor& self, const Shape& bshape, const char* op);
/// In-place: self must not have elements sharing memory (expanded tensors).
void check_no_internal_overlap(const Tensor& self, const char* op);
/// After a raw in-place kernel: bump the version counter (Note [Version counters]).
void bump_version(const Tensor& t);

// ---- tensors for kernels (no autograd involvement) --------------------------------------------

/// t converted to `dt` (t itself if it already has that dtype).
Tensor cast_for_kernel(const Tensor& t, DType dt);
/// A stride-0 view of t broadcast to `sizes`, without autograd (t itself if sizes match).
Tensor expand_for_kernel(const Tensor& t, const Shape& sizes);
/// Output for an elementwise result: dense, in the dim order of `like` when `like` is a
/// permuted dense tensor of the same sizes (so x.t().exp() streams memory linearly), else contiguous.
Tensor new_output(const Shape& sizes, DType dt, Device dev, const Tensor* like = nullptr,
                  const Tensor* like2 = nullptr);
/// Copies src (same sizes, any dtype) into dst with the copy kernel (no autograd, no version bump).
void copy_into(const Tensor& dst, const Tensor& src);
/// A 0-d CPU tensor (PyTorch "cpu scalar") is passed to kernels as a number.
inline bool is_cpu_scalar(const Tensor& t) { return t.dim() == 0 && t.is_cpu(); }

// ---- kernel launch helpers --------------------------------------------------------------------

/// out = op(x) with x cast to out's dtype (x has out's sizes or broadcasts to them).
void launch_unary(const Tensor& out, const Tensor& x, UnaryOp op, const UnaryParams& p = {});
/// out = op(a, b) computing in `dt` (== out.dtype()); either may be undefined with the number in
/// p.scalar. 0-d CPU tensors become numbers.
void launch_binary(const Tensor& out, const Tensor& a, const Tensor& b, BinaryOp op, kernels::BinaryParams p = {});
/// bool out = op(a, b) computing in `dt`.
void launch_compare(const Tensor& out, const Tensor& a, const Tensor& b, DType dt, CompareOp op,
                    kernels::CompareParams p = {});

/// Out-of-place unary: allocates and runs. `dt` is the result dtype.
Tensor unary_op(const Tensor& x, DType dt, UnaryOp op, const UnaryParams& p = {});
/// Out-of-place binary on tensors/scalars (undefined a or b = the scalar `s`).
Tensor binary_op(const Tensor& a, const Tensor& b, DType dt, BinaryOp op, const kernels::BinaryParams& p = {});

// ---- autograd helpers ---------------------------------------------------------------------------

/// Gradient for an input of `sizes`/`dt`: sums broadcast dims away and casts back.
Tensor grad_for(const Tensor& g, const Shape& sizes, DType dt);
/// Records an elementwise unary op. `apply(g, x, y)` returns g * f'(x) (x, y: the saved input and
/// output, each undefined unless `save` asks for it); it serves as VJP (g = output gradient) and
/// as JVP (g = input tangent), since an elementwise Jacobian is diagonal.
enum class Save { X, Y, XY };
template <class Apply>
void record_unary(const char* name, const Tensor& x, const Tensor& y, Save save, Apply apply) {
  TensorList saved;
  if (save != Save::Y) saved.push_back(x);
  if (save != Save::X) saved.push_back(y);
  autograd::record(
      name, {x}, {y}, saved,
      [apply, save](const autograd::BackwardArgs& a, const autograd::SavedList& s) {
        Tensor sx = save != Save::Y ? s[0] : Tensor();
        Tensor sy = save == Save::X ? Tensor() : s[save == Save::Y ? 0 : 1];
        return TensorList{apply(a.grad(), sx, sy)};
      },
      [&](const TensorList& t) {
        return TensorList{apply(t[0], save != Save::Y ? x : Tensor(), save != Save::X ? y : Tensor())};
      });
}
/// Records an op with zero derivative (floor, round, sign, ...), as PyTorch does.
void record_zero_grad(const char* name, const Tensor& x, const Tensor& y);
/// Records the given inputs as having zero gradient.
void record_zero_grad(const char* name, const TensorList& inputs, const Tensor& y);

/// Runs an in-place op: with autograd, computes `outplace()` and rebases self onto it; without,
/// calls `raw()` that writes into self, then bumps the version.
template <class Outplace, class Raw>
Tensor& inplace_op(Tensor& self, std::initializer_list<const Tensor*> others, const char* name, Outplace outplace,
                   Raw raw) {
  bool rec = autograd::needs_record({&self});
  for (const Tensor* o : others) rec = rec || (o->defined() && autograd::needs_record({o}));
  if (rec) {
    autograd::check_inplace(self, name);
    Tensor r = outplace();
    if (r.dtype() != self.dtype()) r = r.to(self.dtype());
    autograd::rebase_inplace(self, r);
    return self;
  }
  check_no_internal_overlap(self, name);
  raw();
  bump_version(self);
  return self;
}

/// out= support: checks autograd/dtype, resizes an empty `out`, checks the shape.
void prepare_out(Tensor& out, const Shape& sizes, DType result, const char* op,
                 std::initializer_list<const Tensor*> inputs);

}  // namespace fluxion::pw
