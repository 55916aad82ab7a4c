// Matrix products: matmul, mm, bmm, mv, dot, outer, addmm, addmv, baddbmm, tensordot and the
// out= variants, each with its VJP and JVP beside the forward.
//
// Every forward lowers to one batched strided GEMM (kernels/linalg_kernels.h) described straight
// from the operands' sizes and strides: transposed, sliced or batch-broadcast operands cost no
// copy and make no autograd views. Gradients are written with these differentiable ops
// (mm/bmm/matmul of the gradient with transposes, sum_to for broadcast batch dims), so
// higher-order derivatives work.
#include "fluxion/ops/linalg.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>

#include "core/batched.h"
#include "fluxion/autograd.h"
#include "fluxion/ops/creation.h"
#include "fluxion/ops/pointwise.h"
#include "fluxion/ops/reduce.h"
#include "fluxion/ops/view.h"
#include "kernels/cpu/copy.h"
#include "kernels/linalg_kernels.h"

namespace fluxion {

namespace {

using kernels::GemmOperand;
using kernels::GemmParams;

// ---- checks ------------------------------------------------------------------------------------

void check_defined(const char* op, std::initializer_list<const Tensor*> ts) {
  for (const Tensor* t : ts) FX_CHECK(t->defined(), op, ": got an undefined tensor");
}

void check_same_device(const char* op, std::initializer_list<const Tensor*> ts) {
  const Tensor& first = **ts.begin();
  for (const Tensor* t : ts)
    FX_CHECK(t->device() == first.device(), op, ": expected all tensors to be on the same device, but got ",
             first.device().str(), " and ", t->device().str());
}

// Matrix products need one dtype for all operands (PyTorch does not promote here) and a
// numeric one (bool has no GEMM in PyTorch either).
void check_same_dtype(const char* op, const Tensor& a, const Tensor& b) {
  FX_CHECK(a.dtype() == b.dtype(), op, ": expected both to have the same dtype, but got ", dtype_name(a.dtype()),
           " and ", dtype_name(b.dtype()), " (sizes ", a.sizes(), " and ", b.sizes(), ")");
  FX_CHECK(a.dtype() != kBool, op, ": not implemented for dtype bool");
}

void check_self_dtype(const char* op, const Tensor& self, const Tensor& a) {
  FX_CHECK(self.dtype() == a.dtype(), op, ": expected self to have the same dtype as the matrices, but got ",
           dtype_name(self.dtype()), " and ", dtype_name(a.dtype()));
}

// Like PyTorch, a floating alpha/beta with integer tensors is truncated; a non-finite one has no
// integer value and is refused.
void check_scalar(const char* op, const char* name, const Scalar& s, DType dt) {
  if (!is_floating_point(dt) && s.is_floating_point())
    FX_CHECK(std::isfinite(s.to_double()), op, ": ", name, " = ", s, " is not representable for integer dtype ",
             dtype_name(dt));
}

// Whether `self` (of sizes s) broadcasts to `out` sizes.
void check_broadcastable_to(const char* op, const Shape& s, const Shape& out) {
  bool ok = s.size() <= out.size();
  for (size_t i = 0; ok && i < s.size(); ++i) {
    int64_t d = s[s.size() - 1 - i], o = out[out.size() - 1 - i];
    ok = d == o || d == 1;
  }
  FX_CHECK(ok, op, ": self of sizes ", s, " cannot be broadcast to the result sizes ", out);
}

// ---- GEMM lowering -----------------------------------------------------------------------------

GemmOperand operand(const Tensor& t, int64_t rs, int64_t cs, Shape bstrides) {
  GemmOperand o;
  o.data = static_cast<char*>(t.data_ptr());
  o.rs = rs;
  o.cs = cs;
  o.bstrides = std::move(bstrides);
  return o;
}

void run_gemm(GemmParams& p, const Tensor& like) {
  if (p.m == 0 || p.n == 0 || shape_numel(p.batch) == 0) return;
  kernels::gemm_kernel.get(like.device().type(), like.dtype())(p);
}

// The element stride that walks the first `ndim` dims of t (sizes s) as one flattened dim, or
// nullopt if they do not form a single arithmetic progression. Size-1 dims are ignored.
std::optional<int64_t> fold_stride(const Tensor& t, int64_t ndim) {
  int64_t stride = -1, expect = -1;
  for (int64_t d = ndim - 1; d >= 0; --d) {
    int64_t sz = t.sizes()[d], st = t.strides()[d];
    if (sz == 1) continue;
    if (stride < 0) {
      stride = st;
    } else if (st != expect) {
      return std::nullopt;
    }
    expect = st * sz;
  }
  return stride < 0 ? 0 : stride;
}

// Batch strides of t (whose leading `tb` dims are batch dims) aligned right to `batch`; size-1
// (and missing) dims broadcast with stride 0.
Shape batch_strides(const Tensor& t, int64_t tb, const Shape& batch) {
  Shape out(batch.size(), int64_t{0});
  const int64_t off = static_cast<int64_t>(batch.size()) - tb;
  for (int64_t d = 0; d < tb; ++d)
    if (t.sizes()[d] != 1) out[off + d] = t.strides()[d];
  return out;
}

// Contiguous batch strides of an output [batch..., m, n].
Shape out_batch_strides(const Shape& batch, int64_t mn) {
  Shape out(batch.size(), int64_t{0});
  int64_t s = mn;
  for (int64_t d = static_cast<int64_t>(batch.size()) - 1; d >= 0; --d) {
    out[d] = s;
    s *= batch[d];
  }
  return out;
}

// Everything matmul's forward needs to know about its operands.
struct MatmulPlan {
  Shape out_sizes;
  GemmParams p;
};

// PyTorch matmul semantics: 1-d operands get a dim inserted (and removed from the result), the
// batch dims broadcast. When b has no batch dims and a's batch dims fold into its rows without a
// copy, the whole product is one GEMM with M = batch * m (a linear layer on a [B, T, K] input).
MatmulPlan plan_matmul(const char* op, const Tensor& a, const Tensor& b) {
  const int64_t da = a.dim(), db = b.dim();
  FX_CHECK(da >= 1 && db >= 1, op, ": both arguments need to be at least 1-D, but got ", da, "-D and ", db,
           "-D (sizes ", a.sizes(), " and ", b.sizes(), ")");
  const int64_t k = a.sizes()[da - 1];
  const int64_t kb = db >= 2 ? b.sizes()[db - 2] : b.sizes()[0];
  FX_CHECK(k == kb, op, ": shapes cannot be multiplied: ", a.sizes(), " @ ", b.sizes(), " (inner dimensions ", k,
           " and ", kb, " differ)");
  const int64_t m = da >= 2 ? a.sizes()[da - 2] : 1, n = db >= 2 ? b.sizes()[db - 1] : 1;
  const int64_t ba = std::max<int64_t>(da - 2, 0), bb = std::max<int64_t>(db - 2, 0);
  Shape batch(static_cast<size_t>(std::max(ba, bb)), int64_t{1});
  for (size_t i = 0; i < batch.size(); ++i) {
    int64_t ia = static_cast<int64_t>(i) - (static_cast<int64_t>(batch.size()) - ba);
    int64_t ib = static_cast<int64_t>(i) - (static_cast<int64_t>(batch.size()) - bb);
    int64_t sa = ia >= 0 ? a.sizes()[ia] : 1, sb = ib >= 0 ? b.sizes()[ib] : 1;
    FX_CHECK(sa == sb || sa == 1 || sb == 1, op, ": batch dimensions are not broadcastable: ", a.sizes(), " @ ",
             b.sizes(), " (", sa, " vs ", sb, " at batch dim ", i, ")");
    batch[i] = sa == 1 ? sb : sa;
  }
  MatmulPlan plan;
  Shape& out = plan.out_sizes;
  for (int64_t s : batch) out.push_back(s);
  if (da >= 2) out.push_back(m);
  if (db >= 2) out.push_back(n);

  GemmParams& p = plan.p;
  p.k = k;
  p.n = n;
  const int64_t a_rs = da >= 2 ? a.strides()[da - 2] : 0, a_cs = a.strides()[da - 1];
  const int64_t b_rs = db >= 2 ? b.strides()[db - 2] : b.strides()[0], b_cs = db >= 2 ? b.strides()[db - 1] : 0;
  std::optional<int64_t> fold = (bb == 0 && ba > 0) ? fold_stride(a, da - 1) : std::nullopt;
  if (fold) {
    p.m = shape_numel(batch) * m;
    p.a = operand(a, *fold, a_cs, {});
    p.b = operand(b, b_rs, b_cs, {});
  } else {
    p.batch = batch;
    p.m = m;
    p.a = operand(a, a_rs, a_cs, batch_strides(a, ba, batch));
    p.b = operand(b, b_rs, b_cs, batch_strides(b, bb, batch));
  }
  return plan;
}

// Fills the C operand for a contiguous output tensor and runs the plan.
void run_plan_into(GemmParams& p, const Tensor& out, const Tensor& like) {
  p.c = operand(out, p.n, 1, out_batch_strides(p.batch, p.m * p.n));
  run_gemm(p, like);
}

// Whether `out` can be written directly by a GEMM with contiguous C strides.
bool usable_out(const Tensor& out, const Tensor& a, const Tensor& b) {
  return out.is_contiguous() && out.impl()->storage() != a.impl()->storage() &&
         out.impl()->storage() != b.impl()->storage();
}

// Prepares an out= tensor: dtype/device checks, resize of empty tensors, no autograd.
void prepare_out(const char* op, Tensor& out, const Shape& sizes, const Tensor& like,
                 std::initializer_list<const Tensor*> inputs) {
  FX_CHECK(out.defined(), op, ": out is undefined");
  FX_CHECK(!autograd::needs_record(inputs) && !autograd::needs_record({&out}), op,
           ": functions with out=... arguments don't support automatic differentiation, but one of the arguments "
           "requires grad");
  FX_CHECK(out.dtype() == like.dtype(), op, ": expected out to have dtype ", dtype_name(like.dtype()), " but got ",
           dtype_name(out.dtype()));
  FX_CHECK(out.device() == like.device(), op, ": expected out on ", like.device().str(), " but it is on ",
           out.device().str());
  if (out.sizes() != sizes) {
    FX_CHECK(out.numel() == 0, op, ": out has sizes ", out.sizes(), " but the result has sizes ", sizes,
             " (only an empty out tensor is resized)");
    size_t nbytes = static_cast<size_t>(shape_numel(sizes)) * element_size(out.dtype());
    out.impl()->set_storage(std::make_shared<Storage>(nbytes, out.device()), 0, sizes, contiguous_strides(sizes),
                            out.dtype());
  }
  for (int64_t d = 0; d < out.dim(); ++d)
    FX_CHECK(out.strides()[d] != 0 || out.sizes()[d] <= 1, op,
             ": out has a broadcast (stride 0) dimension; more than one element would refer to one memory location");
}

void bump(Tensor& out) {
  if (!is_inference_mode()) out.impl()->storage()->bump_version();
}

// beta * self broadcast into out (a fresh contiguous tensor) before a GEMM with that beta.
void init_with_self(const Tensor& out, const Tensor& self) {
  kernels::copy_kernel.get(out.device().type(), out.dtype())(
      out, self.sizes() == out.sizes() ? self : self.expand(out.sizes()));
}

bool is_one(const Scalar& s) { return s.to_double() == 1.0; }
bool is_zero(const Scalar& s) { return s.to_double() == 0.0; }
Tensor scaled(const Tensor& t, const Scalar& s) { return is_one(s) ? t : t * s; }

// ---- forwards without autograd -------------------------------------------------------------------

Tensor matmul_forward(const Tensor& a, const Tensor& b);

// Note [Batched tensors]: a product of batched operands is one physical matmul with the batch
// dim leading. A batched operand gets size-1 dims after its batch dim up to the other's rank; an
// unbatched one stays as it is, so x @ W with a shared W remains a single GEMM.
Tensor batched_matmul(const Tensor& a, const Tensor& b) {
  FX_CHECK(a.dim() >= 1 && b.dim() >= 1, "matmul: both arguments need to be at least 1-D, but got ", a.dim(), "-D and ",
           b.dim(), "-D");
  const int64_t k = a.size(-1), kb = b.dim() >= 2 ? b.size(-2) : b.size(0);
  FX_CHECK(k == kb, "matmul: shapes cannot be multiplied: ", a.sizes(), " @ ", b.sizes(), " (inner dimensions ", k,
           " and ", kb, " differ)");
  const bool a_vec = a.dim() == 1, b_vec = b.dim() == 1;
  Tensor pa = batched::plain(a), pb = batched::plain(b);
  if (a_vec) pa = pa.unsqueeze(-2);
  if (b_vec) pb = pb.unsqueeze(-1);
  const int64_t rank = std::max<int64_t>(std::max<int64_t>(a.dim(), 2), std::max<int64_t>(b.dim(), 2));
  if (batched::is_batched(a)) pa = batched::pad_logical(pa, rank);
  if (batched::is_batched(b)) pb = batched::pad_logical(pb, rank);
  Tensor out = matmul_forward(pa, pb);
  if (b_vec) out = out.squeeze(-1);
  if (a_vec) out = out.squeeze(b_vec ? -1 : -2);
  return batched::wrap(out);
}

Tensor matmul_forward(const Tensor& a, const Tensor& b) {
  if (batched::any_batched({&a, &b})) [[unlikely]]
    return batched_matmul(a, b);
  MatmulPlan plan = plan_matmul("matmul", a, b);
  Tensor out = empty(plan.out_sizes, a.options());
  run_plan_into(plan.p, out, a);
  return out;
}

// beta * self + alpha * (a @ b) for a = [batch..., m, k] and b = [batch..., k, n] or [k] (a
// vector: mv), with `nb` equal batch dims; self (may be undefined) broadcasts to the result.
Tensor gemm_forward(const Tensor& a, const Tensor& b, int64_t nb, const Scalar& alpha, const Scalar& beta,
                    const Tensor& self) {
  if (batched::any_batched({&a, &b, &self})) [[unlikely]] {
    // The same product as matmul (equal batch dims), then alpha and beta * self on the plain
    // physical tensors (Note [Batched tensors]).
    const int64_t B = batched::batch_size({&a, &b, &self});
    Tensor out = batched::is_batched(a) || batched::is_batched(b) ? batched::plain(batched_matmul(a, b))
                                                                  : batched::physical(matmul_forward(a, b), B);
    if (!is_one(alpha)) out = out * alpha;
    if (self.defined() && !is_zero(beta)) {
      const Tensor ps =
          batched::is_batched(self) ? batched::pad_logical(batched::plain(self), out.dim() - 1) : batched::plain(self);
      out = is_one(beta) ? out + ps : out + ps * beta;
    }
    return batched::wrap(out.contiguous());
  }
  const int64_t da = a.dim(), db = b.dim();
  const bool b_vec = db - nb == 1;
  GemmParams p;
  for (int64_t d = 0; d < nb; ++d) p.batch.push_back(a.sizes()[d]);
  p.m = a.sizes()[da - 2];
  p.k = a.sizes()[da - 1];
  p.n = b_vec ? 1 : b.sizes()[db - 1];
  Shape out_sizes = p.batch;
  out_sizes.push_back(p.m);
  if (!b_vec) out_sizes.push_back(p.n);
  p.a = operand(a, a.strides()[da - 2], a.strides()[da - 1], batch_strides(a, nb, p.batch));
  p.b = operand(b, b_vec ? b.strides()[db - 1] : b.strides()[db - 2], b_vec ? 0 : b.strides()[db - 1],
                batch_strides(b, nb, p.batch));
  p.alpha = alpha;
  p.beta = beta;
  Tensor out = empty(out_sizes, a.options());
  if (self.defined() && !is_zero(beta))
    init_with_self(out, self);
  else
    p.beta = 0;
  run_plan_into(p, out, a);
  return out;
}

// ---- matmul VJP ----------------------------------------------------------------------------------

// [..., r, c] -> [prod(...) * r, c] (explicit sizes: reshape's -1 is ambiguous for empty tensors).
Tensor fold_rows(const Tensor& t) {
  const int64_t c = t.size(-1);
  int64_t r = 1;
  for (int64_t d = 0; d + 1 < t.dim(); ++d) r *= t.size(d);
  return t.reshape({r, c});
}

// A column-major matrix operand (a transposed contiguous one, e.g. Linear's weight.t()) gets its
// gradient computed transposed, so the result already has the operand's layout and the weight's
// own gradient comes out contiguous (as PyTorch's mm_mat2_backward does) — otherwise every step
// pays a strided copy of the whole weight gradient when it is accumulated (measured: 28% of an
// MLP training step).
bool col_major(const Tensor& m) {
  return m.dim() == 2 && m.size(0) > 1 && m.size(1) > 1 && m.stride(0) == 1 && m.stride(1) == m.size(0);
}
// d(m1 @ m2)/d m1 = g @ m2^T, in m1's layout.
Tensor mm_grad_mat1(const Tensor& g, const Tensor& m2, bool m1_col_major) {
  return m1_col_major ? mm(m2, g.t()).t() : mm(g, m2.t());
}
// d(m1 @ m2)/d m2 = m1^T @ g, in m2's layout.
Tensor mm_grad_mat2(const Tensor& m1, const Tensor& g, bool m2_col_major) {
  return m2_col_major ? mm(g.t(), m1).t() : mm(m1.t(), g);
}

TensorList matmul_vjp(const autograd::BackwardArgs& args, const Tensor& a, const Tensor& b) {
  const Tensor& g = args.grad();
  Tensor ga, gb;
  if (a.dim() == 1 && b.dim() == 1) {
    if (args.needs(0)) ga = g * b;
    if (args.needs(1)) gb = g * a;
    return {ga, gb};
  }
  Tensor A = a.dim() == 1 ? a.unsqueeze(0) : a;
  Tensor B = b.dim() == 1 ? b.unsqueeze(-1) : b;
  Tensor G = g;
  if (b.dim() == 1) G = G.unsqueeze(-1);
  if (a.dim() == 1) G = G.unsqueeze(-2);
  if (args.needs(0)) {
    if (A.dim() == 2 && G.dim() > 2) {
      // sum_b G_b @ B_b^T == [m, (batch n)] @ [(batch n), k]
      // A 2-d A means the batch dims are all B's, in the same order as G's.
      ga = mm(fold_rows(G.mT()).t(), fold_rows(B.mT()));
    } else if (A.dim() == 2 && B.dim() == 2) {
      ga = mm_grad_mat1(G, B, col_major(A));
    } else {
      ga = autograd::sum_to(matmul(G, B.mT()), A.sizes());
    }
    if (a.dim() == 1) ga = ga.reshape(a.sizes());
  }
  if (args.needs(1)) {
    if (B.dim() == 2 && G.dim() > 2) {
      // sum_b A_b^T @ G_b == [(batch m), k]^T @ [(batch m), n]
      gb = mm_grad_mat2(fold_rows(A), fold_rows(G), col_major(B));
    } else if (A.dim() == 2 && B.dim() == 2) {
      gb = mm_grad_mat2(A, G, col_major(B));
    } else {
      gb = autograd::sum_to(matmul(A.mT(), G), B.sizes());
    }
    if (b.dim() == 1) gb = gb.reshape(b.sizes());
  }
  return {ga, gb};
}

}  // namespace

// ---- matmul --------------------------------------------------------------------------------------

Tensor matmul(const Tensor& a, const Tensor& b) {
  check_defined("matmul", {&a, &b});
  check_same_device("matmul", {&a, &b});
  check_same_dtype("matmul", a, b);
  Tensor out = matmul_forward(a, b);
  if (autograd::needs_record({&a, &b}))
    autograd::record(
        "MatmulBackward0", {a, b}, {out}, {a, b},
        [](const autograd::BackwardArgs& args, const autograd::SavedList& s) { return matmul_vjp(args, s[0], s[1]); },
        [&](const TensorList& t) { return TensorList{matmul(t[0], b) + matmul(a, t[1])}; });
  return out;
}

namespace {
// matmul_out and mm_out: `op` names the caller in errors.
Tensor& matmul_out_impl(const char* op, Tensor& out, const Tensor& a, const Tensor& b) {
  check_defined(op, {&a, &b});
  check_same_device(op, {&a, &b});
  check_same_dtype(op, a, b);
  MatmulPlan plan = plan_matmul(op, a, b);
  prepare_out(op, out, plan.out_sizes, a, {&a, &b});
  if (usable_out(out, a, b)) {
    run_plan_into(plan.p, out, a);
  } else {
    // Non-contiguous out, or out sharing memory with an input: multiply into a temporary.
    Tensor tmp = empty(plan.out_sizes, a.options());
    run_plan_into(plan.p, tmp, a);
    kernels::copy_kernel.get(out.device().type(), out.dtype())(out, tmp);
  }
  bump(out);
  return out;
}
}  // namespace

Tensor& matmul_out(Tensor& out, const Tensor& a, const Tensor& b) { return matmul_out_impl("matmul_out", out, a, b); }

// ---- mm / bmm / mv / dot -------------------------------------------------------------------------

namespace {
void check_mm(const char* op, const Tensor& a, const Tensor& b) {
  check_defined(op, {&a, &b});
  FX_CHECK(a.dim() == 2 && b.dim() == 2, op, ": expected 2-D tensors (matrices), but got ", a.dim(), "-D and ", b.dim(),
           "-D (sizes ", a.sizes(), " and ", b.sizes(), ")");
  FX_CHECK(a.size(1) == b.size(0), op, ": shapes cannot be multiplied: ", a.sizes(), " @ ", b.sizes(),
           " (inner dimensions ", a.size(1), " and ", b.size(0), " differ)");
  check_same_device(op, {&a, &b});
  check_same_dtype(op, a, b);
}

void check_bmm(const char* op, const Tensor& a, const Tensor& b) {
  check_defined(op, {&a, &b});
  FX_CHECK(a.dim() == 3 && b.dim() == 3, op, ": expected 3-D tensors (batches of matrices), but got ", a.dim(),
           "-D and ", b.dim(), "-D (sizes ", a.sizes(), " and ", b.sizes(), ")");
  FX_CHECK(a.size(0) == b.size(0), op, ": batch sizes differ: ", a.sizes(), " and ", b.sizes());
  FX_CHECK(a.size(2) == b.size(1), op, ": shapes cannot be multiplied: ", a.sizes(), " @ ", b.sizes(),
           " (inner dimensions ", a.size(2), " and ", b.size(1), " differ)");
  check_same_device(op, {&a, &b});
  check_same_dtype(op, a, b);
}

void check_mv(const char* op, const Tensor& a, const Tensor& v) {
  check_defined(op, {&a, &v});
  FX_CHECK(a.dim() == 2 && v.dim() == 1, op, ": expected a 2-D matrix and a 1-D vector, but got ", a.dim(), "-D and ",
           v.dim(), "-D (sizes ", a.sizes(), " and ", v.sizes(), ")");
  FX_CHECK(a.size(1) == v.size(0), op, ": shapes cannot be multiplied: ", a.sizes(), " @ ", v.sizes(),
           " (inner dimensions ", a.size(1), " and ", v.size(0), " differ)");
  check_same_device(op, {&a, &v});
  check_same_dtype(op, a, v);
}
}  // namespace

Tensor mm(const Tensor& a, const Tensor& b) {
  check_mm("mm", a, b);
  Tensor out = gemm_forward(a, b, 0, 1, 0, Tensor());
  if (autograd::needs_record({&a, &b})) {
    const bool na = autograd::needs_record({&a}), nb = autograd::needs_record({&b});
    autograd::record(
        "MmBackward0", {a, b}, {out}, {nb ? a : Tensor(), na ? b : Tensor()},
        [a_col = col_major(a), b_col = col_major(b)](const autograd::BackwardArgs& args, const autograd::SavedList& s) {
          Tensor ga, gb;
          if (args.needs(0)) ga = mm_grad_mat1(args.grad(), s[1], a_col);
          if (args.needs(1)) gb = mm_grad_mat2(s[0], args.grad(), b_col);
          return TensorList{ga, gb};
        },
        [&](const TensorList& t) { return TensorList{mm(t[0], b) + mm(a, t[1])}; });
  }
  return out;
}

Tensor& mm_out(Tensor& out, const Tensor& a, const Tensor& b) {
  check_mm("mm_out", a, b);
  return matmul_out_impl("mm_out", out, a, b);
}

Tensor bmm(const Tensor& a, const Tensor& b) {
  check_bmm("bmm", a, b);
  Tensor out = gemm_forward(a, b, 1, 1, 0, Tensor());
  if (autograd::needs_record({&a, &b})) {
    const bool na = autograd::needs_record({&a}), nb = autograd::needs_record({&b});
    autograd::record(
        "BmmBackward0", {a, b}, {out}, {nb ? a : Tensor(), na ? b : Tensor()},
        [](const autograd::BackwardArgs& args, const autograd::SavedList& s) {
          Tensor ga, gb;
          if (args.needs(0)) ga = bmm(args.grad(), s[1].mT());
          if (args.needs(1)) gb = bmm(s[0].mT(), args.grad());
          return TensorList{ga, gb};
        },
        [&](const TensorList& t) { return TensorList{bmm(t[0], b) + bmm(a, t[1])}; });
  }
  return out;
}

Tensor mv(const Tensor& a, const Tensor& v) {
  check_mv("mv", a, v);
  Tensor out = gemm_forward(a, v, 0, 1, 0, Tensor());
  if (autograd::needs_record({&a, &v})) {
    const bool na = autograd::needs_record({&a}), nv = autograd::needs_record({&v});
    autograd::record(
        "MvBackward0", {a, v}, {out}, {nv ? a : Tensor(), na ? v : Tensor()},
        [](const autograd::BackwardArgs& args, const autograd::SavedList& s) {
          Tensor ga, gv;
          if (args.needs(0)) ga = outer(args.grad(), s[1]);
          if (args.needs(1)) gv = mv(s[0].t(), args.grad());
          return TensorList{ga, gv};
        },
        [&](const TensorList& t) { return TensorList{mv(t[0], v) + mv(a, t[1])}; });
  }
  return out;
}

Tensor dot(const Tensor& a, const Tensor& b) {
  check_defined("dot", {&a, &b});
  FX_CHECK(a.dim() == 1 && b.dim() == 1, "dot: expected 1-D tensors, but got ", a.dim(), "-D and ", b.dim(),
           "-D (sizes ", a.sizes(), " and ", b.sizes(), ")");
  FX_CHECK(a.size(0) == b.size(0), "dot: expected both vectors to have the same number of elements, but got ",
           a.sizes(), " and ", b.sizes());
  check_same_device("dot", {&a, &b});
  check_same_dtype("dot", a, b);
  Tensor out = matmul_forward(a, b);
  if (autograd::needs_record({&a, &b}))
    autograd::record(
        "DotBackward0", {a, b}, {out}, {a, b},
        [](const autograd::BackwardArgs& args, const autograd::SavedList& s) {
          Tensor ga, gb;
          if (args.needs(0)) ga = args.grad() * s[1];
          if (args.needs(1)) gb = args.grad() * s[0];
          return TensorList{ga, gb};
        },
        [&](const TensorList& t) { return TensorList{dot(t[0], b) + dot(a, t[1])}; });
  return out;
}

/// Outer product; like PyTorch it is a broadcast multiply, so dtypes promote and bool works.
Tensor outer(const Tensor& a, const Tensor& b) {
  check_defined("outer", {&a, &b});
  FX_CHECK(a.dim() == 1 && b.dim() == 1, "outer: expected 1-D tensors, but got ", a.dim(), "-D and ", b.dim(),
           "-D (sizes ", a.sizes(), " and ", b.sizes(), ")");
  check_same_device("outer", {&a, &b});
  return a.reshape({-1, 1}) * b;
}

// ---- addmm / addmv / baddbmm ---------------------------------------------------------------------

Tensor addmm(const Tensor& self, const Tensor& m1, const Tensor& m2, const Scalar& beta, const Scalar& alpha) {
  check_defined("addmm", {&self});
  check_mm("addmm", m1, m2);
  check_same_device("addmm", {&self, &m1});
  check_self_dtype("addmm", self, m1);
  check_scalar("addmm", "alpha", alpha, m1.dtype());
  check_scalar("addmm", "beta", beta, m1.dtype());
  check_broadcastable_to("addmm", self.sizes(), {m1.size(0), m2.size(1)});
  Tensor out = gemm_forward(m1, m2, 0, alpha, beta, self);
  if (autograd::needs_record({&self, &m1, &m2})) {
    Shape self_sizes = self.sizes();
    autograd::record(
        "AddmmBackward0", {self, m1, m2}, {out}, {m1, m2},
        [self_sizes, beta, alpha, m1_col = col_major(m1), m2_col = col_major(m2)](const autograd::BackwardArgs& args,
                                                                                  const autograd::SavedList& s) {
          const Tensor& g = args.grad();
          Tensor gs, g1, g2;
          if (args.needs(0)) gs = autograd::sum_to(scaled(g, beta), self_sizes);
          if (args.needs(1)) g1 = scaled(mm_grad_mat1(g, s[1], m1_col), alpha);
          if (args.needs(2)) g2 = scaled(mm_grad_mat2(s[0], g, m2_col), alpha);
          return TensorList{gs, g1, g2};
        },
        [&](const TensorList& t) {
          Tensor r = scaled(mm(t[1], m2) + mm(m1, t[2]), alpha);
          return TensorList{is_zero(beta) ? r : r + scaled(t[0], beta)};
        });
  }
  return out;
}

Tensor addmv(const Tensor& self, const Tensor& m, const Tensor& v, const Scalar& beta, const Scalar& alpha) {
  check_defined("addmv", {&self});
  check_mv("addmv", m, v);
  check_same_device("addmv", {&self, &m});
  check_self_dtype("addmv", self, m);
  check_scalar("addmv", "alpha", alpha, m.dtype());
  check_scalar("addmv", "beta", beta, m.dtype());
  check_broadcastable_to("addmv", self.sizes(), {m.size(0)});
  Tensor out = gemm_forward(m, v, 0, alpha, beta, self);
  if (autograd::needs_record({&self, &m, &v})) {
    Shape self_sizes = self.sizes();
    autograd::record(
        "AddmvBackward0", {self, m, v}, {out}, {m, v},
        [self_sizes, beta, alpha](const autograd::BackwardArgs& args, const autograd::SavedList& s) {
          const Tensor& g = args.grad();
          Tensor gs, gm, gv;
          if (args.needs(0)) gs = autograd::sum_to(scaled(g, beta), self_sizes);
          if (args.needs(1)) gm = scaled(outer(g, s[1]), alpha);
          if (args.needs(2)) gv = scaled(mv(s[0].t(), g), alpha);
          return TensorList{gs, gm, gv};
        },
        [&](const TensorList& t) {
          Tensor r = scaled(mv(t[1], v) + mv(m, t[2]), alpha);
          return TensorList{is_zero(beta) ? r : r + scaled(t[0], beta)};
        });
  }
  return out;
}

Tensor baddbmm(const Tensor& self, const Tensor& b1, const Tensor& b2, const Scalar& beta, const Scalar& alpha) {
  check_defined("baddbmm", {&self});
  check_bmm("baddbmm", b1, b2);
  check_same_device("baddbmm", {&self, &b1});
  check_self_dtype("baddbmm", self, b1);
  check_scalar("baddbmm", "alpha", alpha, b1.dtype());
  check_scalar("baddbmm", "beta", beta, b1.dtype());
  check_broadcastable_to("baddbmm", self.sizes(), {b1.size(0), b1.size(1), b2.size(2)});
  Tensor out = gemm_forward(b1, b2, 1, alpha, beta, self);
  if (autograd::needs_record({&self, &b1, &b2})) {
    Shape self_sizes = self.sizes();
    autograd::record(
        "BaddbmmBackward0", {self, b1, b2}, {out}, {b1, b2},
        [self_sizes, beta, alpha](const autograd::BackwardArgs& args, const autograd::SavedList& s) {
          const Tensor& g = args.grad();
          Tensor gs, g1, g2;
          if (args.needs(0)) gs = autograd::sum_to(scaled(g, beta), self_sizes);
          if (args.needs(1)) g1 = scaled(bmm(g, s[1].mT()), alpha);
          if (args.needs(2)) g2 = scaled(bmm(s[0].mT(), g), alpha);
          return TensorList{gs, g1, g2};
        },
        [&](const TensorList& t) {
          Tensor r = scaled(bmm(t[1], b2) + bmm(b1, t[2]), alpha);
          return TensorList{is_zero(beta) ? r : r + scaled(t[0], beta)};
        });
  }
  return out;
}

// ---- tensordot -----------------------------------------------------------------------------------

Tensor tensordot(const Tensor& a, const Tensor& b, const std::vector<int64_t>& dims_a,
                 const std::vector<int64_t>& dims_b) {
  check_defined("tensordot", {&a, &b});
  FX_CHECK(dims_a.size() == dims_b.size(), "tensordot: both dimension lists should have the same length, but got ",
           dims_a.size(), " and ", dims_b.size());
  check_same_device("tensordot", {&a, &b});
  check_same_dtype("tensordot", a, b);
  std::vector<bool> used_a(static_cast<size_t>(a.dim()), false), used_b(static_cast<size_t>(b.dim()), false);
  Shape perm_a, perm_b, out_sizes;
  int64_t csize = 1;
  for (size_t i = 0; i < dims_a.size(); ++i) {
    int64_t da = wrap_dim(dims_a[i], a.dim(), "tensordot"), db = wrap_dim(dims_b[i], b.dim(), "tensordot");
    FX_CHECK(!used_a[da] && !used_b[db], "tensordot: dimension repeated in the contraction lists");
    used_a[da] = used_b[db] = true;
    FX_CHECK(a.size(da) == b.size(db), "tensordot: contracted dimensions need to match, but first has size ",
             a.size(da), " in dim ", da, " and second has size ", b.size(db), " in dim ", db, " (sizes ", a.sizes(),
             " and ", b.sizes(), ")");
    csize *= a.size(da);
  }
  int64_t fa = 1, fb = 1;
  for (int64_t d = 0; d < a.dim(); ++d)
    if (!used_a[d]) {
      perm_a.push_back(d);
      out_sizes.push_back(a.size(d));
      fa *= a.size(d);
    }
  for (size_t i = 0; i < dims_a.size(); ++i) perm_a.push_back(wrap_dim(dims_a[i], a.dim(), "tensordot"));
  for (size_t i = 0; i < dims_b.size(); ++i) perm_b.push_back(wrap_dim(dims_b[i], b.dim(), "tensordot"));
  for (int64_t d = 0; d < b.dim(); ++d)
    if (!used_b[d]) {
      perm_b.push_back(d);
      out_sizes.push_back(b.size(d));
      fb *= b.size(d);
    }
  Tensor am = a.permute(perm_a).reshape({fa, csize});
  Tensor bm = b.permute(perm_b).reshape({csize, fb});
  return mm(am, bm).reshape(out_sizes);
}

// ---- Tensor methods ------------------------------------------------------------------------------

Tensor Tensor::matmul(const Tensor& other) const { return fluxion::matmul(*this, other); }
Tensor Tensor::mm(const Tensor& other) const { return fluxion::mm(*this, other); }
Tensor Tensor::bmm(const Tensor& other) const { return fluxion::bmm(*this, other); }
Tensor Tensor::mv(const Tensor& vec) const { return fluxion::mv(*this, vec); }
Tensor Tensor::dot(const Tensor& other) const { return fluxion::dot(*this, other); }
Tensor Tensor::outer(const Tensor& other) const { return fluxion::outer(*this, other); }

}  // namespace fluxion
