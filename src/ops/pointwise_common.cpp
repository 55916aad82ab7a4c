// Shared machinery of the elementwise ops; see pointwise_common.h.
#include "ops/pointwise_common.h"

#include "core/batched.h"
#include "core/vmap_state.h"

#include <algorithm>
#include <numeric>

#include "kernels/cpu/copy.h"

namespace fluxion {

namespace pw {

// ---- type promotion ---------------------------------------------------------------------------

namespace {
int promote_opt(int a, DType b) {
  return a < 0 ? static_cast<int>(b) : static_cast<int>(promote_types(static_cast<DType>(a), b));
}
// PyTorch's combine_categories: a lower-priority operand only matters when it is of a higher
// category (floating over integral/bool; anything over bool).
int combine(int higher, int lower) {
  if (higher < 0) return lower;
  const DType h = static_cast<DType>(higher);
  if (is_floating_point(h)) return higher;
  if (lower >= 0 && (h == DType::Bool || is_floating_point(static_cast<DType>(lower))))
    return static_cast<int>(promote_types(h, static_cast<DType>(lower)));
  return higher;
}
}  // namespace

void TypeState::add(const Tensor& t) {
  if (!t.defined()) return;
  if (t.dim() == 0)
    zero_ = promote_opt(zero_, t.dtype());
  else
    dim_ = promote_opt(dim_, t.dtype());
}
void TypeState::add(const Scalar& s) { wrapped_ = promote_opt(wrapped_, s.natural_dtype()); }
DType TypeState::result() const {
  int r = combine(dim_, combine(zero_, wrapped_));
  return r < 0 ? default_dtype() : static_cast<DType>(r);
}

bool can_cast(DType from, DType to) {
  if (is_floating_point(from) && is_integral(to, /*include_bool=*/true)) return false;
  if (from != DType::Bool && to == DType::Bool) return false;
  return true;
}

// ---- checks -------------------------------------------------------------------------------------

void check_defined(const Tensor& t, const char* op) { FX_CHECK(t.defined(), op, ": tensor is undefined"); }

Device common_device(std::initializer_list<const Tensor*> ts, const char* op) {
  const Tensor* ref = nullptr;
  for (const Tensor* t : ts) {
    if (!t->defined()) continue;
    if (!ref || (is_cpu_scalar(*ref) && !is_cpu_scalar(*t))) ref = t;
  }
  FX_CHECK(ref != nullptr, op, ": no tensor operand");
  for (const Tensor* t : ts) {
    if (!t->defined() || t->device() == ref->device() || is_cpu_scalar(*t)) continue;
    FX_FAIL(op, ": expected all tensors to be on the same device, but found tensors on ", ref->device().str(), " and ",
            t->device().str());
  }
  return ref->device();
}

void check_floating(const Tensor& x, const char* op) {
  FX_CHECK(x.is_floating_point(), op, ": expected a floating-point tensor but got dtype ", dtype_name(x.dtype()));
}

void check_can_cast(DType result, DType dest, const char* op) {
  FX_CHECK(can_cast(result, dest), op, ": result type ", dtype_name(result),
           " can't be cast to the desired output type ", dtype_name(dest));
}

void check_inplace_shape(const Tensor& self, const Shape& bshape, const char* op) {
  FX_CHECK(bshape == self.sizes(), op, ": output with shape ", self.sizes(), " doesn't match the broadcast shape ",
           bshape);
}

void check_no_internal_overlap(const Tensor& self, const char* op) {
  for (int64_t d = 0; d < self.dim(); ++d)
    FX_CHECK(!(self.strides()[d] == 0 && self.sizes()[d] > 1), op,
             ": unsupported operation: more than one element of the written-to tensor refers to a single memory "
             "location (sizes ",
             self.sizes(), ", strides ", self.strides(), "); clone() it first");
}

void bump_version(const Tensor& t) {
  if (!is_inference_mode()) t.impl()->storage()->bump_version();
}

// ---- kernel operands ----------------------------------------------------------------------------

Tensor cast_for_kernel(const Tensor& t, DType dt) {
  if (!t.defined() || t.dtype() == dt) return t;
  if (batched::is_batched(t)) [[unlikely]] {
    const int64_t B = batched::batch_size({&t});
    Tensor o = batched::wrap(empty(batched::physical(t, B).sizes(), TensorOptions(dt).device(t.device())));
    kernels::copy_kernel.get(t.device().type(), dt)(batched::physical(o, B), batched::physical(t, B));
    return o;
  }
  Tensor o = empty(t.sizes(), TensorOptions(dt).device(t.device()));
  kernels::copy_kernel.get(t.device().type(), dt)(o, t);
  return o;
}

// The batch size of a kernel's batched output; a batched input written into an unbatched output
// (an in-place op on a shared tensor) has no rule (Note [Batched tensors]).
int64_t batched_out(const Tensor& out) {
  if (!batched::is_batched(out)) vmap_state::no_rule("an in-place op writing a batched value into an unbatched tensor");
  return batched::batch_size({&out});
}

void copy_into(const Tensor& dst, const Tensor& src) {
  if (batched::any_batched({&dst, &src})) [[unlikely]] {
    const int64_t B = batched_out(dst);
    kernels::copy_kernel.get(dst.device().type(), dst.dtype())(
        batched::physical(dst, B), batched::physical(expand_for_kernel(src, dst.sizes()), B));
    return;
  }
  kernels::copy_kernel.get(dst.device().type(), dst.dtype())(dst, expand_for_kernel(src, dst.sizes()));
}

Tensor expand_for_kernel(const Tensor& t, const Shape& sizes) {
  if (!t.defined() || t.sizes() == sizes) return t;
  const int64_t nd = static_cast<int64_t>(sizes.size()), td = t.dim();
  FX_ASSERT(td <= nd);
  Shape strides(nd, int64_t{0});
  for (int64_t i = 0; i < td; ++i) {
    const int64_t d = nd - td + i;
    strides[d] = t.sizes()[i] == sizes[d] ? t.strides()[i] : 0;
    FX_ASSERT(t.sizes()[i] == sizes[d] || t.sizes()[i] == 1);
  }
  return Tensor(make_alias(*t.impl(), t.storage_offset(), sizes, strides, t.dtype()));
}

Tensor new_output(const Shape& sizes, DType dt, Device dev, const Tensor* like, const Tensor* like2) {
  const TensorOptions opts = TensorOptions(dt).device(dev);
  if ((like && batched::is_batched(*like)) || (like2 && batched::is_batched(*like2))) [[unlikely]] {
    // Note [Batched tensors]: the result of an op on a batched operand is batched.
    const int64_t B = like && batched::is_batched(*like) ? batched::batch_size({like}) : batched::batch_size({like2});
    return batched::wrap(empty(batched::batched_sizes(B, sizes), opts));
  }
  auto full = [&](const Tensor* t) { return t && t->defined() && t->sizes() == sizes; };
  const Tensor* ref = full(like) ? like : (full(like2) ? like2 : nullptr);
  if (!ref || ref->is_contiguous() || sizes.size() < 2) return empty(sizes, opts);
  if (full(like) && full(like2) && like->strides() != like2->strides()) return empty(sizes, opts);
  const int64_t nd = static_cast<int64_t>(sizes.size());
  for (int64_t d = 0; d < nd; ++d)
    if (ref->strides()[d] == 0 && sizes[d] > 1) return empty(sizes, opts);  // broadcast view
  // Dense strides in ref's order of decreasing stride (ties keep the row-major order).
  std::vector<int64_t> order(static_cast<size_t>(nd));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return ref->strides()[a] > ref->strides()[b]; });
  Shape strides(nd, int64_t{0});
  int64_t s = 1;
  for (int64_t k = nd - 1; k >= 0; --k) {
    strides[order[k]] = s;
    s *= std::max<int64_t>(sizes[order[k]], 1);
  }
  return empty_strided(sizes, strides, opts);
}

// ---- launches -----------------------------------------------------------------------------------

void launch_unary(const Tensor& out, const Tensor& x, UnaryOp op, const UnaryParams& p) {
  if (out.numel() == 0) return;
  const auto fn = kernels::unary_kernel.get(out.device().type(), out.dtype());
  if (batched::any_batched({&out, &x})) [[unlikely]] {
    const int64_t B = batched_out(out);
    return fn(batched::physical(out, B),
              batched::physical(expand_for_kernel(cast_for_kernel(x, out.dtype()), out.sizes()), B), op, p);
  }
  if (x.dtype() == out.dtype() && x.sizes() == out.sizes()) return fn(out, x, op, p);  // no handle copies
  fn(out, expand_for_kernel(cast_for_kernel(x, out.dtype()), out.sizes()), op, p);
}

void launch_binary(const Tensor& out, const Tensor& a, const Tensor& b, BinaryOp op, kernels::BinaryParams p) {
  if (out.numel() == 0) return;
  const DType dt = out.dtype();
  const auto fn = kernels::binary_kernel.get(out.device().type(), dt);
  if (batched::any_batched({&out, &a, &b})) [[unlikely]] {
    const int64_t B = batched_out(out);
    Tensor ka, kb;  // an unbatched 0-d CPU operand next to a tensor stays a number, as below
    const bool a_num = a.defined() && !batched::is_batched(a) && is_cpu_scalar(a) && b.defined() && !is_cpu_scalar(b);
    const bool b_num = b.defined() && !batched::is_batched(b) && is_cpu_scalar(b) && a.defined() && !is_cpu_scalar(a);
    if (a_num)
      p.scalar = a.item();
    else if (a.defined())
      ka = batched::physical(expand_for_kernel(cast_for_kernel(a, dt), out.sizes()), B);
    if (b_num)
      p.scalar = b.item();
    else if (b.defined())
      kb = batched::physical(expand_for_kernel(cast_for_kernel(b, dt), out.sizes()), B);
    return fn(batched::physical(out, B), ka, kb, op, p);
  }
  // Common case first: same dtype and sizes, no number operand to extract (no handle copies).
  auto direct = [&](const Tensor& t) { return t.dtype() == dt && t.sizes() == out.sizes() && t.dim() > 0; };
  if (a.defined() && b.defined() && direct(a) && direct(b)) return fn(out, a, b, op, p);
  if (!b.defined() && direct(a)) return fn(out, a, b, op, p);
  Tensor ka, kb;
  const bool a_num = a.defined() && is_cpu_scalar(a) && b.defined() && !is_cpu_scalar(b);
  const bool b_num = b.defined() && is_cpu_scalar(b) && a.defined() && !is_cpu_scalar(a);
  if (a_num)
    p.scalar = a.item();
  else
    ka = expand_for_kernel(cast_for_kernel(a, dt), out.sizes());
  if (b_num)
    p.scalar = b.item();
  else
    kb = expand_for_kernel(cast_for_kernel(b, dt), out.sizes());
  fn(out, ka, kb, op, p);
}

void launch_compare(const Tensor& out, const Tensor& a, const Tensor& b, DType dt, CompareOp op,
                    kernels::CompareParams p) {
  if (out.numel() == 0) return;
  Tensor ka = a, kb = b;
  // The kernel takes the number on the right; comparisons with a number on the left are flipped
  // by the callers, logical ops are symmetric.
  if (b.defined() && is_cpu_scalar(b) && !batched::is_batched(b) && !is_cpu_scalar(a)) {
    p.scalar = b.item();
    kb = Tensor();
  }
  // A CPU number left as an operand (on the left of a device tensor) goes to the output's device.
  if (!out.is_cpu()) {
    if (ka.defined() && is_cpu_scalar(ka) && !batched::is_batched(ka)) ka = ka.to(out.device());
    if (kb.defined() && is_cpu_scalar(kb) && !batched::is_batched(kb)) kb = kb.to(out.device());
  }
  ka = expand_for_kernel(cast_for_kernel(ka, dt), out.sizes());
  kb = expand_for_kernel(cast_for_kernel(kb, dt), out.sizes());
  if (batched::any_batched({&out, &ka, &kb})) [[unlikely]] {
    const int64_t B = batched_out(out);
    kernels::compare_kernel.get(out.device().type(), dt)(batched::physical(out, B), batched::physical(ka, B),
                                                         kb.defined() ? batched::physical(kb, B) : kb, op, p);
    return;
  }
  kernels::compare_kernel.get(out.device().type(), dt)(out, ka, kb, op, p);
}

Tensor unary_op(const Tensor& x, DType dt, UnaryOp op, const UnaryParams& p) {
  Tensor out = new_output(x.sizes(), dt, x.device(), &x);
  launch_unary(out, x, op, p);
  return out;
}

Tensor binary_op(const Tensor& a, const Tensor& b, DType dt, BinaryOp op, const kernels::BinaryParams& p) {
  Shape shape = !a.defined()             ? b.sizes()
                : !b.defined()           ? a.sizes()
                : a.sizes() == b.sizes() ? a.sizes()
                                         : broadcast_shapes(a.sizes(), b.sizes());
  Device dev = common_device({&a, &b}, "elementwise op");
  Tensor out = new_output(shape, dt, dev, a.defined() ? &a : nullptr, b.defined() ? &b : nullptr);
  launch_binary(out, a, b, op, p);
  return out;
}

// ---- autograd -------------------------------------------------------------------------------------

Tensor grad_for(const Tensor& g, const Shape& sizes, DType dt) {
  if (!g.defined()) return g;
  Tensor r = g.sizes() == sizes ? g : autograd::sum_to(g, sizes);
  if (r.dtype() != dt && is_floating_point(dt)) r = r.to(dt);
  return r;
}

void record_zero_grad(const char* name, const Tensor& x, const Tensor& y) { record_zero_grad(name, TensorList{x}, y); }

void record_zero_grad(const char* name, const TensorList& inputs, const Tensor& y) {
  std::vector<std::pair<Shape, DType>> metas;
  for (const Tensor& t : inputs)
    metas.emplace_back(t.defined() ? t.sizes() : Shape{}, t.defined() ? t.dtype() : y.dtype());
  autograd::record(
      name, inputs, {y},
      [metas](const autograd::BackwardArgs& a) {
        TensorList gs;
        for (size_t i = 0; i < metas.size(); ++i)
          gs.push_back(a.needs(i) ? zeros(metas[i].first, TensorOptions(metas[i].second).device(a.grad().device()))
                                  : Tensor());
        return gs;
      },
      [&](const TensorList&) { return TensorList{zeros_like(y)}; });
}

void prepare_out(Tensor& out, const Shape& sizes, DType result, const char* op,
                 std::initializer_list<const Tensor*> inputs) {
  check_defined(out, op);
  if (is_grad_enabled()) {
    bool rg = out.requires_grad();
    for (const Tensor* t : inputs) rg = rg || (t->defined() && t->requires_grad());
    FX_CHECK(!rg, op,
             ": functions with out=... arguments don't support automatic differentiation, but one of the arguments "
             "requires grad");
  }
  check_can_cast(result, out.dtype(), op);
  if (out.sizes() != sizes) {
    FX_CHECK(out.numel() == 0, op, ": out= tensor has sizes ", out.sizes(), " but the result has sizes ", sizes,
             " (only an empty out= tensor is resized)");
    const size_t nbytes = static_cast<size_t>(shape_numel(sizes)) * out.element_size();
    out.impl()->set_storage(std::make_shared<Storage>(nbytes, out.device()), 0, sizes, contiguous_strides(sizes),
                            out.dtype());
  }
  check_no_internal_overlap(out, op);
}

}  // namespace pw

// ---- result_type (public) -------------------------------------------------------------------------

DType result_type(const Tensor& a, const Tensor& b) {
  pw::check_defined(a, "result_type");
  pw::check_defined(b, "result_type");
  pw::TypeState s;
  s.add(a);
  s.add(b);
  return s.result();
}

DType result_type(const Tensor& a, const Scalar& b) {
  pw::check_defined(a, "result_type");
  pw::TypeState s;
  s.add(a);
  s.add(b);
  return s.result();
}

}  // namespace fluxion
