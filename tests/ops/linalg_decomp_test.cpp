// fx::linalg: values against PyTorch (tests/golden/gen_linalg_decomp.py), reconstruction
// identities, gradients (gradcheck, gradgradcheck, jvp_vjp_check in float64) and errors.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>

#include "fluxion/fluxion.h"
#include "fluxion/linalg.h"
#include "support/golden.h"
#include "support/test_util.h"

namespace fx = fluxion;
namespace la = fluxion::linalg;
using fx::Tensor;
using fx::TensorList;
using fxtest::tensors_close;

namespace {

Tensor randn(const fx::Shape& s, fx::DType dt = fx::kFloat64, uint64_t seed = 0) {
  fx::Generator g(seed);
  return fx::randn(s, fx::TensorOptions(dt), &g);
}

// A well-conditioned square matrix (diagonally dominant).
Tensor dominant(const fx::Shape& s, fx::DType dt = fx::kFloat64, uint64_t seed = 0) {
  const int64_t n = s.back();
  return randn(s, dt, seed) + 2.0 * static_cast<double>(n) * fx::eye(n, std::nullopt, fx::TensorOptions(dt));
}

// A symmetric positive-definite matrix.
Tensor spd(const fx::Shape& s, fx::DType dt = fx::kFloat64, uint64_t seed = 0) {
  Tensor x = randn(s, dt, seed);
  const int64_t n = s.back();
  return fx::matmul(x, x.mT()) + static_cast<double>(n) * fx::eye(n, std::nullopt, fx::TensorOptions(dt));
}

Tensor eye(int64_t n, fx::DType dt = fx::kFloat64) { return fx::eye(n, std::nullopt, fx::TensorOptions(dt)); }

constexpr double kInf = std::numeric_limits<double>::infinity();

double tol(fx::DType dt) { return dt == fx::kFloat64 ? 1e-9 : 1e-4; }

::testing::AssertionResult close(const Tensor& a, const Tensor& e, fx::DType dt) {
  if (a.dtype() != e.dtype()) return ::testing::AssertionFailure() << "dtype " << a.dtype() << " vs " << e.dtype();
  if (!a.is_floating_point()) return fxtest::tensors_equal(a, e);
  return dt == fx::kFloat64 ? tensors_close(a, e, 1e-7, 1e-9) : tensors_close(a, e, 2e-4, 2e-4);
}

// Flips the sign of each column of X [..., r, c] so that its largest-magnitude entry is positive.
Tensor fix_column_signs(const Tensor& X) {
  if (X.numel() == 0) return X;
  Tensor idx = fx::abs(X).argmax(-2, true);
  Tensor s = fx::sign(X.gather(-2, idx));
  return X * fx::where(fx::eq(s, 0), fx::Scalar(1.0), s);
}
Tensor fix_row_signs(const Tensor& X) { return fix_column_signs(X.mT()).mT(); }

// The error message of `f`, or "" if it did not throw fluxion::Error.
::testing::AssertionResult check_ok(const char* what, const std::function<bool()>& f) {
  try {
    if (f()) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << what << " returned false";
  } catch (const fx::Error& e) {
    return ::testing::AssertionFailure() << what << ": " << e.what();
  }
}

// gradcheck + gradgradcheck + (optionally) jvp_vjp_check of f at `inputs` (float64).
void check_grads(const std::string& name, const fx::autograd::CheckedFn& f, const TensorList& inputs,
                 bool second_order = true, bool forward = true) {
  SCOPED_TRACE(name);
  EXPECT_TRUE(check_ok("gradcheck", [&] { return fx::autograd::gradcheck(f, inputs, 1e-6, 1e-5, 1e-3); }));
  if (second_order) {
    EXPECT_TRUE(check_ok("gradgradcheck", [&] { return fx::autograd::gradgradcheck(f, inputs, 1e-6, 1e-4, 1e-3); }));
  }
  if (forward) {
    EXPECT_TRUE(check_ok("jvp_vjp_check", [&] { return fx::autograd::jvp_vjp_check(f, inputs, 1e-7, 1e-6); }));
  }
}

// ---- golden ------------------------------------------------------------------------------------

Tensor rebuild(const fxtest::GoldenCase& c, const std::string& key) {
  const Tensor& s = c.at(key);
  const auto& layouts = c.attrs.at("layouts");
  if (layouts.contains(key) && layouts.at(key).get<std::string>() == "t") return s.mT();
  return s;
}

double ord_of(const nlohmann::json& j) {
  if (j.is_string()) {
    const std::string s = j.get<std::string>();
    if (s == "inf") return std::numeric_limits<double>::infinity();
    if (s == "-inf") return -std::numeric_limits<double>::infinity();
  }
  return j.get<double>();
}

std::optional<fx::DimList> dim_of(const nlohmann::json& a) {
  if (!a.contains("dim")) return std::nullopt;
  return fx::DimList(a.at("dim").get<std::vector<int64_t>>());
}

TensorList run_golden(const fxtest::GoldenCase& c) {
  const std::string op = c.attrs.at("op").get<std::string>();
  const auto& a = c.attrs;
  TensorList in;
  for (const auto& k : a.at("inputs")) in.push_back(rebuild(c, k.get<std::string>()));
  auto flag = [&](const char* k) { return a.at(k).get<bool>(); };
  if (op == "svd") {
    auto [U, S, Vh] = la::svd(in[0], flag("full_matrices"));
    return {U, S, Vh};
  }
  if (op == "svdvals") return {la::svdvals(in[0])};
  if (op == "eigh") {
    auto [L, V] = la::eigh(in[0], a.at("UPLO").get<std::string>());
    return {L, V};
  }
  if (op == "eigvalsh") return {la::eigvalsh(in[0], a.at("UPLO").get<std::string>())};
  if (op == "qr") {
    auto [Q, R] = la::qr(in[0], a.at("mode").get<std::string>());
    return {Q, R};
  }
  if (op == "cholesky") return {la::cholesky(in[0], flag("upper"))};
  if (op == "pinv") return {la::pinv(in[0], std::nullopt, std::nullopt, a.value("hermitian", false))};
  if (op == "inv") return {la::inv(in[0])};
  if (op == "det") return {la::det(in[0])};
  if (op == "slogdet") {
    auto [s, l] = la::slogdet(in[0]);
    return {s, l};
  }
  if (op == "solve") return {la::solve(in[0], in[1], flag("left"))};
  if (op == "solve_triangular")
    return {la::solve_triangular(in[0], in[1], flag("upper"), flag("left"), flag("unitriangular"))};
  if (op == "lstsq") {
    auto [x, r, k, s] = la::lstsq(in[0], in[1], std::nullopt, a.at("driver").get<std::string>());
    return {x, r, k, s};
  }
  if (op == "matrix_rank") return {la::matrix_rank(in[0])};
  if (op == "vector_norm") return {la::vector_norm(in[0], ord_of(a.at("ord")), dim_of(a), a.value("keepdim", false))};
  if (op == "matrix_norm") {
    const auto& o = a.at("ord");
    fx::DimList d(a.at("dim").get<std::vector<int64_t>>());
    if (o.is_string() && (o == "fro" || o == "nuc"))
      return {la::matrix_norm(in[0], o.get<std::string>(), d, flag("keepdim"))};
    return {la::matrix_norm(in[0], ord_of(o), d, flag("keepdim"))};
  }
  if (op == "cond") {
    if (a.contains("ord") && a.at("ord").is_string() && (a.at("ord") == "fro" || a.at("ord") == "nuc"))
      return {la::cond(in[0], a.at("ord").get<std::string>())};
    std::optional<double> ord;
    if (a.contains("ord")) ord = ord_of(a.at("ord"));
    return {la::cond(in[0], ord)};
  }
  if (op == "norm") {
    if (a.contains("ord") && a.at("ord").is_string() && (a.at("ord") == "fro" || a.at("ord") == "nuc"))
      return {la::norm(in[0], a.at("ord").get<std::string>(), dim_of(a))};
    std::optional<double> ord;
    if (a.contains("ord")) ord = ord_of(a.at("ord"));
    return {la::norm(in[0], ord, dim_of(a))};
  }
  ADD_FAILURE() << "unknown op " << op;
  return {};
}

}  // namespace

TEST(LinalgDecompGolden, MatchesPyTorch) {
  auto cases = fxtest::load_golden("linalg_decomp.json");
  ASSERT_GT(cases.size(), 200u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string op = c.attrs.at("op").get<std::string>();
    const auto& names = c.attrs.at("outputs");
    TensorList out;
    try {
      out = run_golden(c);
    } catch (const fx::Error& e) {
      ADD_FAILURE() << "threw: " << e.what();
      continue;
    }
    ASSERT_EQ(out.size(), names.size());
    const fx::DType dt = c.at(c.attrs.at("inputs")[0].get<std::string>()).dtype();
    auto expect = [&](size_t i) { return c.at(names[i].get<std::string>()); };
    if (op == "svd") {
      const Tensor A = rebuild(c, "A");
      const int64_t k = out[1].size(-1);
      EXPECT_TRUE(close(out[1], expect(1), dt)) << "S";
      Tensor U = out[0].narrow(-1, 0, k), Vh = out[2].narrow(-2, 0, k);
      EXPECT_EQ(out[0].sizes(), expect(0).sizes());
      EXPECT_EQ(out[2].sizes(), expect(2).sizes());
      EXPECT_TRUE(close(fix_column_signs(U), fix_column_signs(expect(0).narrow(-1, 0, k)), dt)) << "U";
      EXPECT_TRUE(close(fix_row_signs(Vh), fix_row_signs(expect(2).narrow(-2, 0, k)), dt)) << "Vh";
      EXPECT_TRUE(tensors_close(fx::matmul(U * out[1].unsqueeze(-2), Vh), A, 1e-4, tol(dt) * 100)) << "U S Vh";
    } else if (op == "eigh") {
      EXPECT_TRUE(close(out[0], expect(0), dt)) << "L";
      EXPECT_TRUE(close(fix_column_signs(out[1]), fix_column_signs(expect(1)), dt)) << "V";
    } else if (op == "qr") {
      EXPECT_EQ(out[0].sizes(), expect(0).sizes());
      EXPECT_EQ(out[1].sizes(), expect(1).sizes());
      // Signs: make the diagonal of R non-negative (Q's columns follow).
      auto fix = [](const Tensor& Q, const Tensor& R) -> std::pair<Tensor, Tensor> {
        const int64_t k = std::min(R.size(-2), R.size(-1));
        Tensor d = fx::sign(R.narrow(-2, 0, k).narrow(-1, 0, k).diagonal(0, -2, -1));
        d = fx::where(fx::eq(d, 0), fx::Scalar(1.0), d);
        Tensor Rf = R.narrow(-2, 0, k) * d.unsqueeze(-1);
        Tensor Qf = Q.dim() >= 2 ? Q.narrow(-1, 0, k) * d.unsqueeze(-2) : Q;
        return {Qf, Rf};
      };
      auto [Qa, Ra] = fix(out[0], out[1]);
      auto [Qe, Re] = fix(expect(0), expect(1));
      EXPECT_TRUE(close(Ra, Re, dt)) << "R";
      EXPECT_TRUE(close(Qa, Qe, dt)) << "Q";
    } else {
      for (size_t i = 0; i < out.size(); ++i) EXPECT_TRUE(close(out[i], expect(i), dt)) << names[i].get<std::string>();
    }
  }
}

// ---- reconstruction identities -----------------------------------------------------------------

TEST(LinalgDecomp, SvdReconstructsAndIsOrthonormal) {
  for (fx::DType dt : {fx::kFloat64, fx::kFloat32}) {
    for (fx::Shape s : {fx::Shape{5, 3}, fx::Shape{3, 5}, fx::Shape{2, 3, 4, 4}}) {
      Tensor A = randn(s, dt, 7);
      for (bool full : {false, true}) {
        auto [U, S, Vh] = la::svd(A, full);
        const int64_t m = s[s.size() - 2], n = s.back(), k = std::min(m, n);
        EXPECT_EQ(U.size(-1), full ? m : k);
        EXPECT_EQ(Vh.size(-2), full ? n : k);
        Tensor Uk = U.narrow(-1, 0, k), Vk = Vh.narrow(-2, 0, k);
        EXPECT_TRUE(tensors_close(fx::matmul(Uk * S.unsqueeze(-2), Vk), A, 1e-4, tol(dt) * 10));
        EXPECT_TRUE(tensors_close(fx::matmul(U.mT(), U), eye(U.size(-1), dt).expand(fx::matmul(U.mT(), U).sizes()),
                                  1e-4, tol(dt) * 10));
        EXPECT_TRUE(tensors_close(fx::matmul(Vh, Vh.mT()), eye(Vh.size(-2), dt).expand(fx::matmul(Vh, Vh.mT()).sizes()),
                                  1e-4, tol(dt) * 10));
        // Descending, non-negative.
        Tensor d = S.narrow(-1, 0, k - 1) - S.narrow(-1, 1, k - 1);
        EXPECT_TRUE(fx::all(fx::ge(d, 0)).item<bool>());
        EXPECT_TRUE(fx::all(fx::ge(S, 0)).item<bool>());
      }
    }
  }
}

TEST(LinalgDecomp, NonContiguousInputIsNotModified) {
  Tensor base = randn({4, 6}, fx::kFloat64, 3);
  Tensor A = base.slice(1, 0, std::nullopt, 2);  // [4, 3], strided
  Tensor before = A.clone();
  auto [U, S, Vh] = la::svd(A, false);
  EXPECT_TRUE(tensors_close(fx::matmul(U * S.unsqueeze(-2), Vh), A, 1e-9, 1e-10));
  Tensor At = randn({3, 3}, fx::kFloat64, 4).mT();  // a transposed view: A.mT() is contiguous
  Tensor before_t = At.clone();
  la::inv(At);
  la::det(At);
  la::qr(At);
  EXPECT_TRUE(fxtest::tensors_equal(A, before));
  EXPECT_TRUE(fxtest::tensors_equal(At, before_t));
}

TEST(LinalgDecomp, QrCholeskySolveInvIdentities) {
  for (fx::DType dt : {fx::kFloat64, fx::kFloat32}) {
    const double t = tol(dt) * 100;
    for (fx::Shape s : {fx::Shape{5, 3}, fx::Shape{3, 5}, fx::Shape{2, 4, 4}}) {
      Tensor A = randn(s, dt, 11);
      auto [Q, R] = la::qr(A);
      EXPECT_TRUE(tensors_close(fx::matmul(Q, R), A, 1e-4, t));
      Tensor QtQ = fx::matmul(Q.mT(), Q);
      EXPECT_TRUE(tensors_close(QtQ, eye(Q.size(-1), dt).expand(QtQ.sizes()), 1e-4, t));
      EXPECT_TRUE(fxtest::tensors_equal(fx::triu(R), R));
      auto [Qc, Rc] = la::qr(A, "complete");
      EXPECT_EQ(Qc.size(-1), A.size(-2));
      EXPECT_TRUE(tensors_close(fx::matmul(Qc, Rc), A, 1e-4, t));
    }
    Tensor P = spd({3, 4, 4}, dt, 5);
    Tensor L = la::cholesky(P);
    EXPECT_TRUE(tensors_close(fx::matmul(L, L.mT()), P, 1e-4, t * 10));
    EXPECT_TRUE(fxtest::tensors_equal(fx::tril(L), L));
    Tensor U = la::cholesky(P, true);
    EXPECT_TRUE(tensors_close(fx::matmul(U.mT(), U), P, 1e-4, t * 10));
    Tensor A = dominant({2, 4, 4}, dt, 6), B = randn({2, 4, 3}, dt, 7);
    Tensor X = la::solve(A, B);
    EXPECT_TRUE(tensors_close(fx::matmul(A, X), B, 1e-4, t));
    Tensor Xr = la::solve(A, B.mT(), false);  // X A = B^T
    EXPECT_TRUE(tensors_close(fx::matmul(Xr, A), B.mT(), 1e-4, t));
    Tensor Ai = la::inv(A);
    EXPECT_TRUE(tensors_close(fx::matmul(A, Ai), eye(4, dt).expand({2, 4, 4}), 1e-4, t));
    auto [sign, logabs] = la::slogdet(A);
    EXPECT_TRUE(tensors_close(sign * fx::exp(logabs), la::det(A), 1e-4, t));
    auto [w, V] = la::eigh(P);
    EXPECT_TRUE(tensors_close(fx::matmul(V * w.unsqueeze(-2), V.mT()), P, 1e-4, t * 10));
    Tensor T = fx::triu(A);
    Tensor Y = la::solve_triangular(T, B, true);
    EXPECT_TRUE(tensors_close(fx::matmul(T, Y), B, 1e-4, t));
    // pinv: Moore-Penrose conditions; lstsq agrees with the normal equations for a tall full-rank A.
    Tensor M = randn({5, 3}, dt, 8);
    Tensor Mp = la::pinv(M);
    EXPECT_TRUE(tensors_close(fx::matmul(M, fx::matmul(Mp, M)), M, 1e-4, t));
    EXPECT_TRUE(tensors_close(fx::matmul(Mp, fx::matmul(M, Mp)), Mp, 1e-4, t));
    Tensor b = randn({5, 2}, dt, 9);
    Tensor xs = std::get<0>(la::lstsq(M, b));
    EXPECT_TRUE(tensors_close(xs, la::solve(fx::matmul(M.mT(), M), fx::matmul(M.mT(), b)), 1e-3, t * 10));
  }
}

TEST(LinalgDecomp, EmptyAndBatchEdgeCases) {
  Tensor A = randn({0, 3, 3});
  EXPECT_EQ(la::inv(A).sizes(), fx::Shape({0, 3, 3}));
  EXPECT_EQ(la::det(A).sizes(), fx::Shape({0}));
  auto [U, S, Vh] = la::svd(randn({2, 0, 3}));
  EXPECT_EQ(U.sizes(), fx::Shape({2, 0, 0}));
  EXPECT_EQ(S.sizes(), fx::Shape({2, 0}));
  EXPECT_EQ(Vh.sizes(), fx::Shape({2, 3, 3}));
  EXPECT_EQ(la::det(randn({0, 0})).item<double>(), 1.0);
}

TEST(LinalgDecomp, NormsMatchDefinitions) {
  Tensor A = randn({3, 4}, fx::kFloat64, 2);
  Tensor S = la::svdvals(A);
  EXPECT_NEAR(la::matrix_norm(A, 2).item<double>(), S.max().item<double>(), 1e-12);
  EXPECT_NEAR(la::matrix_norm(A, "nuc").item<double>(), S.sum().item<double>(), 1e-12);
  EXPECT_NEAR(la::matrix_norm(A).item<double>(), std::sqrt((A * A).sum().item<double>()), 1e-12);
  EXPECT_NEAR(la::norm(A).item<double>(), std::sqrt((A * A).sum().item<double>()), 1e-12);
  EXPECT_NEAR(la::vector_norm(A, -kInf).item<double>(), fx::abs(A).min().item<double>(), 0);
  EXPECT_EQ(la::matrix_norm(randn({2, 3, 4}), 1, {0, 2}, true).sizes(), fx::Shape({1, 3, 1}));
}

// ---- errors ------------------------------------------------------------------------------------

TEST(LinalgDecompErrors, ClearMessages) {
  Tensor sq = randn({3, 3}), rect = randn({2, 3});
  EXPECT_FX_ERROR(la::inv(rect), "square");
  EXPECT_FX_ERROR(la::det(rect), "linalg.det");
  EXPECT_FX_ERROR(la::cholesky(rect), "square");
  EXPECT_FX_ERROR(la::eigh(rect), "square");
  EXPECT_FX_ERROR(la::svd(randn({3})), "at least 2 dimensions");
  EXPECT_FX_ERROR(la::svd(fx::ones({2, 2}, fx::TensorOptions(fx::kInt64))), "float32 or float64");
  EXPECT_FX_ERROR(la::inv(fx::ones({2, 2}, fx::TensorOptions(fx::kFloat16))), "float32 or float64");
  Tensor sing = fx::tensor(std::vector<double>{1.0, 2.0, 2.0, 4.0}, fx::Shape{2, 2}, fx::TensorOptions(fx::kFloat64));
  EXPECT_FX_ERROR(la::inv(sing), "singular matrix");
  EXPECT_FX_ERROR(la::solve(sing, randn({2, 1})), "singular matrix");
  EXPECT_FX_ERROR(la::inv(fx::stack({eye(2), sing})), "batch element 1");
  Tensor notpd = fx::tensor(std::vector<double>{1.0, 2.0, 2.0, 1.0}, fx::Shape{2, 2}, fx::TensorOptions(fx::kFloat64));
  EXPECT_FX_ERROR(la::cholesky(notpd), "not positive-definite");
  EXPECT_FX_ERROR(la::cholesky(notpd), "order 2");
  EXPECT_FX_ERROR(la::solve(sq, randn({4, 2})), "incompatible shapes");
  EXPECT_FX_ERROR(la::solve(sq, randn({3, 2}, fx::kFloat32)), "same dtype");
  EXPECT_FX_ERROR(la::solve(randn({2, 3, 3}), randn({4, 3, 1})), "broadcastable");
  EXPECT_FX_ERROR(la::eigh(sq, "X"), "UPLO");
  EXPECT_FX_ERROR(la::qr(sq, "full"), "mode");
  EXPECT_FX_ERROR(la::lstsq(rect, randn({3, 1})), "incompatible shapes");
  EXPECT_FX_ERROR(la::lstsq(rect, randn({2, 1}), std::nullopt, "magic"), "driver");
  EXPECT_FX_ERROR(la::matrix_norm(sq, 3.0), "ord");
  EXPECT_FX_ERROR(la::matrix_norm(sq, "spectral"), "ord");
  EXPECT_FX_ERROR(la::norm(randn({2, 2, 2}), 2.0), "1-D or 2-D");
  EXPECT_FX_ERROR(la::vector_norm(fx::ones({2}, fx::TensorOptions(fx::kInt64))), "float32 or float64");
  Tensor nan = sq.clone();
  nan.index_put_({0, 0}, std::nan(""));
  EXPECT_FX_ERROR(la::svd(nan), "non-finite");
  EXPECT_FX_ERROR(la::eigh(nan), "non-finite");
}

TEST(LinalgDecompErrors, NonDifferentiableModes) {
  Tensor A = randn({4, 3}).requires_grad_(true);
  auto [Q, R] = la::qr(A, "r");
  EXPECT_FX_ERROR(R.sum().backward(), "mode='r'");
  Tensor B = randn({4, 3}).requires_grad_(true);
  auto [Qc, Rc] = la::qr(B, "complete");
  EXPECT_FX_ERROR(Qc.sum().backward(), "complete");
}

// ---- gradients ---------------------------------------------------------------------------------

TEST(LinalgDecompGrad, Svd) {
  for (fx::Shape s : {fx::Shape{3, 3}, fx::Shape{4, 2}, fx::Shape{2, 4}, fx::Shape{2, 3, 2}}) {
    // Gauge-invariant outputs: S, |U|, |Vh| (the sign of each singular pair is arbitrary).
    auto f = [](const TensorList& x) {
      auto [U, S, Vh] = la::svd(x[0], false);
      return TensorList{S, fx::abs(U), fx::abs(Vh)};
    };
    check_grads("svd " + std::to_string(s.size()), f, {randn(s, fx::kFloat64, 21)});
    auto ff = [](const TensorList& x) {
      auto [U, S, Vh] = la::svd(x[0], true);
      const int64_t k = S.size(-1);
      return TensorList{S, fx::abs(U.narrow(-1, 0, k)), fx::abs(Vh.narrow(-2, 0, k))};
    };
    check_grads("svd full_matrices", ff, {randn(s, fx::kFloat64, 22)});
    check_grads("svdvals", [](const TensorList& x) { return TensorList{la::svdvals(x[0])}; },
                {randn(s, fx::kFloat64, 23)});
  }
}

TEST(LinalgDecompGrad, Eigh) {
  for (std::string uplo : {"L", "U"}) {
    // Symmetrise the input, as PyTorch's gradcheck of eigh does: eigh reads one triangle only.
    auto f = [uplo](const TensorList& x) {
      auto [L, V] = la::eigh(x[0] + x[0].mT(), uplo);
      return TensorList{L, fx::abs(V)};
    };
    check_grads("eigh " + uplo, f, {randn({3, 3}, fx::kFloat64, 31)});
    check_grads("eigh batched " + uplo, f, {randn({2, 3, 3}, fx::kFloat64, 32)});
    check_grads("eigvalsh " + uplo,
                [uplo](const TensorList& x) { return TensorList{la::eigvalsh(x[0] + x[0].mT(), uplo)}; },
                {randn({4, 4}, fx::kFloat64, 33)});
  }
}

TEST(LinalgDecompGrad, Qr) {
  auto f = [](const TensorList& x) {
    auto [Q, R] = la::qr(x[0]);
    return TensorList{Q, R};
  };
  for (fx::Shape s : {fx::Shape{3, 3}, fx::Shape{4, 2}, fx::Shape{2, 4}, fx::Shape{2, 3, 2}})
    check_grads("qr", f, {randn(s, fx::kFloat64, 41)});
  auto fr = [](const TensorList& x) { return TensorList{std::get<1>(la::qr(x[0]))}; };
  check_grads("qr R only", fr, {randn({4, 3}, fx::kFloat64, 42)});
  auto fc = [](const TensorList& x) {
    auto [Q, R] = la::qr(x[0], "complete");
    return TensorList{Q, R};
  };
  check_grads("qr complete wide", fc, {randn({2, 3}, fx::kFloat64, 43)});
}

TEST(LinalgDecompGrad, Cholesky) {
  for (bool upper : {false, true}) {
    auto f = [upper](const TensorList& x) {
      Tensor P = fx::matmul(x[0], x[0].mT()) + 3.0 * eye(3);
      return TensorList{la::cholesky(P, upper)};
    };
    check_grads(upper ? "cholesky upper" : "cholesky", f, {randn({3, 3}, fx::kFloat64, 51)});
    check_grads("cholesky batched", f, {randn({2, 3, 3}, fx::kFloat64, 52)});
  }
}

TEST(LinalgDecompGrad, InvDetSlogdet) {
  auto finv = [](const TensorList& x) { return TensorList{la::inv(x[0])}; };
  check_grads("inv", finv, {dominant({3, 3}, fx::kFloat64, 61)});
  check_grads("inv batched", finv, {dominant({2, 3, 3}, fx::kFloat64, 62)});
  auto fdet = [](const TensorList& x) { return TensorList{la::det(x[0])}; };
  check_grads("det", fdet, {randn({3, 3}, fx::kFloat64, 63)});
  check_grads("det batched", fdet, {randn({2, 3, 3}, fx::kFloat64, 64)});
  auto fslog = [](const TensorList& x) { return TensorList{std::get<1>(la::slogdet(x[0]))}; };
  check_grads("slogdet", fslog, {randn({3, 3}, fx::kFloat64, 65)});
  // det of a singular matrix: the gradient is the cofactor matrix (first order, through the SVD).
  Tensor S = fx::tensor(std::vector<double>{1.0, 2.0, 3.0, 2.0, 4.0, 6.0, 1.0, 0.0, 1.0}, fx::Shape{3, 3},
                        fx::TensorOptions(fx::kFloat64));
  check_grads("det singular", fdet, {S}, /*second_order=*/false, /*forward=*/true);
}

TEST(LinalgDecompGrad, Solvers) {
  auto fsolve = [](const TensorList& x) { return TensorList{la::solve(x[0], x[1])}; };
  check_grads("solve", fsolve, {dominant({3, 3}, fx::kFloat64, 71), randn({3, 2}, fx::kFloat64, 72)});
  check_grads("solve vector", fsolve, {dominant({3, 3}, fx::kFloat64, 73), randn({3}, fx::kFloat64, 74)});
  check_grads("solve broadcast", fsolve, {dominant({3, 3}, fx::kFloat64, 75), randn({2, 3, 1}, fx::kFloat64, 76)});
  check_grads("solve right", [](const TensorList& x) { return TensorList{la::solve(x[0], x[1], false)}; },
              {dominant({3, 3}, fx::kFloat64, 77), randn({2, 3}, fx::kFloat64, 78)});
  for (bool upper : {false, true})
    for (bool left : {true, false})
      for (bool unit : {false, true}) {
        auto f = [=](const TensorList& x) { return TensorList{la::solve_triangular(x[0], x[1], upper, left, unit)}; };
        check_grads(
            "solve_triangular", f,
            {dominant({3, 3}, fx::kFloat64, 79), randn(left ? fx::Shape{3, 2} : fx::Shape{2, 3}, fx::kFloat64, 80)});
      }
}

TEST(LinalgDecompGrad, PinvLstsq) {
  auto fp = [](const TensorList& x) { return TensorList{la::pinv(x[0])}; };
  check_grads("pinv tall", fp, {randn({4, 2}, fx::kFloat64, 81)});
  check_grads("pinv wide", fp, {randn({2, 4}, fx::kFloat64, 82)});
  check_grads("pinv square batched", fp, {randn({2, 3, 3}, fx::kFloat64, 83)});
  auto fh = [](const TensorList& x) {
    return TensorList{la::pinv(fx::matmul(x[0], x[0].mT()) + eye(3), std::nullopt, std::nullopt, true)};
  };
  check_grads("pinv hermitian", fh, {randn({3, 3}, fx::kFloat64, 84)});
  auto fl = [](const TensorList& x) { return TensorList{std::get<0>(la::lstsq(x[0], x[1]))}; };
  check_grads("lstsq tall", fl, {randn({4, 2}, fx::kFloat64, 85), randn({4, 3}, fx::kFloat64, 86)});
  check_grads("lstsq wide vector", fl, {randn({2, 3}, fx::kFloat64, 87), randn({2}, fx::kFloat64, 88)});
}

TEST(LinalgDecompGrad, Norms) {
  Tensor x = randn({3, 4}, fx::kFloat64, 91);
  for (double ord : {2.0, 1.0, 3.0, kInf, -kInf}) {
    auto f = [ord](const TensorList& t) {
      return TensorList{la::vector_norm(t[0], ord), la::vector_norm(t[0], ord, fx::DimList{1}, true)};
    };
    check_grads("vector_norm " + std::to_string(ord), f, {x}, /*second_order=*/ord == 2.0 || ord == 3.0);
  }
  Tensor A = randn({2, 3, 4}, fx::kFloat64, 92);
  for (std::string ord : {"fro", "nuc"})
    check_grads("matrix_norm " + ord, [ord](const TensorList& t) { return TensorList{la::matrix_norm(t[0], ord)}; },
                {A});
  for (double ord : {2.0, -2.0, 1.0, -1.0, kInf, -kInf})
    check_grads(
        "matrix_norm " + std::to_string(ord),
        [ord](const TensorList& t) {
          return TensorList{la::matrix_norm(t[0], ord, {0, 2})};
        },
        {A},
        /*second_order=*/ord == 2.0 || ord == -2.0);
}

TEST(LinalgDecompGrad, Cond) {
  Tensor A = dominant({3, 3}, fx::kFloat64, 97);
  check_grads("cond 2", [](const TensorList& t) { return TensorList{la::cond(t[0])}; }, {A});
  check_grads("cond fro", [](const TensorList& t) { return TensorList{la::cond(t[0], "fro")}; }, {A});
}

TEST(LinalgDecompGrad, RepeatedValuesWithOnlyValuesUsed) {
  // Repeated singular values / eigenvalues: the gradient of the values alone is still defined.
  Tensor I = (2.0 * eye(3)).requires_grad_(true);
  la::svdvals(I).sum().backward();
  EXPECT_TRUE(tensors_close(I.grad(), eye(3), 1e-12, 1e-12));
  Tensor J = (2.0 * eye(3)).requires_grad_(true);
  auto [U, S, Vh] = la::svd(J);
  S.sum().backward();
  EXPECT_TRUE(tensors_close(J.grad(), eye(3), 1e-12, 1e-12));
  Tensor K = (2.0 * eye(3)).requires_grad_(true);
  auto [L, V] = la::eigh(K);
  L.sum().backward();
  EXPECT_TRUE(tensors_close(K.grad(), eye(3), 1e-12, 1e-12));
  Tensor M = (2.0 * eye(3)).requires_grad_(true);
  la::matrix_norm(M, "nuc").backward();
  EXPECT_TRUE(tensors_close(M.grad(), eye(3), 1e-12, 1e-12));
}

TEST(LinalgDecompGrad, GradOfSolveMatchesClosedForm) {
  // d/dA sum(A^{-1} b) for a fixed b: -A^{-T} 1 (A^{-1} b)^T.
  Tensor A = dominant({3, 3}, fx::kFloat64, 95).requires_grad_(true);
  Tensor b = randn({3}, fx::kFloat64, 96);
  la::solve(A, b).sum().backward();
  Tensor Ai = la::inv(A.detach());
  Tensor expected = -fx::outer(fx::matmul(Ai.mT(), fx::ones({3}, fx::TensorOptions(fx::kFloat64))), fx::matmul(Ai, b));
  EXPECT_TRUE(tensors_close(A.grad(), expected, 1e-10, 1e-12));
}

// ---- function transforms -----------------------------------------------------------------------

TEST(LinalgDecompTransforms, GradJvpHessianOfLogdet) {
  const Tensor A = dominant({3, 3}, fx::kFloat64, 101);
  const Tensor Ai = la::inv(A);
  // grad log|det A| = A^{-T}
  auto logdet = [](const Tensor& X) { return std::get<1>(la::slogdet(X)); };
  EXPECT_TRUE(tensors_close(fx::func::grad(logdet)(A), Ai.mT(), 1e-10, 1e-12));
  // d det(A)[V] = det(A) tr(A^{-1} V)
  const Tensor V = randn({3, 3}, fx::kFloat64, 102);
  auto [d, dd] = fx::func::jvp([](const Tensor& X) { return la::det(X); }, A, V);
  EXPECT_NEAR(dd.item<double>(), d.item<double>() * fx::matmul(Ai, V).diagonal().sum().item<double>(), 1e-8);
  // Hessian of log|det| over the 9 entries: H[(i,j),(k,l)] = -(A^{-1})_{l,i} (A^{-1})_{j,k}.
  auto f = [](const Tensor& x) { return std::get<1>(la::slogdet(x.reshape({3, 3}))); };
  Tensor H = fx::func::hessian(f)(A.reshape({9}));
  Tensor expected = -(Ai.mT().reshape({3, 1, 1, 3}) * Ai.reshape({1, 3, 3, 1})).reshape({9, 9});
  EXPECT_TRUE(tensors_close(H, expected, 1e-8, 1e-10));
}

TEST(LinalgDecompTransforms, ForwardOverReverseMatchesReverseOverReverse) {
  // Forward-over-reverse runs each op's JVP through the VJP graph.
  const std::vector<std::pair<std::string, fx::func::UnaryFn>> fns = {
      {"svdvals",
       [](const Tensor& x) {
         return la::svdvals(x.reshape({2, 3})).select(0, 0);
       }},
      {"svd",
       [](const Tensor& x) {
         auto [U, S, Vh] = la::svd(x.reshape({3, 2}), false);
         return (fx::abs(U).sum() * S.sum());
       }},
      {"eigvalsh",
       [](const Tensor& x) {
         Tensor X = x.reshape({3, 2});
         return la::eigvalsh(fx::matmul(X, X.mT())).select(0, 2);
       }},
      {"eigh",
       [](const Tensor& x) {
         Tensor X = x.reshape({2, 3});
         auto [L, V] = la::eigh(fx::matmul(X, X.mT()));
         return fx::abs(V).sum() + L.sum();
       }},
      {"qr",
       [](const Tensor& x) {
         auto [Q, R] = la::qr(x.reshape({3, 2}));
         return (Q * Q.sin()).sum() + R.sum();
       }},
      {"cholesky",
       [](const Tensor& x) {
         Tensor X = x.reshape({2, 3});
         return la::cholesky(fx::matmul(X, X.mT()) + eye(2)).sum();
       }},
      {"pinv",
       [](const Tensor& x) {
         return la::pinv(x.reshape({2, 3})).pow(2).sum();
       }},
      {"solve_triangular",
       [](const Tensor& x) {
         Tensor X = x.reshape({2, 3});
         return la::solve_triangular(X.narrow(1, 0, 2) + 3.0 * eye(2), X, true).pow(2).sum();
       }},
      {"inv",
       [](const Tensor& x) {
         return la::inv(x.reshape({2, 3}).narrow(1, 0, 2) + 3.0 * eye(2)).pow(2).sum();
       }},
      {"det",
       [](const Tensor& x) {
         return la::det(x.reshape({2, 3}).narrow(1, 0, 2)).pow(2);
       }},
  };
  const Tensor x = randn({6}, fx::kFloat64, 103);
  for (const auto& [name, f] : fns) {
    SCOPED_TRACE(name);
    Tensor H = fx::func::jacfwd(fx::func::jacrev(f))(x);  // forward-over-reverse, explicitly
    Tensor Hrr = fx::func::jacrev(fx::func::jacrev(f))(x);
    EXPECT_TRUE(tensors_close(H, Hrr, 1e-7, 1e-9));
    // Central differences of the (gradchecked) gradient.
    auto g = fx::func::grad(f);
    std::vector<Tensor> cols;
    for (int64_t j = 0; j < x.numel(); ++j) {
      Tensor e = fx::zeros({x.numel()}, fx::TensorOptions(fx::kFloat64));
      e.index_put_({j}, 1e-5);
      cols.push_back((g(x + e) - g(x - e)) / 2e-5);
    }
    EXPECT_TRUE(tensors_close(H, fx::stack(cols, 1), 1e-4, 1e-6));
  }
}

TEST(LinalgDecompTransforms, SlogdetSingularAndNegative) {
  Tensor S = fx::tensor(std::vector<double>{1.0, 2.0, 2.0, 4.0}, fx::Shape{2, 2}, fx::TensorOptions(fx::kFloat64));
  auto [s, l] = la::slogdet(S);
  EXPECT_EQ(s.item<double>(), 0.0);
  EXPECT_TRUE(std::isinf(l.item<double>()) && l.item<double>() < 0);
  Tensor N = fx::tensor(std::vector<double>{0.0, 1.0, 1.0, 0.0}, fx::Shape{2, 2}, fx::TensorOptions(fx::kFloat64));
  auto [s2, l2] = la::slogdet(N);
  EXPECT_EQ(s2.item<double>(), -1.0);
  EXPECT_NEAR(l2.item<double>(), 0.0, 1e-15);
  EXPECT_EQ(la::det(N).item<double>(), -1.0);
}
