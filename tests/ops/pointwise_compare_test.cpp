// Comparisons, logical ops, predicates and isclose/allclose/equal.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "fluxion/fluxion.h"
#include "support/test_util.h"

namespace fx = fluxion;
using fx::Tensor;
using fxtest::tensors_equal;

namespace {
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
}  // namespace

TEST(PointwiseCompare, ComparisonsPromoteAndHandleNan) {
  Tensor a = fx::tensor({1.0, kNan, 3.0, -kInf});
  Tensor b = fx::tensor({1.0, kNan, 2.0, -kInf});
  EXPECT_TRUE(tensors_equal(a == b, fx::tensor({true, false, false, true})));
  EXPECT_TRUE(tensors_equal(a != b, fx::tensor({false, true, true, false})));
  EXPECT_TRUE(tensors_equal(a < b, fx::tensor({false, false, false, false})));
  EXPECT_TRUE(tensors_equal(a >= b, fx::tensor({true, false, true, true})));
  // int vs float compares in float; int vs float number too.
  Tensor i = fx::tensor({1, 2, 3});
  EXPECT_TRUE(tensors_equal(i == fx::tensor({1.0f, 2.5f, 3.0f}), fx::tensor({true, false, true})));
  EXPECT_TRUE(tensors_equal(i < 1.5, fx::tensor({true, false, false})));
  EXPECT_TRUE(tensors_equal(i.gt(2), fx::tensor({false, false, true})));
  EXPECT_TRUE(tensors_equal(fx::tensor({250}, fx::kUInt8) > fx::tensor({-1}, fx::kInt8), fx::tensor({true})));
  // Broadcasting, 0-d tensors, empty.
  Tensor m = fx::arange(6).view({2, 3}) > fx::tensor({0, 3, 5});
  EXPECT_TRUE(tensors_equal(m, fx::tensor({false, false, false, true, true, false}).view({2, 3})));
  EXPECT_TRUE(tensors_equal(i == fx::scalar_tensor(2.0, fx::kFloat64), fx::tensor({false, true, false})));
  EXPECT_EQ((fx::empty({0, 2}) < 1).sizes(), fx::Shape({0, 2}));
  EXPECT_TRUE(
      tensors_equal(fx::tensor({1.0f}, fx::kFloat16).le(fx::tensor({1.0f}, fx::kBFloat16)), fx::tensor({true})));
}

TEST(PointwiseCompare, LogicalAndPredicates) {
  Tensor a = fx::tensor({0.0, 2.0, kNan, 0.0}), b = fx::tensor({1, 0, 0, 0});
  EXPECT_TRUE(tensors_equal(fx::logical_and(a, b), fx::tensor({false, false, false, false})));
  EXPECT_TRUE(tensors_equal(fx::logical_or(a, b), fx::tensor({true, true, true, false})));
  EXPECT_TRUE(tensors_equal(fx::logical_xor(a, b), fx::tensor({true, true, true, false})));
  EXPECT_TRUE(tensors_equal(fx::logical_not(a), fx::tensor({true, false, false, true})));
  Tensor x = fx::tensor({1.0, kNan, kInf, -kInf, -0.0});
  EXPECT_TRUE(tensors_equal(x.isnan(), fx::tensor({false, true, false, false, false})));
  EXPECT_TRUE(tensors_equal(x.isinf(), fx::tensor({false, false, true, true, false})));
  EXPECT_TRUE(tensors_equal(x.isfinite(), fx::tensor({true, false, false, false, true})));
  EXPECT_TRUE(tensors_equal(x.to(fx::kBFloat16).isnan(), x.isnan()));
  EXPECT_TRUE(tensors_equal(fx::tensor({1, 2}).isnan(), fx::tensor({false, false})));
  EXPECT_TRUE(tensors_equal(fx::tensor({1, 2}).isfinite(), fx::tensor({true, true})));
  EXPECT_TRUE(tensors_equal(x.t().isnan(), x.isnan()));
}

TEST(PointwiseCompare, IsCloseAllCloseEqual) {
  Tensor a = fx::tensor({1.0, 100.0, kNan, kInf, 1e-9});
  Tensor b = fx::tensor({1.0 + 1e-6, 100.001, kNan, kInf, 0.0});
  EXPECT_TRUE(tensors_equal(fx::isclose(a, b), fx::tensor({true, true, false, true, true})));
  EXPECT_TRUE(tensors_equal(fx::isclose(a, b, 1e-5, 1e-8, true), fx::tensor({true, true, true, true, true})));
  EXPECT_TRUE(tensors_equal(fx::isclose(a, b, 0, 0), fx::tensor({false, false, false, true, false})));
  EXPECT_FALSE(fx::allclose(a, b));
  EXPECT_TRUE(fx::allclose(a, b, 1e-5, 1e-8, true));
  EXPECT_TRUE(a.allclose(a, 0, 0, true));
  EXPECT_FX_ERROR(fx::isclose(a, a.to(fx::kFloat32)), "same dtype");
  EXPECT_FX_ERROR(fx::isclose(a, a, -1), "rtol");
  EXPECT_TRUE(tensors_equal(fx::isclose(fx::tensor({1, 2}), fx::tensor({1, 3})), fx::tensor({true, false})));
  // equal: sizes and values; NaN is never equal; dtypes promote.
  EXPECT_TRUE(fx::equal(fx::tensor({1, 2}), fx::tensor({1.0, 2.0})));
  EXPECT_FALSE(fx::equal(fx::tensor({1, 2}), fx::tensor({1, 2, 3})));
  EXPECT_FALSE(fx::equal(fx::tensor({1.0, kNan}), fx::tensor({1.0, kNan})));
  EXPECT_TRUE(fx::arange(6).view({2, 3}).t().equal(fx::arange(6).view({2, 3}).t().contiguous()));
  EXPECT_FALSE(fx::equal(fx::ones({2, 3}), fx::ones({3, 2})));
  EXPECT_TRUE(fx::equal(fx::empty({0}), fx::empty({0})));
}
