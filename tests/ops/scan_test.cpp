// cumsum / cumprod: values, dtypes, layouts, and gradients (including cumprod through zeros).
#include <gtest/gtest.h>

#include <cmath>

#include "fluxion/fluxion.h"
#include "support/test_util.h"

namespace fx = fluxion;
using fx::Tensor;
using fx::TensorList;
using fxtest::tensors_close;
using fxtest::tensors_equal;

namespace {

TensorList T1(const Tensor& t) { return TensorList{t}; }

TEST(Scan, CumsumCumprodValues) {
  Tensor x = fx::tensor({{1.0f, 2.0f, 3.0f}, {4.0f, 5.0f, 6.0f}});
  EXPECT_TRUE(tensors_equal(x.cumsum(1), fx::tensor({{1.0f, 3.0f, 6.0f}, {4.0f, 9.0f, 15.0f}})));
  EXPECT_TRUE(tensors_equal(x.cumsum(0), fx::tensor({{1.0f, 2.0f, 3.0f}, {5.0f, 7.0f, 9.0f}})));
  EXPECT_TRUE(tensors_equal(x.cumprod(-1), fx::tensor({{1.0f, 2.0f, 6.0f}, {4.0f, 20.0f, 120.0f}})));
  EXPECT_TRUE(tensors_equal(x.t().cumsum(1), x.t().contiguous().cumsum(1)));
  EXPECT_TRUE(tensors_equal(x.slice(1, 0, std::nullopt, 2).cumprod(1), fx::tensor({{1.0f, 3.0f}, {4.0f, 24.0f}})));
  EXPECT_EQ(fx::scalar_tensor(2.0).cumsum(0).item<double>(), 2.0);
  EXPECT_EQ(fx::zeros({0, 2}).cumprod(0).sizes(), fx::Shape({0, 2}));
  EXPECT_FX_ERROR(x.cumsum(2), "cumsum");
  EXPECT_FX_ERROR(x.cumprod(-3), "out of range");
}

TEST(Scan, Dtypes) {
  Tensor i8 = fx::full({100}, 100, fx::TensorOptions(fx::kInt8));
  Tensor c = i8.cumsum(0);
  EXPECT_EQ(c.dtype(), fx::kInt64);
  EXPECT_EQ(c[99].item<int64_t>(), 10000);
  EXPECT_EQ(fx::tensor({true, true, false}).cumsum(0).dtype(), fx::kInt64);
  EXPECT_EQ(fx::tensor({2, 3}).to(fx::kInt32).cumprod(0).dtype(), fx::kInt64);
  EXPECT_EQ(fx::tensor({1.5f, 2.5f}).cumsum(0, fx::kFloat64).dtype(), fx::kFloat64);
  EXPECT_EQ(fx::tensor({1, 2}).cumsum(0, fx::kInt32).dtype(), fx::kInt32);
  // Running value kept in double: 1e8 + many ones does not stall as a float running sum would.
  Tensor ones = fx::ones({1000});
  ones.index_put_({0}, 1e8);
  EXPECT_EQ(ones.cumsum(0)[999].item<float>(), static_cast<float>(1e8 + 999));  // a float sum stays at 1e8
}

TEST(ScanGrad, Cumsum) {
  Tensor x = fx::randn({3, 4}, fx::kFloat64);
  for (int64_t d : {0, 1}) {
    auto f = [d](const TensorList& in) { return T1(in[0].cumsum(d)); };
    EXPECT_TRUE(fx::autograd::gradcheck(f, {x}));
    EXPECT_TRUE(fx::autograd::gradgradcheck(f, {x}));
    EXPECT_TRUE(fx::autograd::jvp_vjp_check(f, {x}));
  }
  // VJP is the reversed cumsum.
  Tensor v = fx::zeros({4}, fx::kFloat64).requires_grad_();
  v.cumsum(0).backward(fx::tensor({1.0, 2.0, 3.0, 4.0}));
  EXPECT_TRUE(tensors_equal(v.grad(), fx::tensor({10.0, 9.0, 7.0, 4.0})));
}

TEST(ScanGrad, CumprodThroughZeros) {
  Tensor nz = fx::rand({3, 5}, fx::kFloat64) + 0.5;
  Tensor one = nz.clone();
  one.index_put_({0, 2}, 0.0);
  Tensor two = one.clone();
  two.index_put_({0, 4}, 0.0);
  two.index_put_({2, 0}, 0.0);
  two.index_put_({2, 1}, 0.0);
  for (const Tensor& x : {nz, one, two}) {
    for (int64_t d : {0, 1}) {
      auto f = [d](const TensorList& in) { return T1(in[0].cumprod(d)); };
      EXPECT_TRUE(fx::autograd::gradcheck(f, {x})) << d;
      EXPECT_TRUE(fx::autograd::gradgradcheck(f, {x})) << d;
      EXPECT_TRUE(fx::autograd::jvp_vjp_check(f, {x})) << d;
    }
  }
  // First-order values at a zero (the O(n) path, no graph): y = [2, 0, 0], dy/dx.
  Tensor x = fx::tensor({2.0, 0.0, 3.0}).requires_grad_();
  x.cumprod(0).backward(fx::tensor({1.0, 1.0, 1.0}));
  // d/dx0 = 1 + x1 + x1 x2 = 1; d/dx1 = x0 + x0 x2 = 8; d/dx2 = x0 x1 = 0.
  EXPECT_TRUE(tensors_equal(x.grad(), fx::tensor({1.0, 8.0, 0.0})));
}

}  // namespace
