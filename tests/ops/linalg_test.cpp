// Matrix products: PyTorch golden values, the BLAS kernel against the portable reference kernel,
// threading, out= variants, errors, and gradients (gradcheck, gradgradcheck, jvp_vjp_check).
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>

#include "fluxion/fluxion.h"
#include "kernels/cpu/gemm_portable.h"
#include "kernels/linalg_kernels.h"
#include "support/golden.h"
#include "support/test_util.h"

namespace fx = fluxion;
using fx::Tensor;
using fx::TensorList;
using fxtest::tensors_close;
using fxtest::tensors_equal;

namespace {

fx::TensorOptions f64() { return fx::TensorOptions(fx::kFloat64); }

Tensor randn(const fx::Shape& s, fx::DType dt = fx::kFloat32, uint64_t seed = 0) {
  fx::Generator g(seed);
  return fx::randn(s, fx::TensorOptions(dt), &g);
}

// Rebuilds a golden input from its stored tensor and layout (see tests/golden/gen_linalg.py).
Tensor rebuild(const fxtest::GoldenCase& c, const std::string& key) {
  const Tensor& s = c.at(key);
  const auto& layouts = c.attrs.at("layouts");
  if (!layouts.contains(key)) return s;
  const std::string l = layouts.at(key).get<std::string>();
  if (l == "t") return s.mT();
  if (l == "step2") return s.slice(-1, 0, std::nullopt, 2);
  if (l == "perm01") return s.transpose(0, 1);
  if (l == "expand") return s.expand(c.attrs.at("shapes").at(key).get<std::vector<int64_t>>());
  ADD_FAILURE() << "unknown layout " << l;
  return s;
}

// Tolerance by dtype: inputs are exact quarters, so only f16/bf16 rounding of outputs differs.
::testing::AssertionResult golden_close(const Tensor& actual, const Tensor& expected) {
  if (actual.dtype() != expected.dtype())
    return ::testing::AssertionFailure() << "dtype " << actual.dtype() << " vs expected " << expected.dtype();
  if (actual.dtype() == fx::kFloat16 || actual.dtype() == fx::kBFloat16)
    return tensors_close(actual.to(fx::kFloat32), expected.to(fx::kFloat32), 1e-2, 1e-2);
  if (!actual.is_floating_point()) return tensors_equal(actual, expected);
  return tensors_close(actual, expected, 1e-6, 1e-6);
}

Tensor run_golden(const fxtest::GoldenCase& c) {
  const std::string op = c.attrs.at("op").get<std::string>();
  std::vector<Tensor> in;
  for (const auto& k : c.attrs.at("inputs")) in.push_back(rebuild(c, k.get<std::string>()));
  auto scalar = [&](const char* k) { return fx::Scalar(c.attrs.at(k).get<double>()); };
  auto iscalar = [&](const char* k) { return fx::Scalar(c.attrs.at(k).get<int64_t>()); };
  auto beta_alpha = [&]() -> std::pair<fx::Scalar, fx::Scalar> {
    if (in[1].is_floating_point()) return {scalar("beta"), scalar("alpha")};
    return {iscalar("beta"), iscalar("alpha")};
  };
  if (op == "matmul") return fx::matmul(in[0], in[1]);
  if (op == "mm") return fx::mm(in[0], in[1]);
  if (op == "bmm") return fx::bmm(in[0], in[1]);
  if (op == "mv") return fx::mv(in[0], in[1]);
  if (op == "dot") return fx::dot(in[0], in[1]);
  if (op == "outer") return fx::outer(in[0], in[1]);
  if (op == "addmm") {
    auto [b, a] = beta_alpha();
    return fx::addmm(in[0], in[1], in[2], b, a);
  }
  if (op == "addmv") {
    auto [b, a] = beta_alpha();
    return fx::addmv(in[0], in[1], in[2], b, a);
  }
  if (op == "baddbmm") {
    auto [b, a] = beta_alpha();
    return fx::baddbmm(in[0], in[1], in[2], b, a);
  }
  if (op == "tensordot")
    return fx::tensordot(in[0], in[1], c.attrs.at("dims_a").get<std::vector<int64_t>>(),
                         c.attrs.at("dims_b").get<std::vector<int64_t>>());
  ADD_FAILURE() << "unknown op " << op;
  return Tensor();
}

}  // namespace

// ---- PyTorch golden values ---------------------------------------------------------------------

TEST(Linalg, GoldenAgainstPyTorch) {
  int n = 0;
  for (const auto& c : fxtest::load_golden("linalg.json")) {
    if (c.attrs.at("op") == "einsum") continue;
    SCOPED_TRACE(c.name);
    Tensor out = run_golden(c);
    EXPECT_TRUE(golden_close(out, c.at("out")));
    ++n;
  }
  EXPECT_GT(n, 90);
}

TEST(Linalg, MethodsMatchFreeFunctions) {
  Tensor a = randn({3, 4}), b = randn({4, 2}, fx::kFloat32, 1), v = randn({4}, fx::kFloat32, 2);
  EXPECT_TRUE(tensors_equal(a.matmul(b), fx::matmul(a, b)));
  EXPECT_TRUE(tensors_equal(a.mm(b), fx::mm(a, b)));
  EXPECT_TRUE(tensors_equal(a.unsqueeze(0).bmm(b.unsqueeze(0)), fx::bmm(a.unsqueeze(0), b.unsqueeze(0))));
  EXPECT_TRUE(tensors_equal(a.mv(v), fx::mv(a, v)));
  EXPECT_TRUE(tensors_equal(v.dot(v), fx::dot(v, v)));
  EXPECT_TRUE(tensors_equal(v.outer(v), fx::outer(v, v)));
}

TEST(Linalg, ShapesOfMatmulVariants) {
  EXPECT_EQ(fx::matmul(randn({3}), randn({3})).dim(), 0);
  EXPECT_EQ(fx::matmul(randn({2, 3}), randn({3})).sizes(), fx::Shape({2}));
  EXPECT_EQ(fx::matmul(randn({3}), randn({3, 4})).sizes(), fx::Shape({4}));
  EXPECT_EQ(fx::matmul(randn({7, 1, 2, 3}), randn({5, 3, 4})).sizes(), fx::Shape({7, 5, 2, 4}));
  EXPECT_EQ(fx::matmul(randn({3}), randn({6, 3, 4})).sizes(), fx::Shape({6, 4}));
  EXPECT_EQ(fx::matmul(randn({6, 2, 3}), randn({3})).sizes(), fx::Shape({6, 2}));
  EXPECT_TRUE(fx::matmul(randn({2, 0}), randn({0, 3})).equal(fx::zeros({2, 3})));
}

// The folded path (batch merged into M) and the batched path must agree with per-batch mm.
TEST(Linalg, MatmulFoldedAndBatchedAgreeWithLoop) {
  Tensor a = randn({4, 3, 5, 6}, fx::kFloat64), b = randn({6, 2}, fx::kFloat64, 1);
  Tensor nonfold = a.transpose(0, 1);  // [3, 4, 5, 6], batch dims not foldable
  Tensor out = fx::matmul(a, b), out2 = fx::matmul(nonfold, b);
  for (int64_t i = 0; i < 4; ++i)
    for (int64_t j = 0; j < 3; ++j) {
      EXPECT_TRUE(tensors_close(out[i][j], fx::mm(a[i][j], b), 1e-12, 1e-12));
      EXPECT_TRUE(tensors_close(out2[j][i], fx::mm(a[i][j], b), 1e-12, 1e-12));
    }
}

// ---- the BLAS kernel against the portable reference kernel -------------------------------------

namespace {

// C = beta * C + alpha * op(A) @ op(B) through the kernel table with arbitrary strided views.
void kernel_gemm(const Tensor& c, const Tensor& a, const Tensor& b, fx::Scalar alpha, fx::Scalar beta) {
  fx::kernels::GemmParams p;
  p.m = a.size(0);
  p.k = a.size(1);
  p.n = b.size(1);
  p.a = {static_cast<char*>(a.data_ptr()), a.stride(0), a.stride(1), {}};
  p.b = {static_cast<char*>(b.data_ptr()), b.stride(0), b.stride(1), {}};
  p.c = {static_cast<char*>(c.data_ptr()), c.stride(0), c.stride(1), {}};
  p.alpha = alpha;
  p.beta = beta;
  fx::kernels::gemm_kernel.get(fx::DeviceType::CPU, a.dtype())(p);
}

template <class T>
Tensor reference_gemm(const Tensor& c0, const Tensor& a, const Tensor& b, double alpha, double beta) {
  Tensor c = c0.clone();
  fx::kernels::gemm_portable<T>(a.size(0), b.size(1), a.size(1), alpha, a.data_ptr<T>(), a.stride(0), a.stride(1),
                                b.data_ptr<T>(), b.stride(0), b.stride(1), beta, beta == 0.0, c.data_ptr<T>(),
                                c.stride(0), c.stride(1));
  return c;
}

// Views of a fresh (r x c) random tensor in several layouts BLAS sees differently.
std::vector<std::pair<std::string, Tensor>> layouts(int64_t r, int64_t c, fx::DType dt, uint64_t seed) {
  return {
      {"contig", randn({r, c}, dt, seed)},
      {"transposed", randn({c, r}, dt, seed).t()},
      {"row_slice", randn({r, c + 3}, dt, seed).slice(1, 1, c + 1)},
      {"step2_cols", randn({r, 2 * c}, dt, seed).slice(1, 0, std::nullopt, 2)},
      {"step2_both", randn({2 * r, 2 * c}, dt, seed).slice(0, 0, std::nullopt, 2).slice(1, 0, std::nullopt, 2)},
      {"broadcast_rows", randn({1, c}, dt, seed).expand({r, c})},
  };
}

template <class T>
void check_kernel_against_reference(fx::DType dt, double tol) {
  const int64_t shapes[][3] = {{5, 7, 3}, {1, 9, 4}, {6, 1, 5}, {1, 1, 8}, {4, 3, 1}, {33, 17, 65}};
  for (auto& s : shapes) {
    const int64_t m = s[0], n = s[1], k = s[2];
    for (auto& [an, a] : layouts(m, k, dt, 1))
      for (auto& [bn, b] : layouts(k, n, dt, 2))
        for (const char* cl : {"contig", "transposed", "step2"})
          for (double beta : {0.0, 1.0, -0.5}) {
            SCOPED_TRACE(std::string(an) + " @ " + bn + " -> " + cl + " m=" + std::to_string(m) +
                         " n=" + std::to_string(n) + " k=" + std::to_string(k) + " beta=" + std::to_string(beta));
            Tensor cbase = std::string(cl) == "contig"       ? randn({m, n}, dt, 3)
                           : std::string(cl) == "transposed" ? randn({n, m}, dt, 3).t()
                                                             : randn({m, 2 * n}, dt, 3).slice(1, 0, std::nullopt, 2);
            Tensor expect = reference_gemm<T>(cbase, a, b, 1.5, beta);
            if (beta == 0.0) cbase.fill_(std::numeric_limits<double>::quiet_NaN());  // must be ignored
            kernel_gemm(cbase, a, b, 1.5, beta);
            EXPECT_TRUE(tensors_close(cbase, expect, tol, tol));
          }
  }
}

}  // namespace

TEST(LinalgKernel, Float32BlasMatchesReferenceInEveryLayout) {
  check_kernel_against_reference<float>(fx::kFloat32, 1e-4);
}
TEST(LinalgKernel, Float64BlasMatchesReferenceInEveryLayout) {
  check_kernel_against_reference<double>(fx::kFloat64, 1e-12);
}

TEST(LinalgKernel, HalfTypesAccumulateInFloat) {
  // 4096 terms of 2^-10: accumulating in f16 stalls at 2 (2 + 2^-10 rounds back to 2) and in
  // bf16 at 0.25; accumulating in f32 reaches 4 exactly.
  for (fx::DType dt : {fx::kFloat16, fx::kBFloat16}) {
    Tensor a = fx::full({1, 4096}, 1.0 / 1024, fx::TensorOptions(dt)), b = fx::ones({4096, 1}, fx::TensorOptions(dt));
    EXPECT_EQ(fx::mm(a, b).item<double>(), 4.0);
    EXPECT_EQ(fx::matmul(a[0], b.t()[0]).item<double>(), 4.0);  // the dot path
    Tensor x = randn({9, 13}, fx::kFloat32, 5).to(dt), y = randn({13, 6}, fx::kFloat32, 6).to(dt);
    Tensor ref = fx::mm(x.to(fx::kFloat32), y.to(fx::kFloat32));
    EXPECT_TRUE(tensors_close(fx::mm(x, y).to(fx::kFloat32), ref, 2e-2, 2e-2));
  }
}

TEST(LinalgKernel, IntegerKernelIsExactAndWraps) {
  fx::Generator g(7);
  Tensor a = fx::randint(-100, 100, {70, 300}, fx::TensorOptions(fx::kInt64), &g);
  Tensor b = fx::randint(-100, 100, {300, 90}, fx::TensorOptions(fx::kInt64), &g);
  Tensor ref = fx::mm(a.to(fx::kFloat64), b.to(fx::kFloat64));  // exact: |values| < 2^53
  EXPECT_TRUE(tensors_equal(fx::mm(a, b).to(fx::kFloat64), ref));
  EXPECT_TRUE(tensors_equal(fx::mm(a.to(fx::kInt32), b.to(fx::kInt32)), fx::mm(a, b).to(fx::kInt32)));
  // int8 results are the int64 results modulo 2^8, as PyTorch's in-type accumulation gives.
  Tensor a8 = a.slice(1, 0, 40).to(fx::kInt8), b8 = b.slice(0, 0, 40).to(fx::kInt8);
  Tensor wide = fx::mm(a8.to(fx::kInt64), b8.to(fx::kInt64));
  Tensor wrapped = (wide.remainder(256) + 384).remainder(256) - 128;  // to [-128, 128)
  EXPECT_TRUE(tensors_equal(fx::mm(a8, b8).to(fx::kInt64), wrapped));
}

// ---- threading ---------------------------------------------------------------------------------

TEST(Linalg, ThreadedResultsMatchSingleThread) {
  const int prev = fx::get_num_threads();
  Tensor a = randn({300, 200}), b = randn({200, 250}, fx::kFloat32, 1);
  Tensor ba = randn({16, 40, 30}), bb = randn({16, 30, 20}, fx::kFloat32, 1);
  Tensor ia = fx::randint(-5, 5, {200, 150}, fx::TensorOptions(fx::kInt32)), ib = ia.t().contiguous();
  Tensor ha = randn({8, 64, 64}).to(fx::kBFloat16);
  fx::set_num_threads(1);
  Tensor r1 = fx::mm(a, b), rb1 = fx::bmm(ba, bb), ri1 = fx::mm(ia, ib), rh1 = fx::bmm(ha, ha);
  Tensor rv1 = fx::matmul(ba, bb[0]);
  fx::set_num_threads(2);
  Tensor r2 = fx::mm(a, b), rb2 = fx::bmm(ba, bb), ri2 = fx::mm(ia, ib), rh2 = fx::bmm(ha, ha);
  Tensor rv2 = fx::matmul(ba, bb[0]);
  fx::set_num_threads(prev);
  EXPECT_TRUE(tensors_close(r1, r2, 1e-5, 1e-4));
  EXPECT_TRUE(tensors_close(rb1, rb2, 1e-5, 1e-4));
  EXPECT_TRUE(tensors_equal(ri1, ri2));
  EXPECT_TRUE(tensors_close(rh1.to(fx::kFloat32), rh2.to(fx::kFloat32), 1e-2, 1e-2));
  EXPECT_TRUE(tensors_close(rv1, rv2, 1e-5, 1e-4));
  EXPECT_TRUE(tensors_close(r1, fx::mm(a.to(fx::kFloat64), b.to(fx::kFloat64)).to(fx::kFloat32), 1e-4, 1e-4));
}

// ---- addmm family details ----------------------------------------------------------------------

TEST(Linalg, AddmmBetaZeroIgnoresNanAndInfInSelf) {
  Tensor self = fx::tensor({NAN, INFINITY, -INFINITY, 1.0f}).reshape({2, 2});
  Tensor m1 = randn({2, 3}), m2 = randn({3, 2}, fx::kFloat32, 1);
  Tensor out = fx::addmm(self, m1, m2, 0, 1);
  EXPECT_TRUE(tensors_close(out, fx::mm(m1, m2)));
  // beta != 0 propagates them.
  EXPECT_TRUE(std::isnan(fx::addmm(self, m1, m2, 1, 1)[0][0].item<float>()));
  Tensor v = randn({3});
  EXPECT_TRUE(tensors_close(fx::addmv(fx::full({2}, NAN), m1, v, 0, 2), fx::mv(m1, v) * 2));
}

TEST(Linalg, IntegerAlphaBeta) {
  Tensor s = fx::ones({2, 2}, fx::TensorOptions(fx::kInt64)), m = fx::full({2, 2}, 3, fx::TensorOptions(fx::kInt64));
  EXPECT_TRUE(tensors_equal(fx::addmm(s, m, m, 2, -1), fx::full({2, 2}, 2 - 18, fx::TensorOptions(fx::kInt64))));
  EXPECT_FX_ERROR(fx::addmm(s, m, m, 1, INFINITY), "not representable");
}

// ---- out= variants -----------------------------------------------------------------------------

TEST(Linalg, OutVariants) {
  Tensor a = randn({3, 4}), b = randn({4, 5}, fx::kFloat32, 1);
  Tensor expect = fx::mm(a, b);
  Tensor out = fx::empty({3, 5});
  uint32_t v0 = out._version();
  EXPECT_TRUE(tensors_close(fx::mm_out(out, a, b), expect));
  EXPECT_GT(out._version(), v0);
  Tensor empty = fx::empty({0});
  fx::matmul_out(empty, a.unsqueeze(0).expand({2, 3, 4}), b);  // resized
  EXPECT_EQ(empty.sizes(), fx::Shape({2, 3, 5}));
  EXPECT_TRUE(tensors_close(empty[1], expect));
  Tensor tout = fx::zeros({5, 3}).t();  // non-contiguous out
  fx::mm_out(tout, a, b);
  EXPECT_TRUE(tensors_close(tout, expect));
  Tensor sq = randn({4, 4}), sq_ref = fx::mm(sq, sq);
  fx::mm_out(sq, sq, sq);  // out aliases the inputs
  EXPECT_TRUE(tensors_close(sq, sq_ref));
  Tensor wrong = fx::empty({2, 2});
  EXPECT_FX_ERROR(fx::mm_out(wrong, a, b), "only an empty out tensor is resized");
  Tensor wrong_dt = fx::empty({3, 5}, f64());
  EXPECT_FX_ERROR(fx::mm_out(wrong_dt, a, b), "expected out to have dtype float32");
  Tensor bcast = fx::zeros({1, 5}).expand({3, 5});
  EXPECT_FX_ERROR(fx::mm_out(bcast, a, b), "stride 0");
  Tensor ag = a.detach().requires_grad_(true);
  Tensor o2 = fx::empty({3, 5});
  EXPECT_FX_ERROR(fx::mm_out(o2, ag, b), "don't support automatic differentiation");
}

// ---- errors ------------------------------------------------------------------------------------

TEST(Linalg, ErrorsNameOpsAndShapes) {
  Tensor m23 = randn({2, 3}), m45 = randn({4, 5}), v3 = randn({3}), v4 = randn({4});
  EXPECT_FX_ERROR(fx::mm(m23, m45), "mm: shapes cannot be multiplied: [2, 3] @ [4, 5]");
  EXPECT_FX_ERROR(fx::mm(randn({2, 2, 3}), m45), "mm: expected 2-D tensors");
  EXPECT_FX_ERROR(fx::matmul(m23, m45), "matmul: shapes cannot be multiplied: [2, 3] @ [4, 5]");
  EXPECT_FX_ERROR(fx::matmul(fx::scalar_tensor(1.0f), v3), "at least 1-D");
  EXPECT_FX_ERROR(fx::matmul(randn({2, 2, 3}), randn({3, 3, 2})), "batch dimensions are not broadcastable");
  EXPECT_FX_ERROR(fx::bmm(randn({2, 2, 3}), randn({3, 3, 4})), "bmm: batch sizes differ");
  EXPECT_FX_ERROR(fx::bmm(m23, m23), "bmm: expected 3-D tensors");
  EXPECT_FX_ERROR(fx::mv(m23, v4), "mv: shapes cannot be multiplied");
  EXPECT_FX_ERROR(fx::mv(v3, v3), "mv: expected a 2-D matrix and a 1-D vector");
  EXPECT_FX_ERROR(fx::dot(v3, v4), "dot: expected both vectors to have the same number of elements");
  EXPECT_FX_ERROR(fx::dot(m23, v3), "dot: expected 1-D tensors");
  EXPECT_FX_ERROR(fx::outer(m23, v3), "outer: expected 1-D tensors");
  EXPECT_FX_ERROR(fx::mm(m23, randn({3, 2}, fx::kFloat64)), "expected both to have the same dtype");
  EXPECT_FX_ERROR(fx::matmul(v3, v3.to(fx::kInt64)), "expected both to have the same dtype");
  EXPECT_FX_ERROR(
      fx::mm(fx::ones({2, 2}, fx::TensorOptions(fx::kBool)), fx::ones({2, 2}, fx::TensorOptions(fx::kBool))),
      "not implemented for dtype bool");
  EXPECT_FX_ERROR(fx::addmm(randn({2}), m23, randn({3, 3})), "addmm: self of sizes [2] cannot be broadcast");
  EXPECT_FX_ERROR(fx::addmm(randn({2, 3}, fx::kFloat64), m23, randn({3, 3})),
                  "addmm: expected self to have the same dtype");
  EXPECT_FX_ERROR(fx::baddbmm(randn({4, 2, 2}), randn({2, 2, 3}), randn({2, 3, 2})), "baddbmm: self of sizes");
  EXPECT_FX_ERROR(fx::tensordot(m23, m45, {1}, {0}), "contracted dimensions need to match");
  EXPECT_FX_ERROR(fx::tensordot(m23, m45, {1}, {0, 1}), "same length");
  EXPECT_FX_ERROR(fx::tensordot(m23, m45, {2}, {0}), "out of range");
  EXPECT_FX_ERROR(fx::mm(Tensor(), m23), "undefined");
}

// ---- gradients ---------------------------------------------------------------------------------

namespace {
// Runs a gradient check; an fx::Error (the checks throw with details) becomes a test failure
// that keeps the SCOPED_TRACE context and lets the remaining checks run.
::testing::AssertionResult check_ok(const char* what, const std::function<bool()>& f) {
  try {
    if (f()) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << what << " returned false";
  } catch (const fx::Error& e) {
    return ::testing::AssertionFailure() << what << ": " << e.what();
  }
}

void check_all_grads(const std::function<Tensor(const TensorList&)>& f, const TensorList& inputs) {
  auto fl = [f](const TensorList& x) { return TensorList{f(x)}; };
  EXPECT_TRUE(check_ok("gradcheck", [&] { return fx::autograd::gradcheck(fl, inputs); }));
  EXPECT_TRUE(check_ok("gradgradcheck", [&] { return fx::autograd::gradgradcheck(fl, inputs); }));
  EXPECT_TRUE(check_ok("jvp_vjp_check", [&] { return fx::autograd::jvp_vjp_check(fl, inputs); }));
}
}  // namespace

TEST(LinalgGrad, MatmulAllRankCombinations) {
  const std::vector<std::pair<fx::Shape, fx::Shape>> cases = {
      {{3}, {3}},
      {{2, 3}, {3}},
      {{3}, {3, 2}},
      {{2, 3}, {3, 2}},
      {{2, 2, 3}, {3, 2}},
      {{2, 2, 3}, {3}},
      {{3}, {2, 3, 2}},
      {{2, 3}, {2, 3, 2}},
      {{2, 1, 2, 3}, {3, 3, 2}},
      {{2, 2, 3}, {2, 3, 2}},
      {{1, 2, 3}, {2, 3, 1}},
  };
  uint64_t seed = 10;
  for (auto& [sa, sb] : cases) {
    SCOPED_TRACE(::testing::Message() << sa << " @ " << sb);
    Tensor a = randn(sa, fx::kFloat64, seed++), b = randn(sb, fx::kFloat64, seed++);
    check_all_grads([](const TensorList& x) { return fx::matmul(x[0], x[1]); }, {a, b});
  }
}

TEST(LinalgGrad, MatmulBatchedGradientOfSmallOperandIsFolded) {
  // The weight gradient of [B, T, K] @ [K, N] equals the sum over batches of per-batch products.
  Tensor x = randn({3, 4, 5}, fx::kFloat64), w = randn({5, 2}, fx::kFloat64, 1).requires_grad_(true);
  Tensor g = randn({3, 4, 2}, fx::kFloat64, 2);
  fx::matmul(x, w).backward(g);
  Tensor expect = fx::zeros({5, 2}, f64());
  for (int64_t i = 0; i < 3; ++i) expect = expect + fx::mm(x[i].t(), g[i]);
  EXPECT_TRUE(tensors_close(w.grad(), expect, 1e-12, 1e-12));
}

TEST(LinalgGrad, MmBmmMvDotOuter) {
  Tensor m = randn({3, 4}, fx::kFloat64), n = randn({4, 2}, fx::kFloat64, 1);
  check_all_grads([](const TensorList& x) { return fx::mm(x[0], x[1]); }, {m, n});
  check_all_grads([](const TensorList& x) { return fx::mm(x[0].t(), x[1]); }, {randn({4, 3}, fx::kFloat64), n});
  Tensor b1 = randn({2, 3, 4}, fx::kFloat64), b2 = randn({2, 4, 2}, fx::kFloat64, 1);
  check_all_grads([](const TensorList& x) { return fx::bmm(x[0], x[1]); }, {b1, b2});
  Tensor v = randn({4}, fx::kFloat64, 2), w = randn({3}, fx::kFloat64, 3);
  check_all_grads([](const TensorList& x) { return fx::mv(x[0], x[1]); }, {m, v});
  check_all_grads([](const TensorList& x) { return fx::dot(x[0], x[1]); }, {v, randn({4}, fx::kFloat64, 4)});
  check_all_grads([](const TensorList& x) { return fx::outer(x[0], x[1]); }, {v, w});
  // One input without grad: only the other gets one.
  Tensor a = m.detach().requires_grad_(true);
  fx::mm(a, n).sum().backward();
  EXPECT_TRUE(tensors_close(a.grad(), fx::ones({3, 2}, f64()).mm(n.t())));
}

TEST(LinalgGrad, AddmmAddmvBaddbmm) {
  Tensor s = randn({3, 2}, fx::kFloat64), s1 = randn({2}, fx::kFloat64, 9);
  Tensor m1 = randn({3, 4}, fx::kFloat64, 1), m2 = randn({4, 2}, fx::kFloat64, 2);
  check_all_grads([](const TensorList& x) { return fx::addmm(x[0], x[1], x[2]); }, {s, m1, m2});
  check_all_grads([](const TensorList& x) { return fx::addmm(x[0], x[1], x[2], 0.5, -1.5); }, {s1, m1, m2});
  check_all_grads([](const TensorList& x) { return fx::addmm(x[0], x[1], x[2], 0, 2); }, {s, m1, m2});
  Tensor v = randn({4}, fx::kFloat64, 3), sv = randn({3}, fx::kFloat64, 4);
  check_all_grads([](const TensorList& x) { return fx::addmv(x[0], x[1], x[2], 2, 0.5); }, {sv, m1, v});
  Tensor sb = randn({1, 3, 2}, fx::kFloat64, 5), b1 = randn({2, 3, 4}, fx::kFloat64, 6),
         b2 = randn({2, 4, 2}, fx::kFloat64, 7);
  check_all_grads([](const TensorList& x) { return fx::baddbmm(x[0], x[1], x[2], -1, 3); }, {sb, b1, b2});
}

TEST(LinalgGrad, Tensordot) {
  Tensor a = randn({2, 3, 4}, fx::kFloat64), b = randn({4, 3, 2}, fx::kFloat64, 1);
  check_all_grads([](const TensorList& x) { return fx::tensordot(x[0], x[1], {1, 2}, {1, 0}); }, {a, b});
}

TEST(LinalgGrad, BackwardOfFloat32MatchesFloat64) {
  Tensor a = randn({5, 3}).requires_grad_(true), b = randn({3, 4}, fx::kFloat32, 1).requires_grad_(true);
  fx::matmul(a, b).sum().backward();
  EXPECT_EQ(a.grad().dtype(), fx::kFloat32);
  EXPECT_TRUE(tensors_close(a.grad(), fx::ones({5, 4}).mm(b.detach().t()), 1e-5, 1e-5));
  EXPECT_TRUE(tensors_close(b.grad(), a.detach().t().mm(fx::ones({5, 4})), 1e-5, 1e-5));
}

// A transposed (column-major) operand gets its gradient computed in its own layout, so Linear's
// weight gradient (operand weight.t()) comes out contiguous, with the same values.
TEST(LinalgGradLayout, ColumnMajorOperandsGetGradientsInTheirLayout) {
  using Op = std::function<fx::Tensor(const fx::Tensor&, const fx::Tensor&)>;
  const std::vector<std::pair<const char*, Op>> ops = {
      {"mm", [](const fx::Tensor& a, const fx::Tensor& b) { return fx::mm(a, b); }},
      {"matmul", [](const fx::Tensor& a, const fx::Tensor& b) { return fx::matmul(a, b); }},
      {"addmm", [](const fx::Tensor& a, const fx::Tensor& b) { return fx::addmm(fx::ones({b.size(1)}), a, b); }},
  };
  for (const auto& [name, op] : ops) {
    SCOPED_TRACE(name);
    auto w = fx::randn({5, 4}).requires_grad_(true);   // used as w.t(): [4, 5] column-major
    auto xt = fx::randn({4, 3}).requires_grad_(true);  // used as xt.t(): [3, 4] column-major
    auto g = fx::randn({3, 5});
    // autograd::grad returns the gradients as computed (no accumulation step that could copy).
    auto grads = fx::autograd::grad({op(xt.t(), w.t())}, {w, xt}, {g});
    EXPECT_TRUE(grads[0].is_contiguous());
    EXPECT_TRUE(grads[1].is_contiguous());
    EXPECT_TRUE(fxtest::tensors_close(grads[0], fx::mm(g.t(), xt.t()), 1e-5, 1e-5));  // (x^T g)^T
    EXPECT_TRUE(fxtest::tensors_close(grads[1], fx::mm(w.t(), g.t()), 1e-5, 1e-5));   // (g w)^T
  }
}
