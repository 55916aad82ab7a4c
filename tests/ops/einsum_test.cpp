// einsum: PyTorch golden values for every supported form, views where PyTorch returns views,
// errors, and gradients through the composed ops.
#include <gtest/gtest.h>

#include <functional>

#include "fluxion/fluxion.h"
#include "support/golden.h"
#include "support/test_util.h"

namespace fx = fluxion;
using fx::Tensor;
using fx::TensorList;
using fxtest::tensors_close;
using fxtest::tensors_equal;

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

Tensor randn(const fx::Shape& s, fx::DType dt = fx::kFloat32, uint64_t seed = 0) {
  fx::Generator g(seed);
  return fx::randn(s, fx::TensorOptions(dt), &g);
}
}  // namespace

TEST(Einsum, GoldenAgainstPyTorch) {
  int n = 0;
  for (const auto& c : fxtest::load_golden("linalg.json")) {
    if (c.attrs.at("op") != "einsum") continue;
    SCOPED_TRACE(c.name);
    std::vector<Tensor> ops;
    for (const auto& k : c.attrs.at("inputs")) {
      const std::string key = k.get<std::string>();
      const auto& layouts = c.attrs.at("layouts");
      ops.push_back(layouts.contains(key) ? c.at(key).mT() : c.at(key));  // only "t" is used for einsum
    }
    Tensor out = fx::einsum(c.attrs.at("equation").get<std::string>(), ops);
    const Tensor& expect = c.at("out");
    if (expect.is_floating_point())
      EXPECT_TRUE(tensors_close(out, expect, 1e-6, 1e-6));
    else
      EXPECT_TRUE(tensors_equal(out, expect));
    ++n;
  }
  EXPECT_GE(n, 30);
}

TEST(Einsum, MatchesDirectOpsOnRandomData) {
  Tensor a = randn({3, 4}, fx::kFloat64), b = randn({4, 5}, fx::kFloat64, 1);
  EXPECT_TRUE(tensors_close(fx::einsum("ij,jk->ik", {a, b}), fx::mm(a, b), 1e-12, 1e-12));
  EXPECT_TRUE(tensors_close(fx::einsum("ij,jk->ki", {a, b}), fx::mm(a, b).t(), 1e-12, 1e-12));
  Tensor x = randn({2, 3, 4}, fx::kFloat64, 2), y = randn({2, 4, 5}, fx::kFloat64, 3);
  EXPECT_TRUE(tensors_close(fx::einsum("bij,bjk->bik", {x, y}), fx::bmm(x, y), 1e-12, 1e-12));
  Tensor sq = randn({4, 4}, fx::kFloat64, 4);
  EXPECT_NEAR(fx::einsum("ii->", {sq}).item<double>(), fx::diagonal(sq).sum().item<double>(), 1e-12);
  // Ellipsis broadcast equals matmul broadcasting.
  Tensor p = randn({5, 1, 2, 3}, fx::kFloat64, 5), q = randn({4, 3, 2}, fx::kFloat64, 6);
  EXPECT_TRUE(tensors_close(fx::einsum("...ij,...jk->...ik", {p, q}), fx::matmul(p, q), 1e-12, 1e-12));
}

TEST(Einsum, TransposeAndDiagonalAreViews) {
  Tensor a = randn({3, 4});
  Tensor t = fx::einsum("ij->ji", {a});
  EXPECT_EQ(t.impl()->storage(), a.impl()->storage());
  Tensor sq = randn({3, 3});
  Tensor d = fx::einsum("ii->i", {sq});
  EXPECT_EQ(d.impl()->storage(), sq.impl()->storage());
  EXPECT_TRUE(tensors_equal(d, fx::diagonal(sq)));
}

TEST(Einsum, Errors) {
  Tensor m = randn({2, 3}), n = randn({4, 4});
  EXPECT_FX_ERROR(fx::einsum("ij,jk->ik", {m, n}), "subscript j has size 4 for operand 1");
  EXPECT_FX_ERROR(fx::einsum("ij->ii", {n}), "output subscript i appears more than once");
  EXPECT_FX_ERROR(fx::einsum("ij->k", {n}), "output subscript k does not appear");
  EXPECT_FX_ERROR(fx::einsum("ij,jk->ik", {n}), "fewer operands were provided");
  EXPECT_FX_ERROR(fx::einsum("ij->ij", {n, n}), "more operands were provided");
  EXPECT_FX_ERROR(fx::einsum("ijk->i", {n}), "does not match the number of dimensions");
  EXPECT_FX_ERROR(fx::einsum("ii->i", {m}), "subscript i is repeated for operand 0 but the sizes don't match");
  EXPECT_FX_ERROR(fx::einsum("i1->i", {m}), "invalid subscript '1'");
  EXPECT_FX_ERROR(fx::einsum("i..j->ij", {m}), "ellipsis is written");
  EXPECT_FX_ERROR(fx::einsum("...i...->i", {m}), "more than one ellipsis");
  EXPECT_FX_ERROR(fx::einsum("ij,jk->ik", {m, randn({3, 2}, fx::kFloat64)}), "same dtype");
  EXPECT_FX_ERROR(fx::einsum("...ij,...jk->...ik", {randn({2, 2, 3}), randn({3, 3, 2})}), "do not broadcast");
  EXPECT_FX_ERROR(fx::einsum("ij", {}), "at least one operand");
}

TEST(Einsum, Gradients) {
  auto check = [](const std::string& eq, const TensorList& in) {
    SCOPED_TRACE(eq);
    auto f = [eq](const TensorList& x) { return TensorList{fx::einsum(eq, x)}; };
    EXPECT_TRUE(check_ok("gradcheck", [&] { return fx::autograd::gradcheck(f, in); }));
    EXPECT_TRUE(check_ok("gradgradcheck", [&] { return fx::autograd::gradgradcheck(f, in); }));
    EXPECT_TRUE(check_ok("jvp_vjp_check", [&] { return fx::autograd::jvp_vjp_check(f, in); }));
  };
  auto r = [](fx::Shape s, uint64_t seed) { return randn(s, fx::kFloat64, seed); };
  check("ij,jk->ik", {r({2, 3}, 1), r({3, 2}, 2)});
  check("bij,bjk->bik", {r({2, 2, 3}, 3), r({2, 3, 2}, 4)});
  check("ii->", {r({3, 3}, 5)});
  check("ii->i", {r({3, 3}, 6)});
  check("i,j->ij", {r({3}, 7), r({2}, 8)});
  check("bn,anm,bm->ba", {r({2, 3}, 9), r({2, 3, 2}, 10), r({2, 2}, 11)});
  check("...ij,...jk->...ik", {r({2, 1, 2, 3}, 12), r({2, 3, 2}, 13)});
  check("ij->", {r({2, 3}, 14)});
}
