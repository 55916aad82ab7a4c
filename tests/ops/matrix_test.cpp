// diag, diag_embed, trace, cross, kron: values (checked against PyTorch's definitions by hand),
// derivatives (gradcheck, gradgradcheck, forward vs reverse) and bad-input errors.
#include <gtest/gtest.h>

#include "fluxion/fluxion.h"
#include "fluxion/ops/matrix.h"
#include "support/test_util.h"

namespace fx = fluxion;
using fx::Tensor;
using fx::TensorList;
using fxtest::tensors_equal;

namespace {
Tensor f64(std::initializer_list<double> v) { return fx::tensor(v, fx::kFloat64); }
}  // namespace

TEST(Matrix, DiagBuildsAndExtracts) {
  Tensor v = f64({1, 2, 3});
  EXPECT_TRUE(tensors_equal(fx::diag(v), f64({1, 0, 0, 0, 2, 0, 0, 0, 3}).reshape({3, 3})));
  EXPECT_TRUE(tensors_equal(fx::diag(f64({1, 2}), 1), f64({0, 1, 0, 0, 0, 2, 0, 0, 0}).reshape({3, 3})));
  EXPECT_TRUE(tensors_equal(fx::diag(f64({1, 2}), -1), f64({0, 0, 0, 1, 0, 0, 0, 2, 0}).reshape({3, 3})));
  Tensor m = fx::arange(12, fx::kFloat64).reshape({3, 4});
  EXPECT_TRUE(tensors_equal(fx::diag(m), f64({0, 5, 10})));
  EXPECT_TRUE(tensors_equal(fx::diag(m, 1), f64({1, 6, 11})));
  EXPECT_TRUE(tensors_equal(fx::diag(m, -2), f64({8})));
  EXPECT_TRUE(tensors_equal(fx::diag(m.t()), f64({0, 5, 10})));  // non-contiguous input
  EXPECT_THROW(fx::diag(fx::zeros({2, 2, 2})), fx::Error);
}

TEST(Matrix, DiagEmbedPlacesTheLastDimOnTheChosenDims) {
  Tensor x = fx::arange(1, 7, 1, fx::kFloat64).reshape({2, 3});
  Tensor y = fx::diag_embed(x);
  ASSERT_EQ(y.sizes(), fx::Shape({2, 3, 3}));
  for (int64_t b = 0; b < 2; ++b) EXPECT_TRUE(tensors_equal(y[b], fx::diag(x[b])));
  Tensor z = fx::diag_embed(x, 1, 0, 2);  // matrices span output dims 0 and 2
  ASSERT_EQ(z.sizes(), fx::Shape({4, 2, 4}));
  for (int64_t b = 0; b < 2; ++b) EXPECT_TRUE(tensors_equal(z.select(1, b), fx::diag(x[b], 1)));
  EXPECT_THROW(fx::diag_embed(x, 0, 1, 1), fx::Error);
  EXPECT_THROW(fx::diag_embed(x, 0, 0, 5), fx::Error);
}

TEST(Matrix, TraceCrossKron) {
  EXPECT_DOUBLE_EQ(fx::trace(fx::arange(9, fx::kFloat64).reshape({3, 3})).item<double>(), 12.0);
  EXPECT_THROW(fx::trace(f64({1, 2})), fx::Error);
  EXPECT_TRUE(tensors_equal(fx::cross(f64({1, 0, 0}), f64({0, 1, 0})), f64({0, 0, 1})));
  EXPECT_TRUE(tensors_equal(fx::cross(f64({1, 2, 3}), f64({4, 5, 6})), f64({-3, 6, -3})));
  // Along dim 0 with broadcasting of the other dim.
  Tensor a = f64({1, 2, 3}).reshape({3, 1}).expand({3, 2}), b = f64({4, 5, 6, 0, 1, 0}).reshape({2, 3}).t();
  EXPECT_TRUE(tensors_equal(fx::cross(a, b, 0), f64({-3, -3, 6, 0, -3, 1}).reshape({3, 2})));
  EXPECT_THROW(fx::cross(f64({1, 2}), f64({3, 4})), fx::Error);
  Tensor k = fx::kron(f64({1, 2, 3, 4}).reshape({2, 2}), f64({0, 1, 1, 0}).reshape({2, 2}));
  EXPECT_TRUE(tensors_equal(k, f64({0, 1, 0, 2, 1, 0, 2, 0, 0, 3, 0, 4, 3, 0, 4, 0}).reshape({4, 4})));
  EXPECT_EQ(fx::kron(fx::ones({2}), fx::ones({3, 4})).sizes(), fx::Shape({3, 8}));
}

TEST(Matrix, Derivatives) {
  using Fn = fx::autograd::CheckedFn;
  const std::vector<std::pair<const char*, std::pair<Fn, TensorList>>> cases = {
      {"diag 1-d",
       {[](const TensorList& t) { return TensorList{fx::diag(t[0], -1)}; }, {fx::randn({3}, fx::kFloat64)}}},
      {"diag 2-d",
       {[](const TensorList& t) { return TensorList{fx::diag(t[0], 1)}; }, {fx::randn({3, 4}, fx::kFloat64)}}},
      {"diag_embed",
       {[](const TensorList& t) { return TensorList{fx::diag_embed(t[0], 1, 0, 2)}; },
        {fx::randn({2, 3}, fx::kFloat64)}}},
      {"trace", {[](const TensorList& t) { return TensorList{fx::trace(t[0])}; }, {fx::randn({3, 3}, fx::kFloat64)}}},
      {"cross",
       {[](const TensorList& t) { return TensorList{fx::cross(t[0], t[1])}; },
        {fx::randn({2, 3}, fx::kFloat64), fx::randn({2, 3}, fx::kFloat64)}}},
      {"kron",
       {[](const TensorList& t) { return TensorList{fx::kron(t[0], t[1])}; },
        {fx::randn({2, 3}, fx::kFloat64), fx::randn({2, 2}, fx::kFloat64)}}},
  };
  for (const auto& [name, c] : cases) {
    SCOPED_TRACE(name);
    TensorList in;
    for (const Tensor& t : c.second) in.push_back(t.detach().requires_grad_(true));
    EXPECT_TRUE(fx::autograd::gradcheck(c.first, in));
    EXPECT_TRUE(fx::autograd::gradgradcheck(c.first, in));
    EXPECT_TRUE(fx::autograd::jvp_vjp_check(c.first, in));
  }
}
