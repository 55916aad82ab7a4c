// max / min / amax / amin / argmax / argmin: values, indices, NaN handling, errors, gradients.
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

Tensor i64s(std::initializer_list<int64_t> v) { return fx::tensor(v); }

TEST(ReduceMinMax, ValuesAndFirstIndexOnTies) {
  Tensor x = fx::tensor({{1.0f, 5.0f, 5.0f}, {7.0f, -2.0f, 7.0f}});
  EXPECT_EQ(x.max().item<float>(), 7.0f);
  EXPECT_EQ(x.min().item<float>(), -2.0f);
  auto [v, i] = x.max(1);
  EXPECT_TRUE(tensors_equal(v, fx::tensor({5.0f, 7.0f})));
  EXPECT_TRUE(tensors_equal(i, i64s({1, 0})));
  auto [vm, im] = x.min(0, true);
  EXPECT_TRUE(tensors_equal(vm, fx::tensor({{1.0f, -2.0f, 5.0f}})));
  EXPECT_TRUE(tensors_equal(im, fx::tensor({{int64_t{0}, int64_t{1}, int64_t{0}}})));
  EXPECT_TRUE(tensors_equal(x.amax({1}), fx::tensor({5.0f, 7.0f})));
  EXPECT_TRUE(tensors_equal(x.amin({0, 1}, true), fx::tensor({{-2.0f}})));
  EXPECT_TRUE(tensors_equal(x.argmax(), fx::scalar_tensor(int64_t{3}, fx::kInt64)));
  EXPECT_TRUE(tensors_equal(x.argmin(1), i64s({0, 1})));
  EXPECT_EQ(x.argmax(std::nullopt, true).sizes(), fx::Shape({1, 1}));
  // Row-major over the view: x.t() = [[1, 7], [5, -2], [5, 7]] -> the first 7 is element 1.
  EXPECT_TRUE(tensors_equal(x.t().argmax(), fx::scalar_tensor(int64_t{1}, fx::kInt64)));
  EXPECT_TRUE(tensors_equal(x.t().argmin(), fx::scalar_tensor(int64_t{3}, fx::kInt64)));
}

TEST(ReduceMinMax, IntegerAndBool) {
  Tensor x = fx::tensor({3, -7, 9, 9}).to(fx::kInt32);
  EXPECT_EQ(x.max().dtype(), fx::kInt32);
  EXPECT_EQ(x.max().item<int64_t>(), 9);
  EXPECT_EQ(std::get<1>(x.max(0)).item<int64_t>(), 2);
  EXPECT_EQ(x.amin().item<int64_t>(), -7);
  Tensor u = fx::tensor({200, 3, 255}).to(fx::kUInt8);
  EXPECT_EQ(u.max().item<int64_t>(), 255);
  EXPECT_EQ(u.argmin().item<int64_t>(), 1);
  Tensor b = fx::tensor({false, true, false});
  EXPECT_TRUE(b.max().item<bool>());
  EXPECT_FALSE(b.amin().item<bool>());
  EXPECT_FX_ERROR(b.argmax(), "bool");
}

TEST(ReduceMinMax, NanPropagatesAndWinsArgmax) {
  Tensor x = fx::tensor({{1.0f, NAN, 3.0f, NAN}, {2.0f, 5.0f, -1.0f, 0.0f}});
  EXPECT_TRUE(std::isnan(x.max().item<float>()));
  EXPECT_TRUE(std::isnan(x.min().item<float>()));
  EXPECT_TRUE(std::isnan(x.amax({1})[0].item<float>()));
  EXPECT_EQ(x.amax({1})[1].item<float>(), 5.0f);
  auto [v, i] = x.max(1);
  EXPECT_TRUE(std::isnan(v[0].item<float>()));
  EXPECT_TRUE(tensors_equal(i, i64s({1, 1})));
  EXPECT_TRUE(tensors_equal(x.argmin(1), i64s({1, 2})));
  EXPECT_EQ(x.argmax().item<int64_t>(), 1);
  Tensor ninf = fx::full({5}, -INFINITY);
  EXPECT_EQ(ninf.argmax().item<int64_t>(), 0);
  EXPECT_EQ(ninf.max().item<float>(), -INFINITY);
}

TEST(ReduceMinMax, EmptyErrorsAndZeroDim) {
  EXPECT_FX_ERROR(fx::zeros({0}).max(), "max(): Expected reduction dim to be specified");
  EXPECT_FX_ERROR(fx::zeros({0}).argmax(), "argmax()");
  EXPECT_FX_ERROR(fx::zeros({0, 3}).amax(), "amax()");
  EXPECT_FX_ERROR(fx::zeros({2, 0}).max(1), "Expected reduction dim 1 to have non-zero size");
  EXPECT_FX_ERROR(fx::zeros({2, 0}).amin({1}), "amin(): Expected reduction dim 1");
  EXPECT_FX_ERROR(fx::zeros({2, 3}).max(2), "out of range");
  EXPECT_EQ(std::get<0>(fx::zeros({0, 3}).max(1)).sizes(), fx::Shape({0}));
  EXPECT_EQ(fx::zeros({0, 3}).amax({1}).sizes(), fx::Shape({0}));
  Tensor z = fx::scalar_tensor(4.0);
  auto [v, i] = z.max(0);
  EXPECT_EQ(v.item<float>(), 4.0f);
  EXPECT_EQ(i.item<int64_t>(), 0);
  EXPECT_EQ(z.argmin(0).item<int64_t>(), 0);
}

TEST(ReduceMinMax, LargeAndStridedMatchContiguous) {
  Tensor x = fx::randn({300, 257});
  for (int64_t d : {0, 1}) {
    auto [v, i] = x.t().max(d);
    auto [vc, ic] = x.t().contiguous().max(d);
    EXPECT_TRUE(tensors_equal(v, vc));
    EXPECT_TRUE(tensors_equal(i, ic));
    EXPECT_TRUE(tensors_equal(x.t().argmin(d), x.t().contiguous().argmin(d)));
  }
  // Index semantics survive the tree: the max sits in the middle of a long row.
  Tensor row = fx::zeros({100000});
  row.index_put_({77777}, 1.0);
  row.index_put_({88888}, 1.0);
  EXPECT_EQ(row.argmax().item<int64_t>(), 77777);
  EXPECT_EQ(std::get<1>(row.view({1, -1}).max(1)).item<int64_t>(), 77777);
  EXPECT_EQ(std::get<1>(row.view({-1, 1}).max(0)).item<int64_t>(), 77777);
}

// ---- gradients ------------------------------------------------------------------------------------

TensorList T1(const Tensor& t) { return TensorList{t}; }

TEST(ReduceMinMaxGrad, TiesSplitEvenlyForAllReduce) {
  Tensor x = fx::tensor({1.0f, 3.0f, 3.0f, 2.0f}).requires_grad_();
  x.max().backward();
  EXPECT_TRUE(tensors_equal(x.grad(), fx::tensor({0.0f, 0.5f, 0.5f, 0.0f})));
  Tensor y = fx::tensor({{1.0f, 1.0f}, {4.0f, 0.0f}}).requires_grad_();
  y.amin({1}).sum().backward();
  EXPECT_TRUE(tensors_equal(y.grad(), fx::tensor({{0.5f, 0.5f}, {0.0f, 1.0f}})));
}

TEST(ReduceMinMaxGrad, DimVariantRoutesToIndex) {
  Tensor x = fx::tensor({{3.0f, 3.0f, 1.0f}, {0.0f, 2.0f, 2.0f}}).requires_grad_();
  std::get<0>(x.max(1)).backward(fx::tensor({1.0f, 2.0f}));
  EXPECT_TRUE(tensors_equal(x.grad(), fx::tensor({{1.0f, 0.0f, 0.0f}, {0.0f, 2.0f, 0.0f}})));
}

TEST(ReduceMinMaxGrad, Gradcheck) {
  // Distinct values (ties are not differentiable).
  Tensor x = (fx::randperm(24, fx::kFloat64) / 7.0).view({2, 3, 4});
  const std::vector<fx::autograd::CheckedFn> fns = {
      [](const TensorList& in) { return T1(in[0].max()); },
      [](const TensorList& in) { return T1(in[0].min()); },
      [](const TensorList& in) { return T1(std::get<0>(in[0].max(1))); },
      [](const TensorList& in) { return T1(std::get<0>(in[0].min(-1, true))); },
      [](const TensorList& in) {
        return T1(in[0].amax({0, 2}));
      },
      [](const TensorList& in) { return T1(in[0].amin({1}, true)); },
  };
  for (size_t k = 0; k < fns.size(); ++k) {
    EXPECT_TRUE(fx::autograd::gradcheck(fns[k], {x})) << k;
    EXPECT_TRUE(fx::autograd::gradgradcheck(fns[k], {x})) << k;
    EXPECT_TRUE(fx::autograd::jvp_vjp_check(fns[k], {x})) << k;
  }
  // With ties, forward and reverse mode still agree.
  Tensor tied = fx::tensor({{1.0, 2.0, 2.0}, {5.0, 5.0, 5.0}});
  EXPECT_TRUE(fx::autograd::jvp_vjp_check([](const TensorList& in) { return T1(in[0].amax({1})); }, {tied}));
  EXPECT_TRUE(fx::autograd::jvp_vjp_check([](const TensorList& in) { return T1(std::get<0>(in[0].min(1))); }, {tied}));
}

}  // namespace
