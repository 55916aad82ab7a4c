// fx::linalg solvers and determinants: solve, solve_triangular, inv, det, slogdet. Each primitive
// has its VJP and JVP beside the forward, written with differentiable ops (solve itself, matmul,
// triangular masks), so higher-order derivatives work.
#include <cmath>

#include "fluxion/ops/creation.h"
#include "fluxion/ops/index.h"
#include "fluxion/ops/linalg.h"
#include "fluxion/ops/pointwise.h"
#include "fluxion/ops/reduce.h"
#include "fluxion/ops/view.h"
#include "ops/linalg_decomp_util.h"

namespace fluxion::linalg {

using autograd::BackwardArgs;
using autograd::SavedList;

namespace detail {

namespace {
// A [..., n, n] and B [..., n, k] expanded to one broadcast batch shape.
std::pair<Tensor, Tensor> broadcast_batch(const char* op, const Tensor& A, const Tensor& B) {
  Shape ba = batch_of(A), bb = batch_of(B);
  Shape batch;
  try {
    batch = broadcast_shapes(ba, bb);
  } catch (const Error&) {
    FX_FAIL(op, ": the batch dimensions of A ", A.sizes(), " and B ", B.sizes(), " are not broadcastable");
  }
  Tensor Ae = ba == batch ? A : A.expand(with_matrix(batch, A.size(-2), A.size(-1)));
  Tensor Be = bb == batch ? B : B.expand(with_matrix(batch, B.size(-2), B.size(-1)));
  return {Ae, Be};
}

// The triangle of X that a triangular solve reads (unit diagonal excluded when unitriangular).
Tensor triangle(const Tensor& X, bool upper, bool unitriangular) {
  return upper ? triu(X, unitriangular ? 1 : 0) : tril(X, unitriangular ? -1 : 0);
}
}  // namespace

Tensor solve_prim(const Tensor& A, const Tensor& B) {
  Tensor X = solve_raw("linalg.solve", A, B);
  if (autograd::needs_record({&A, &B}))
    autograd::record(
        "LinalgSolveBackward0", {A, B}, {X}, {A, X},
        [](const BackwardArgs& args, const SavedList& s) {
          // gB = A^{-T} g, gA = -gB X^T
          Tensor gB = solve_prim(s[0].mT(), args.grad());
          Tensor gA = args.needs(0) ? -matmul(gB, s[1].mT()) : Tensor();
          return TensorList{gA, args.needs(1) ? gB : Tensor()};
        },
        [&](const TensorList& t) { return TensorList{solve_prim(A, t[1] - matmul(t[0], X))}; });
  return X;
}

Tensor solve_triangular_prim(const Tensor& A, const Tensor& B, bool upper, bool unitriangular) {
  Tensor X = solve_triangular_raw("linalg.solve_triangular", A, B, upper, unitriangular);
  if (autograd::needs_record({&A, &B}))
    autograd::record(
        "LinalgSolveTriangularBackward0", {A, B}, {X}, {A, X},
        [upper, unitriangular](const BackwardArgs& args, const SavedList& s) {
          Tensor gB = solve_triangular_prim(s[0].mT(), args.grad(), !upper, unitriangular);
          Tensor gA = args.needs(0) ? triangle(-matmul(gB, s[1].mT()), upper, unitriangular) : Tensor();
          return TensorList{gA, args.needs(1) ? gB : Tensor()};
        },
        [&](const TensorList& t) {
          Tensor dA = triangle(t[0], upper, unitriangular);
          return TensorList{solve_triangular_prim(A, t[1] - matmul(dA, X), upper, unitriangular)};
        });
  return X;
}

}  // namespace detail

using namespace detail;

Tensor solve(const Tensor& A, const Tensor& B, bool left) {
  const char* op = "linalg.solve";
  check_square(op, A);
  check_same(op, A, B);
  const int64_t n = A.size(-1);
  // Like PyTorch: B is a (batch of) vector(s) if it is 1-D or has exactly A's sizes without the last.
  Shape a_rows(A.sizes().begin(), A.sizes().end() - 1);
  const bool vector_case = B.dim() == 1 || (B.dim() == A.dim() - 1 && B.sizes() == a_rows);
  if (vector_case) {
    FX_CHECK(left, op, ": a vector right-hand side needs left=true (got B of sizes ", B.sizes(), ")");
    FX_CHECK(B.size(-1) == n, op, ": incompatible shapes: A is ", A.sizes(), " and B is ", B.sizes(),
             " (expected B of size ", n, " in its last dim)");
    auto [Ae, Be] = broadcast_batch(op, A, B.unsqueeze(-1));
    return solve_prim(Ae, Be).squeeze(-1);
  }
  FX_CHECK(B.dim() >= 2, op, ": B must be a vector or a (batch of) matri(ces), got sizes ", B.sizes());
  if (!left) {
    // X A = B  <=>  A^T X^T = B^T
    FX_CHECK(B.size(-1) == n, op, ": incompatible shapes for X A = B: A is ", A.sizes(), " and B is ", B.sizes(),
             " (expected B's last dim to be ", n, ")");
    auto [Ae, Be] = broadcast_batch(op, A.mT(), B.mT());
    return solve_prim(Ae, Be).mT();
  }
  FX_CHECK(B.size(-2) == n, op, ": incompatible shapes for A X = B: A is ", A.sizes(), " and B is ", B.sizes(),
           " (expected B to have ", n, " rows)");
  auto [Ae, Be] = broadcast_batch(op, A, B);
  return solve_prim(Ae, Be);
}

Tensor solve_triangular(const Tensor& A, const Tensor& B, bool upper, bool left, bool unitriangular) {
  const char* op = "linalg.solve_triangular";
  check_square(op, A);
  check_same(op, A, B);
  FX_CHECK(B.dim() >= 2, op, ": B must have at least 2 dimensions, got sizes ", B.sizes());
  const int64_t n = A.size(-1);
  if (!left) {
    FX_CHECK(B.size(-1) == n, op, ": incompatible shapes for X A = B: A is ", A.sizes(), " and B is ", B.sizes());
    auto [Ae, Be] = broadcast_batch(op, A.mT(), B.mT());
    return solve_triangular_prim(Ae, Be, !upper, unitriangular).mT();
  }
  FX_CHECK(B.size(-2) == n, op, ": incompatible shapes for A X = B: A is ", A.sizes(), " and B is ", B.sizes());
  auto [Ae, Be] = broadcast_batch(op, A, B);
  return solve_triangular_prim(Ae, Be, upper, unitriangular);
}

Tensor inv(const Tensor& A) {
  const char* op = "linalg.inv";
  check_square(op, A);
  const int64_t n = A.size(-1);
  Tensor I = eye_like(n, A).expand(A.sizes());
  Tensor Ainv = solve_raw(op, A, I);
  if (autograd::needs_record({&A}))
    autograd::record(
        "LinalgInvExBackward0", {A}, {Ainv}, {Ainv},
        [](const BackwardArgs& args, const SavedList& s) {
          Tensor iT = s[0].mT();
          return TensorList{-matmul(iT, matmul(args.grad(), iT))};
        },
        [&](const TensorList& t) { return TensorList{-matmul(Ainv, matmul(t[0], Ainv))}; });
  return Ainv;
}

namespace {

// The cofactor matrix of A scaled by g: g * det(A) * A^{-T}, written with differentiable ops. For
// a singular A (det == 0 somewhere) it is computed from the SVD instead, following PyTorch:
// cof = det(U) det(Vh) U diag(prod_{j != i} s_j) Vh (first order only there).
Tensor det_cofactor(const Tensor& A, const Tensor& det, const Tensor& g) {
  const int64_t n = A.size(-1);
  const Tensor scale = (g * det).unsqueeze(-1).unsqueeze(-1);
  bool singular;
  {
    NoGradGuard ng;
    singular = det.numel() > 0 && any(eq(det.detach(), 0)).item<bool>();
  }
  if (!singular) return solve_prim(A.mT(), scale * eye_like(n, A).expand(A.sizes()));
  Tensor U, S, Vh;
  {
    NoGradGuard ng;
    SvdOut o = svd_raw("linalg.det", A, false, true);
    U = o.U;
    S = o.S;
    Vh = o.Vh;
  }
  // D_i = prod_{j != i} s_j (exact with zeros): replace the diagonal of the n x n spread by ones.
  Tensor spread = S.unsqueeze(-2).expand(with_matrix(batch_of(A), n, n));
  Tensor D = prod(where(eye_like(n, A).to(kBool), Scalar(1.0), spread), -1);
  Tensor sign_uv;
  {
    NoGradGuard ng;
    sign_uv = det_raw(U).det * det_raw(Vh).det;
  }
  return (g * sign_uv).unsqueeze(-1).unsqueeze(-1) * matmul(U * D.unsqueeze(-2), Vh);
}

}  // namespace

Tensor det(const Tensor& A) {
  const char* op = "linalg.det";
  check_square(op, A);
  Tensor d = det_raw(A).det;
  if (autograd::needs_record({&A}))
    autograd::record(
        "LinalgDetBackward0", {A}, {d}, {A, d},
        [](const BackwardArgs& args, const SavedList& s) { return TensorList{det_cofactor(s[0], s[1], args.grad())}; },
        [&](const TensorList& t) {
          return TensorList{sum(det_cofactor(A, d, ones_like(d)) * t[0], DimList{-2, -1})};
        });
  return d;
}

std::tuple<Tensor, Tensor> slogdet(const Tensor& A) {
  const char* op = "linalg.slogdet";
  check_square(op, A);
  DetOut r = det_raw(A);
  Tensor sign = r.sign, logabs = r.logabsdet;
  if (autograd::needs_record({&A}))
    autograd::record(
        "LinalgSlogdetBackward0", {A}, {sign, logabs}, {A},
        [](const BackwardArgs& args, const SavedList& s) {
          // d log|det A| = tr(A^{-1} dA): gA = g A^{-T}. The sign is piecewise constant.
          const Tensor& A0 = s[0];
          Tensor g = args.grad(1).unsqueeze(-1).unsqueeze(-1);
          return TensorList{solve_prim(A0.mT(), g * eye_like(A0.size(-1), A0).expand(A0.sizes()))};
        },
        [&](const TensorList& t) {
          Tensor dl = sum(diag(solve_prim(A, t[0])), DimList{-1});
          return TensorList{zeros_like(sign), dl};
        });
  return {sign, logabs};
}

}  // namespace fluxion::linalg
