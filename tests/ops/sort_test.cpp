// sort / argsort / topk / unique / searchsorted / bucketize: ordering rules (NaN largest,
// stability), non-contiguous and 0-d inputs, threading, errors and gradients.
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

// Restores the thread count a test changed (tests share one process).
struct RestoreThreads {
  int prev = fx::get_num_threads();
  ~RestoreThreads() { fx::set_num_threads(prev); }
};

fx::TensorOptions f64() { return fx::TensorOptions(fx::kFloat64); }
Tensor randn64(const fx::Shape& s, uint64_t seed) {
  fx::Generator g(seed);
  return fx::randn(s, f64(), &g);
}
Tensor longs(std::initializer_list<int64_t> v) { return fx::tensor(v, fx::TensorOptions(fx::kInt64)); }

void check_grads(const fx::autograd::CheckedFn& f, const TensorList& inputs) {
  EXPECT_TRUE(fx::autograd::gradcheck(f, inputs));
  EXPECT_TRUE(fx::autograd::gradgradcheck(f, inputs));
  EXPECT_TRUE(fx::autograd::jvp_vjp_check(f, inputs));
}

TEST(Sort, NanLargestAndStable) {
  const float nan = std::nanf("");
  Tensor x = fx::tensor({2.0f, nan, -1.0f, 2.0f, nan, 0.0f});
  auto [v, i] = x.sort(-1, false, true);
  EXPECT_TRUE(tensors_equal(i, longs({2, 5, 0, 3, 1, 4})));
  EXPECT_TRUE(std::isnan(v.index({5}).item<float>()));
  auto [vd, id] = x.sort(0, true, true);
  EXPECT_TRUE(tensors_equal(id, longs({1, 4, 0, 3, 5, 2})));
  EXPECT_TRUE(tensors_equal(fx::argsort(x, 0, true, true), id));
}

TEST(Sort, ZeroDimEmptyAndStrided) {
  auto [v, i] = fx::scalar_tensor(3.0f).sort();
  EXPECT_EQ(v.dim(), 0);
  EXPECT_EQ(i.item<int64_t>(), 0);
  auto [ve, ie] = fx::zeros({0, 3}).sort(0);
  EXPECT_EQ(ie.sizes(), (fx::Shape{0, 3}));
  Tensor x = randn64({5, 7}, 1);
  auto [a, ai] = x.t().sort(1);
  auto [b, bi] = x.t().contiguous().sort(1);
  EXPECT_TRUE(tensors_equal(a, b));
  EXPECT_TRUE(tensors_equal(ai, bi));
  EXPECT_TRUE(tensors_equal(x.t().gather(1, ai), a));
}

TEST(Sort, LargeThreadedAndTopk) {
  RestoreThreads restore;
  Tensor x = randn64({2000, 64}, 2);
  fx::set_num_threads(1);
  auto [v1, i1] = x.sort(1, true);
  auto [t1, ti1] = x.topk(5, 0);
  fx::set_num_threads(2);
  auto [v2, i2] = x.sort(1, true);
  auto [t2, ti2] = x.topk(5, 0);
  EXPECT_TRUE(tensors_equal(v1, v2));
  EXPECT_TRUE(tensors_equal(i1, i2));
  EXPECT_TRUE(tensors_equal(t1, t2));
  EXPECT_TRUE(tensors_equal(ti1, ti2));
  // topk along dim 0 equals the leading rows of a descending sort along dim 0.
  auto [sd, si] = x.sort(0, true);
  EXPECT_TRUE(tensors_equal(t2, sd.narrow(0, 0, 5)));
  EXPECT_TRUE(tensors_equal(ti2, si.narrow(0, 0, 5)));
  auto [small, small_i] = x.topk(3, 1, false);
  auto [sa, sai] = x.sort(1);
  EXPECT_TRUE(tensors_equal(small, sa.narrow(1, 0, 3)));
}

TEST(Unique, InverseCountsAndDims) {
  Tensor x = fx::tensor({{3, 1}, {3, 0}});
  auto [u, inv, cnt] = fx::unique(x, true, true, true);
  EXPECT_TRUE(tensors_equal(u, fx::tensor({0, 1, 3})));
  EXPECT_TRUE(tensors_equal(inv, fx::tensor({{2L, 1L}, {2L, 0L}})));
  EXPECT_TRUE(tensors_equal(cnt, longs({1, 1, 2})));
  auto [u2, inv2, cnt2] = fx::unique(x);
  EXPECT_FALSE(inv2.defined());
  EXPECT_FALSE(cnt2.defined());
  Tensor rows = fx::tensor({{1, 2}, {0, 5}, {1, 2}});
  auto [ur, ir, cr] = fx::unique(rows, true, true, true, 0);
  EXPECT_TRUE(tensors_equal(ur, fx::tensor({{0, 5}, {1, 2}})));
  EXPECT_TRUE(tensors_equal(ir, longs({1, 0, 1})));
  EXPECT_TRUE(tensors_equal(cr, longs({1, 2})));
  auto [uc, ic, cc] = fx::unique(rows.t(), true, true, true, 1);
  EXPECT_TRUE(tensors_equal(uc, fx::tensor({{0, 1}, {5, 2}})));
  auto [us, is, cs] = fx::unique(fx::scalar_tensor(2.0f), true, true, true);
  EXPECT_EQ(us.sizes(), (fx::Shape{1}));
  EXPECT_EQ(is.dim(), 0);
  EXPECT_EQ(cs.item<int64_t>(), 1);
}

TEST(Searchsorted, SidesDtypesAndBatches) {
  Tensor b = fx::tensor({1.0, 2.0, 2.0, 4.0});
  Tensor v = fx::tensor({2.0, 0.0, 5.0, std::nan("")});
  EXPECT_TRUE(tensors_equal(fx::searchsorted(b, v), longs({1, 0, 4, 4})));
  EXPECT_TRUE(tensors_equal(fx::searchsorted(b, v, false, true), longs({3, 0, 4, 4})));
  EXPECT_EQ(fx::searchsorted(b, v, true).dtype(), fx::kInt32);
  EXPECT_TRUE(tensors_equal(fx::bucketize(fx::tensor({{2.0}, {3.0}}), b), fx::tensor({{1L}, {3L}})));
  EXPECT_EQ(fx::bucketize(fx::scalar_tensor(3.0, f64()), b).dim(), 0);
  Tensor seq = fx::tensor({{1, 3, 5}, {2, 4, 6}});
  EXPECT_TRUE(tensors_equal(fx::searchsorted(seq, fx::tensor({{3}, {3}})), fx::tensor({{1L}, {1L}})));
}

TEST(SortErrors, Messages) {
  Tensor x = fx::zeros({2, 3});
  EXPECT_FX_ERROR(x.topk(4), "topk: k (4) is out of range for dimension 1 with size 3");
  EXPECT_FX_ERROR(x.topk(-1), "topk: k (-1) is out of range");
  EXPECT_FX_ERROR(x.sort(2), "dimension 2 out of range");
  EXPECT_FX_ERROR(fx::bucketize(x, fx::zeros({2, 2})),
                  "bucketize: boundaries tensor must be 1 dimension, but got dim(2)");
  EXPECT_FX_ERROR(fx::searchsorted(fx::zeros({2, 3}), fx::zeros({3, 3})),
                  "first N-1 dimensions of boundaries tensor and input value tensor must match");
  EXPECT_FX_ERROR(fx::searchsorted(fx::tensor({false, true}), fx::tensor({true})), "not implemented for bool");
  EXPECT_FX_ERROR(fx::unique(x, true, false, false, 3), "dimension 3 out of range");
}

TEST(SortGrad, SortTopk) {
  Tensor x = randn64({3, 5}, 3);
  check_grads([](const TensorList& t) { return TensorList{std::get<0>(t[0].sort(1))}; }, {x});
  check_grads([](const TensorList& t) { return TensorList{std::get<0>(t[0].sort(0, true))}; }, {x});
  check_grads([](const TensorList& t) { return TensorList{std::get<0>(t[0].topk(2, 1))}; }, {x});
  check_grads([](const TensorList& t) { return TensorList{std::get<0>(t[0].t().topk(2, 1, false))}; }, {x});
  // The gradient lands on the selected positions.
  Tensor y = fx::tensor({1.0, 5.0, 3.0}, f64()).requires_grad_();
  std::get<0>(y.topk(1)).sum().backward();
  EXPECT_TRUE(tensors_equal(y.grad(), fx::tensor({0.0, 1.0, 0.0}, f64())));
}

}  // namespace
