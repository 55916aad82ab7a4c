// fx::linalg decompositions: svd, svdvals, eigh, eigvalsh, qr, cholesky, and pinv / lstsq /
// matrix_rank on top of them. Each primitive records its VJP and JVP beside the forward, following
// PyTorch's FunctionsManual (svd_backward, linalg_svd_jvp, linalg_eig_backward/jvp for the
// symmetric case, linalg_qr_backward, cholesky_backward/jvp, pinv_backward), written with
// differentiable ops so higher-order derivatives work.
#include <algorithm>
#include <cmath>
#include <limits>

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
using namespace detail;

namespace {

double eps_of(DType dt) {
  return dt == kFloat64 ? std::numeric_limits<double>::epsilon() : std::numeric_limits<float>::epsilon();
}

// E_ij = x_j - x_i with ones on the diagonal (the divisor of the off-diagonal terms).
Tensor diff_matrix(const Tensor& x) { return x.unsqueeze(-2) - x.unsqueeze(-1) + eye_like(x.size(-1), x); }

Tensor skew(const Tensor& X) { return X - X.mT(); }
Tensor sym(const Tensor& X) { return X + X.mT(); }

// ---- svd -----------------------------------------------------------------------------------------

// Reverse mode for the thin factors U [.., m, k], S, Vh [.., k, n] (PyTorch's svd_backward, real
// case). gU / gVh may be undefined (not used by the caller).
Tensor svd_vjp(const Tensor& gU, const Tensor& gS, const Tensor& gVh, const Tensor& U, const Tensor& S,
               const Tensor& Vh) {
  const int64_t m = U.size(-2), n = Vh.size(-1);
  if (!gU.defined() && !gVh.defined())
    return m >= n ? matmul(U, gS.unsqueeze(-1) * Vh) : matmul(U * gS.unsqueeze(-2), Vh);
  const Tensor E = diff_matrix(S * S);
  Tensor gA;
  if (gU.defined() && gVh.defined())
    gA = (skew(matmul(U.mT(), gU)) * S.unsqueeze(-2) + S.unsqueeze(-1) * skew(matmul(Vh, gVh.mT()))) / E;
  else if (gU.defined())
    gA = skew(matmul(U.mT(), gU)) * S.unsqueeze(-2) / E;
  else
    gA = S.unsqueeze(-1) * skew(matmul(Vh, gVh.mT())) / E;
  if (gS.defined()) gA = gA + diag_embed(gS);
  if (m > n && gU.defined()) {
    // gA = [U gA + (I - U U^T) gU S^{-1}] Vh
    gA = matmul(U, gA);
    const Tensor gUSinv = gU / S.unsqueeze(-2);
    gA = gA + gUSinv - matmul(U, matmul(U.mT(), gUSinv));
    gA = matmul(gA, Vh);
  } else if (m < n && gVh.defined()) {
    // gA = U [gA Vh + S^{-1} gVh (I - V Vh)]
    gA = matmul(gA, Vh);
    const Tensor SinvgVh = gVh / S.unsqueeze(-1);
    gA = gA + SinvgVh - matmul(matmul(SinvgVh, Vh.mT()), Vh);
    gA = matmul(U, gA);
  } else {
    gA = m >= n ? matmul(U, matmul(gA, Vh)) : matmul(matmul(U, gA), Vh);
  }
  return gA;
}

// Forward mode for the thin factors (PyTorch's linalg_svd_jvp, real case): {dU, dS, dVh}.
TensorList svd_jvp(const Tensor& dA, const Tensor& U, const Tensor& S, const Tensor& Vh) {
  const int64_t m = dA.size(-2), n = dA.size(-1);
  const Tensor V = Vh.mT();
  Tensor dP = m >= n ? matmul(U.mT(), matmul(dA, V)) : matmul(matmul(U.mT(), dA), V);
  Tensor dS = diag(dP);
  dP = dP - diag_embed(dS);
  const Tensor E = diff_matrix(S * S);
  Tensor dU = matmul(U, sym(dP * S.unsqueeze(-2)) / E);
  if (m > n) {
    const Tensor dAVSinv = matmul(dA, V / S.unsqueeze(-2));
    dU = dU + dAVSinv - matmul(U, matmul(U.mT(), dAVSinv));
  }
  Tensor dVh = matmul(-sym(S.unsqueeze(-1) * dP) / E, Vh);
  if (m < n) {
    const Tensor UtdASinv = matmul(U.mT() / S.unsqueeze(-1), dA);
    dVh = dVh + UtdASinv - matmul(matmul(UtdASinv, V), Vh);
  }
  return {dU, dS, dVh};
}

// Pads the tangent of a thin factor with zero columns (U) or rows (Vh) to the full_matrices size.
Tensor pad_to(const Tensor& t, const Shape& sizes) {
  if (t.sizes() == sizes) return t;
  const int64_t dim = t.size(-1) != sizes.back() ? -1 : -2;
  Shape zs = t.sizes();
  zs[zs.size() + dim] = sizes[sizes.size() + dim] - t.size(dim);
  return cat({t, zeros(zs, t.options())}, dim);
}

}  // namespace

std::tuple<Tensor, Tensor, Tensor> svd(const Tensor& A, bool full_matrices) {
  const char* op = "linalg.svd";
  check_matrix(op, A);
  SvdOut r = svd_raw(op, A, full_matrices, true);
  Tensor U = r.U, S = r.S, Vh = r.Vh;
  if (autograd::needs_record({&A})) {
    const int64_t k = S.size(-1);
    autograd::record(
        "LinalgSvdBackward0", {A}, {U, S, Vh}, {U, S, Vh},
        [full_matrices, k](const BackwardArgs& args, const SavedList& s) {
          Tensor U0 = full_matrices ? s[0].narrow(-1, 0, k) : s[0];
          Tensor Vh0 = full_matrices ? s[2].narrow(-2, 0, k) : s[2];
          Tensor gU = args.grad(0), gVh = args.grad(2);
          if (full_matrices) {
            gU = gU.narrow(-1, 0, k);
            gVh = gVh.narrow(-2, 0, k);
          }
          // An output the caller did not use arrives as zeros: drop its terms (they would divide
          // 0 by 0 for repeated singular values, as in the svdvals case).
          if (all_zero(gU)) gU = Tensor();
          if (all_zero(gVh)) gVh = Tensor();
          return TensorList{svd_vjp(gU, args.grad(1), gVh, U0, s[1], Vh0)};
        },
        [&](const TensorList& t) {
          Tensor U0 = full_matrices ? U.narrow(-1, 0, k) : U;
          Tensor Vh0 = full_matrices ? Vh.narrow(-2, 0, k) : Vh;
          TensorList d = svd_jvp(t[0], U0, S, Vh0);
          if (full_matrices) {
            d[0] = pad_to(d[0], U.sizes());
            d[2] = pad_to(d[2], Vh.sizes());
          }
          return d;
        });
  }
  return {U, S, Vh};
}

Tensor svdvals(const Tensor& A) {
  const char* op = "linalg.svdvals";
  check_matrix(op, A);
  const bool rec = autograd::needs_record({&A});
  SvdOut r = svd_raw(op, A, false, rec);
  if (rec) {
    autograd::record(
        "LinalgSvdvalsBackward0", {A}, {r.S}, {A, r.U, r.Vh},
        [](const BackwardArgs& args, const SavedList& s) {
          // gA = U diag(gS) Vh. With create_graph, U and Vh must themselves be differentiable
          // functions of A: recompute them through svd.
          if (autograd::needs_record({&s[0]})) {  // create_graph or forward-over-reverse
            auto [U, S, Vh] = svd(s[0], false);
            return TensorList{svd_vjp(Tensor(), args.grad(), Tensor(), U, S, Vh)};
          }
          return TensorList{svd_vjp(Tensor(), args.grad(), Tensor(), s[1], Tensor(), s[2])};
        },
        [&](const TensorList& t) {
          const int64_t m = A.size(-2), n = A.size(-1);
          Tensor dP = m >= n ? matmul(r.U.mT(), matmul(t[0], r.Vh.mT())) : matmul(matmul(r.U.mT(), t[0]), r.Vh.mT());
          return TensorList{diag(dP)};
        });
  }
  return r.S;
}

// ---- eigh ----------------------------------------------------------------------------------------

namespace {

bool parse_uplo(const char* op, const std::string& UPLO) {
  FX_CHECK(UPLO == "L" || UPLO == "U" || UPLO == "l" || UPLO == "u", op, ": UPLO must be \"L\" or \"U\", but got \"",
           UPLO, "\"");
  return UPLO == "U" || UPLO == "u";
}

// gA = V (skew(V^T gV) / 2 / E + diag(gL)) V^T (PyTorch's linalg_eig_backward, hermitian case).
Tensor eigh_vjp(const Tensor& gL, const Tensor& gV, const Tensor& L, const Tensor& V) {
  if (!gV.defined()) return matmul(V * gL.unsqueeze(-2), V.mT());
  Tensor inner = 0.5 * skew(matmul(V.mT(), gV)) / diff_matrix(L);
  if (gL.defined()) inner = inner + diag_embed(gL);
  return matmul(V, matmul(inner, V.mT()));
}

}  // namespace

std::tuple<Tensor, Tensor> eigh(const Tensor& A, const std::string& UPLO) {
  const char* op = "linalg.eigh";
  const bool upper = parse_uplo(op, UPLO);
  check_square(op, A);
  auto [L, V] = eigh_raw(op, A, upper, true);
  if (autograd::needs_record({&A}))
    autograd::record(
        "LinalgEighBackward0", {A}, {L, V}, {L, V},
        [](const BackwardArgs& args, const SavedList& s) {
          Tensor gV = all_zero(args.grad(1)) ? Tensor() : args.grad(1);
          return TensorList{eigh_vjp(args.grad(0), gV, s[0], s[1])};
        },
        [&](const TensorList& t) {
          // dP = V^T dA V; dL = diag(dP); dV = V (dP / E with a zero diagonal).
          Tensor dP = matmul(V.mT(), matmul(t[0], V));
          Tensor dL = diag(dP);
          Tensor off = (dP - diag_embed(dL)) / diff_matrix(L);
          return TensorList{dL, matmul(V, off)};
        });
  return {L, V};
}

Tensor eigvalsh(const Tensor& A, const std::string& UPLO) {
  const char* op = "linalg.eigvalsh";
  const bool upper = parse_uplo(op, UPLO);
  check_square(op, A);
  const bool rec = autograd::needs_record({&A});
  auto [L, V] = eigh_raw(op, A, upper, rec);
  if (rec)
    autograd::record(
        "LinalgEigvalshBackward0", {A}, {L}, {A, V},
        [UPLO](const BackwardArgs& args, const SavedList& s) {
          if (autograd::needs_record({&s[0]})) {  // create_graph or forward-over-reverse: V(A)
            auto [L2, V2] = eigh(s[0], UPLO);
            return TensorList{eigh_vjp(args.grad(), Tensor(), L2, V2)};
          }
          return TensorList{eigh_vjp(args.grad(), Tensor(), Tensor(), s[1])};
        },
        [&](const TensorList& t) { return TensorList{diag(matmul(V.mT(), matmul(t[0], V)))}; });
  return L;
}

// ---- qr ------------------------------------------------------------------------------------------

namespace {

// Reverse mode of A = Q R for m >= n (Q [m, n], R [n, n]): with M = gR R^T - Q^T gQ,
// gA = (gQ + Q (triu(M) + triu(M, 1)^T)) R^{-T}. Either gradient may be undefined.
Tensor qr_vjp_tall(const Tensor& gQ, const Tensor& gR, const Tensor& Q, const Tensor& R) {
  Tensor M;
  if (gR.defined()) M = matmul(gR, R.mT());
  if (gQ.defined()) M = M.defined() ? M - matmul(Q.mT(), gQ) : -matmul(Q.mT(), gQ);
  Tensor b = matmul(Q, triu(M) + triu(M, 1).mT());
  if (gQ.defined()) b = b + gQ;
  return solve_triangular(R.mT(), b, /*upper=*/false, /*left=*/false);
}

// Forward mode for m >= n: X = Q^T dA R^{-1}, C = tril(X, -1) - tril(X, -1)^T,
// dR = (X - C) R, dQ = dA R^{-1} - Q (X - C).
std::pair<Tensor, Tensor> qr_jvp_tall(const Tensor& dA, const Tensor& Q, const Tensor& R) {
  Tensor dARinv = solve_triangular(R, dA, /*upper=*/true, /*left=*/false);
  Tensor X = matmul(Q.mT(), dARinv);
  Tensor XmC = triu(X) + tril(X, -1).mT();
  return {dARinv - matmul(Q, XmC), matmul(XmC, R)};
}

// Wide A (m < n) = [A1 | A2] = Q [X | Y]: Q, X are the QR of the square A1 and Y = Q^T A2.
Tensor qr_vjp(const Tensor& gQ_in, const Tensor& gR, const Tensor& Q, const Tensor& R) {
  const int64_t m = Q.size(-2), n = R.size(-1);
  if (m >= n) return qr_vjp_tall(gQ_in, gR, Q, R);
  Tensor X = R.narrow(-1, 0, m), Y = R.narrow(-1, m, n - m);
  Tensor gQ = gQ_in, gX, gY;
  if (gR.defined()) {
    gX = gR.narrow(-1, 0, m);
    gY = gR.narrow(-1, m, n - m);
    Tensor A2gY = matmul(matmul(Q, Y), gY.mT());
    gQ = gQ.defined() ? gQ + A2gY : A2gY;
  }
  Tensor gA1 = qr_vjp_tall(gQ, gX, Q, X);
  Tensor gA2 = gY.defined() ? matmul(Q, gY) : zeros_like(Y);
  return cat({gA1, gA2}, -1);
}

std::pair<Tensor, Tensor> qr_jvp(const Tensor& dA, const Tensor& Q, const Tensor& R) {
  const int64_t m = Q.size(-2), n = R.size(-1);
  if (m >= n) return qr_jvp_tall(dA, Q, R);
  Tensor X = R.narrow(-1, 0, m), Y = R.narrow(-1, m, n - m);
  auto [dQ, dX] = qr_jvp_tall(dA.narrow(-1, 0, m), Q, X);
  // Y = Q^T A2 with A2 = Q Y: dY = dQ^T Q Y + Q^T dA2
  Tensor dY = matmul(dQ.mT(), matmul(Q, Y)) + matmul(Q.mT(), dA.narrow(-1, m, n - m));
  return {dQ, cat({dX, dY}, -1)};
}

}  // namespace

std::tuple<Tensor, Tensor> qr(const Tensor& A, const std::string& mode) {
  const char* op = "linalg.qr";
  FX_CHECK(mode == "reduced" || mode == "complete" || mode == "r", op,
           ": mode must be \"reduced\", \"complete\" or \"r\", but got \"", mode, "\"");
  check_matrix(op, A);
  const bool compute_q = mode != "r";
  const bool complete = mode == "complete";
  auto [Q, R] = qr_raw(A, complete, compute_q);
  if (autograd::needs_record({&A})) {
    const int64_t m = A.size(-2), n = A.size(-1);
    if (!compute_q || (complete && m > n)) {
      autograd::record_non_differentiable(
          !compute_q ? "LinalgQrBackward0 (mode='r': the derivative depends on Q, which is not computed; use "
                       "mode='reduced')"
                     : "LinalgQrBackward0 (mode='complete' with more rows than columns)",
          {A}, {Q, R});
    } else {
      autograd::record(
          "LinalgQrBackward0", {A}, {Q, R}, {Q, R},
          [](const BackwardArgs& args, const SavedList& s) {
            Tensor gQ = all_zero(args.grad(0)) ? Tensor() : args.grad(0);
            Tensor gR = all_zero(args.grad(1)) ? Tensor() : args.grad(1);
            if (!gQ.defined() && !gR.defined()) return TensorList{zeros_like(s[0].matmul(s[1]))};
            return TensorList{qr_vjp(gQ, gR, s[0], s[1])};
          },
          [&](const TensorList& t) {
            auto [dQ, dR] = qr_jvp(t[0], Q, R);
            return TensorList{dQ, dR};
          });
    }
  }
  return {Q, R};
}

// ---- cholesky ------------------------------------------------------------------------------------

Tensor cholesky(const Tensor& A, bool upper) {
  const char* op = "linalg.cholesky";
  check_square(op, A);
  Tensor L = cholesky_raw(op, A, upper);
  if (autograd::needs_record({&A}))
    autograd::record(
        "LinalgCholeskyExBackward0", {A}, {L}, {L},
        [upper](const BackwardArgs& args, const SavedList& s) {
          // Iain Murray (2016), arXiv 1602.07527, as PyTorch's cholesky_backward:
          // gA = L^{-T} Phi(L^T gL) L^{-1}, Phi symmetrised with a halved diagonal.
          Tensor Lc = upper ? s[0].mT() : s[0];
          Tensor gL = upper ? args.grad().mT() : args.grad();
          Tensor P = tril(matmul(Lc.mT(), gL));
          Tensor gA = 0.5 * (P + tril(P, -1).mT());
          gA = solve_triangular(Lc.mT(), gA, /*upper=*/true, /*left=*/true);
          gA = solve_triangular(Lc, gA, /*upper=*/false, /*left=*/false);
          return TensorList{gA};
        },
        [&](const TensorList& t) {
          // dL = L Phi(L^{-1} dA L^{-T}), Phi = lower triangle with a halved diagonal.
          Tensor Lc = upper ? L.mT() : L;
          Tensor dA = upper ? t[0].mT() : t[0];
          Tensor X = solve_triangular(Lc, dA, /*upper=*/false, /*left=*/true);
          X = solve_triangular(Lc.mT(), X, /*upper=*/true, /*left=*/false);
          X = tril(X) - 0.5 * diag_embed(diag(X));
          Tensor dL = matmul(Lc, X);
          return TensorList{upper ? dL.mT() : dL};
        });
  return L;
}

// ---- pinv, lstsq, matrix_rank -------------------------------------------------------------------

namespace {

// The cut-off below which singular values count as zero: max(atol, rtol * largest), per matrix,
// shaped [..., 1] to compare against S [..., k].
Tensor tolerance(const Tensor& S, int64_t m, int64_t n, std::optional<double> atol, std::optional<double> rtol) {
  NoGradGuard g;
  double r = rtol ? *rtol : (atol && *atol > 0 ? 0.0 : eps_of(S.dtype()) * static_cast<double>(std::max(m, n)));
  double a = atol ? *atol : 0.0;
  Shape one = S.sizes();
  one.back() = 1;
  Tensor smax = S.size(-1) > 0 ? amax(S, DimList{-1}, true) : zeros(one, S.options());
  return maximum(smax * r, full_like(smax, a));
}

// Reverse mode of P = pinv(A) (PyTorch's pinv_backward).
Tensor pinv_vjp(const Tensor& g, const Tensor& P, const Tensor& A) {
  const int64_t m = A.size(-2), n = A.size(-1);
  const Tensor Ph = P.mT(), gh = g.mT();
  if (m <= n) {
    Tensor K = matmul(gh, P);
    Tensor KPh = matmul(K, Ph);
    return -matmul(P, K).mT() + KPh - matmul(matmul(A, P), KPh) + matmul(matmul(Ph, P), gh - matmul(K, A));
  }
  Tensor K = matmul(P, gh);
  Tensor PhK = matmul(Ph, K);
  return -matmul(K, P).mT() + matmul(matmul(gh - matmul(A, K), P), Ph) + PhK - matmul(matmul(PhK, P), A);
}

// Forward mode (Golub & Pereyra): dP = -P dA P + P P^T dA^T (I - A P) + (I - P A) dA^T P^T P.
Tensor pinv_jvp(const Tensor& dA, const Tensor& P, const Tensor& A) {
  const Tensor dAt = dA.mT(), Pt = P.mT();
  Tensor t1 = -matmul(P, matmul(dA, P));
  Tensor t2 = matmul(matmul(P, Pt), dAt - matmul(dAt, matmul(A, P)));
  Tensor t3 = matmul(dAt - matmul(P, matmul(A, dAt)), matmul(Pt, P));
  return t1 + t2 + t3;
}

}  // namespace

Tensor pinv(const Tensor& A, std::optional<double> atol, std::optional<double> rtol, bool hermitian) {
  const char* op = "linalg.pinv";
  check_matrix(op, A);
  FX_CHECK(!atol || *atol >= 0, op, ": atol must be non-negative, got ", *atol);
  FX_CHECK(!rtol || *rtol >= 0, op, ": rtol must be non-negative, got ", *rtol);
  const int64_t m = A.size(-2), n = A.size(-1);
  Tensor P;
  {
    NoGradGuard g;
    if (hermitian) {
      FX_CHECK(m == n, op, ": hermitian=true needs square matrices, but got ", m, " by ", n);
      auto [L, V] = eigh_raw(op, A, false, true);
      Tensor absL = abs(L);
      Tensor keep = gt(absL, tolerance(absL, m, n, atol, rtol));
      Tensor Linv = where(keep, 1.0 / where(keep, L, Scalar(1.0)), Scalar(0.0));
      P = matmul(V * Linv.unsqueeze(-2), V.mT());
    } else {
      SvdOut r = svd_raw(op, A, false, true);
      Tensor keep = gt(r.S, tolerance(r.S, m, n, atol, rtol));
      Tensor Sinv = where(keep, 1.0 / where(keep, r.S, Scalar(1.0)), Scalar(0.0));
      P = matmul(r.Vh.mT() * Sinv.unsqueeze(-2), r.U.mT());
    }
    P = P.contiguous();
  }
  if (autograd::needs_record({&A}))
    autograd::record(
        "LinalgPinvBackward0", {A}, {P}, {A, P},
        [](const BackwardArgs& args, const SavedList& s) { return TensorList{pinv_vjp(args.grad(), s[1], s[0])}; },
        [&](const TensorList& t) { return TensorList{pinv_jvp(t[0], P, A)}; });
  return P;
}

std::tuple<Tensor, Tensor, Tensor, Tensor> lstsq(const Tensor& A, const Tensor& B, std::optional<double> rcond,
                                                 const std::string& driver) {
  const char* op = "linalg.lstsq";
  check_matrix(op, A);
  check_same(op, A, B);
  FX_CHECK(driver == "gelsy" || driver == "gelsd" || driver == "gelss" || driver == "gels", op,
           ": driver must be one of \"gels\", \"gelsy\", \"gelsd\", \"gelss\", but got \"", driver, "\"");
  const int64_t m = A.size(-2), n = A.size(-1);
  const bool vector_case = B.dim() == A.dim() - 1;
  FX_CHECK(B.dim() >= 1 && (vector_case || B.dim() >= 2), op, ": B must be [..., m, k] or [..., m], got sizes ",
           B.sizes());
  Tensor Bm = vector_case ? B.unsqueeze(-1) : B;
  FX_CHECK(Bm.size(-2) == m, op, ": incompatible shapes: A is ", A.sizes(), " (m = ", m, ") and B is ", B.sizes(),
           " (expected ", m, " rows)");
  const double rc = rcond && *rcond > 0 ? *rcond : eps_of(A.dtype()) * static_cast<double>(std::max(m, n));
  Tensor S;
  {
    NoGradGuard g;
    S = svd_raw(op, A, false, false).S;
  }
  Tensor X = matmul(pinv(A, std::nullopt, rc), Bm);
  Tensor rank, residuals;
  {
    NoGradGuard g;
    Tensor tol = tolerance(S, m, n, std::nullopt, rc);
    rank = sum(gt(S, tol).to(kInt64), DimList{-1});
    bool full = rank.numel() == 0 || all(eq(rank, std::min(m, n))).item<bool>();
    if (m > n && full && driver != "gelsy") {
      Tensor r = matmul(A.detach(), X.detach()) - Bm.detach();
      residuals = sum(r * r, DimList{-2});
      if (vector_case) residuals = residuals.squeeze(-1);
    } else {
      residuals = empty({0}, A.options());
    }
    if (driver == "gels") rank = empty({0}, TensorOptions(kInt64).device(A.device()));
    if (driver != "gelsd" && driver != "gelss") S = empty({0}, A.options());
  }
  if (vector_case) X = X.squeeze(-1);
  return {X, residuals, rank, S};
}

Tensor matrix_rank(const Tensor& A, std::optional<double> atol, std::optional<double> rtol) {
  const char* op = "linalg.matrix_rank";
  check_matrix(op, A);
  NoGradGuard g;
  Tensor S = svd_raw(op, A, false, false).S;
  return sum(gt(S, tolerance(S, A.size(-2), A.size(-1), atol, rtol)).to(kInt64), DimList{-1});
}

}  // namespace fluxion::linalg
