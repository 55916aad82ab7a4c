// gather / scatter / scatter_add / scatter_reduce: in-place forms, 0-d and non-contiguous
// operands, threading, errors and gradients (all reductions).
#include <gtest/gtest.h>

#include <cmath>

#include "fluxion/fluxion.h"
#include "support/test_util.h"

namespace fx = fluxion;
using fx::Slice;
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

void check_grads(const fx::autograd::CheckedFn& f, const TensorList& inputs, bool second = true) {
  EXPECT_TRUE(fx::autograd::gradcheck(f, inputs));
  if (second) {
    EXPECT_TRUE(fx::autograd::gradgradcheck(f, inputs));
  }
  EXPECT_TRUE(fx::autograd::jvp_vjp_check(f, inputs));
}

TEST(Scatter, InPlaceFormsMatchOutOfPlace) {
  Tensor x = randn64({4, 5}, 1), src = randn64({2, 5}, 2);
  Tensor i = fx::tensor({{0L, 1L, 2L, 3L, 0L}, {1L, 2L, 3L, 0L, 3L}});
  Tensor a = x.clone();
  a.scatter_(0, i, src);
  EXPECT_TRUE(tensors_equal(a, fx::scatter(x, 0, i, src)));
  Tensor b = x.clone();
  b.scatter_add_(0, i, src);
  EXPECT_TRUE(tensors_equal(b, fx::scatter_add(x, 0, i, src)));
  Tensor c = x.clone();
  c.scatter_(0, i, 2.5);
  EXPECT_TRUE(tensors_equal(c, fx::scatter(x, 0, i, fx::Scalar(2.5))));
  EXPECT_EQ(c.index({1, 0}).item<double>(), 2.5);
  // Non-contiguous destination.
  Tensor base = x.clone();
  Tensor view = base.t();  // (5, 4)
  view.scatter_add_(1, i.t().contiguous(), src.t());
  EXPECT_TRUE(tensors_equal(base, fx::scatter_add(x, 0, i, src)));
}

TEST(Scatter, ZeroDimAndEmpty) {
  Tensor s = fx::scalar_tensor(2.0, f64());
  Tensor i0 = fx::scalar_tensor(0, fx::TensorOptions(fx::kInt64));
  EXPECT_EQ(fx::gather(s, 0, i0).dim(), 0);
  EXPECT_EQ(fx::scatter(s, 0, i0, fx::scalar_tensor(5.0, f64())).item<double>(), 5.0);
  EXPECT_EQ(fx::scatter_add(s, 0, i0, fx::scalar_tensor(5.0, f64())).item<double>(), 7.0);
  Tensor e = fx::zeros({0, 3}, fx::TensorOptions(fx::kInt64));
  Tensor x = randn64({2, 3}, 3);
  EXPECT_TRUE(tensors_equal(fx::scatter_add(x, 0, e, fx::zeros({0, 3}, f64())), x));
  EXPECT_EQ(fx::gather(x, 1, e).sizes(), (fx::Shape{0, 3}));
}

TEST(Scatter, ReduceMatchesReference) {
  // Column-wise reference built from per-element updates.
  Tensor x = fx::tensor({{1.0, 2.0}, {3.0, 4.0}});
  Tensor i = fx::tensor({{0L, 1L}, {0L, 1L}, {1L, 1L}});
  Tensor src = fx::tensor({{5.0, 6.0}, {7.0, 8.0}, {9.0, 10.0}});
  EXPECT_TRUE(tensors_equal(x.scatter_reduce(0, i, src, "sum"), fx::tensor({{13.0, 2.0}, {12.0, 28.0}})));
  EXPECT_TRUE(tensors_equal(x.scatter_reduce(0, i, src, "prod", false), fx::tensor({{35.0, 2.0}, {9.0, 480.0}})));
  EXPECT_TRUE(tensors_equal(x.scatter_reduce(0, i, src, "mean"), fx::tensor({{13.0 / 3, 2.0}, {6.0, 7.0}})));
  EXPECT_TRUE(tensors_equal(x.scatter_reduce(0, i, src, "amax", false), fx::tensor({{7.0, 2.0}, {9.0, 10.0}})));
  EXPECT_TRUE(tensors_equal(x.scatter_reduce(0, i, src, "amin"), fx::tensor({{1.0, 2.0}, {3.0, 4.0}})));
  // Integer mean floors, as PyTorch does.
  Tensor xi = fx::tensor({1L, 2L, 3L});
  EXPECT_TRUE(tensors_equal(xi.scatter_reduce(0, longs({0, 0, 0}), longs({4, 4, 5}), "mean"), longs({3, 2, 3})));
}

TEST(Scatter, LargeGatherAndScatterThreaded) {
  RestoreThreads restore;
  Tensor x = randn64({400, 300}, 4);
  fx::Generator g(5);
  Tensor i = fx::randint(0, 400, {600, 300}, fx::TensorOptions(fx::kInt64), &g);
  Tensor src = randn64({600, 300}, 6);
  fx::set_num_threads(1);
  Tensor g1 = fx::gather(x, 0, i), s1 = fx::scatter_add(x, 0, i, src), m1 = x.scatter_reduce(0, i, src, "amax");
  fx::set_num_threads(2);
  EXPECT_TRUE(tensors_equal(fx::gather(x, 0, i), g1));
  EXPECT_TRUE(tensors_close(fx::scatter_add(x, 0, i, src), s1, 1e-12, 1e-12));
  EXPECT_TRUE(tensors_equal(x.scatter_reduce(0, i, src, "amax"), m1));
  EXPECT_EQ(g1.index({7, 9}).item<double>(), x.index({i.index({7, 9}).item<int64_t>(), 9}).item<double>());
}

TEST(ScatterErrors, Messages) {
  Tensor x = fx::zeros({2, 3});
  EXPECT_FX_ERROR(fx::gather(x, 0, fx::tensor({{5L}})), "gather: index 5 is out of bounds for dimension 0 with size 2");
  EXPECT_FX_ERROR(fx::gather(x, 0, fx::tensor({{-1L}})), "gather: index -1 is out of bounds");
  EXPECT_FX_ERROR(fx::gather(x, 0, longs({0})), "same number of dimensions");
  EXPECT_FX_ERROR(fx::gather(x, 0, fx::tensor({{0L, 0L, 0L, 0L}})),
                  "expected index [1, 4] to be no larger than self [2, 3] apart from dimension 0");
  EXPECT_FX_ERROR(fx::gather(x, 0, fx::zeros({1, 1})), "expected dtype int32 or int64");
  EXPECT_FX_ERROR(fx::gather(x, 2, fx::tensor({{0L}})), "dimension 2 out of range");
  EXPECT_FX_ERROR(fx::scatter_add(x, 0, fx::tensor({{2L}}), x), "scatter_add: index 2 is out of bounds");
  EXPECT_FX_ERROR(fx::scatter(x, 0, fx::tensor({{0L}}), fx::zeros({2, 3}, f64())),
                  "expected self.dtype to be equal to src.dtype");
  EXPECT_FX_ERROR(fx::scatter(x, 0, fx::tensor({{0L, 0L}}), fx::zeros({1, 1})), "to be no larger than src [1, 1]");
  EXPECT_FX_ERROR(x.scatter_reduce(0, fx::tensor({{0L}}), x, "max"), "reduce argument must be one of");
  Tensor y = fx::zeros({3});
  EXPECT_FX_ERROR(y.scatter_(0, longs({0, 3}), 1.0), "scatter_: index 3 is out of bounds");
  EXPECT_EQ(y.sum().item<float>(), 0.0f);
}

TEST(ScatterGrad, GatherScatterScatterAdd) {
  Tensor x = randn64({4, 5}, 7), src = randn64({3, 6}, 8);
  Tensor gi = fx::tensor({{0L, 3L, 3L}, {2L, 1L, 0L}});
  // scatter: unique positions per column (duplicates make the result order-dependent).
  Tensor si = fx::tensor({{0L, 1L, 2L, 3L, 0L}, {3L, 2L, 1L, 0L, 2L}});
  Tensor ai = fx::tensor({{0L, 0L, 4L}, {4L, 4L, 1L}, {2L, 2L, 2L}});
  check_grads([&](const TensorList& t) { return TensorList{fx::gather(t[0], 1, gi)}; }, {x});
  check_grads([&](const TensorList& t) { return TensorList{fx::gather(t[0], 0, gi.t().contiguous())}; }, {x});
  check_grads([&](const TensorList& t) { return TensorList{fx::scatter(t[0], 0, si, t[1])}; }, {x, src});
  check_grads([&](const TensorList& t) { return TensorList{fx::scatter(t[0], 0, si, fx::Scalar(1.5))}; }, {x});
  check_grads([&](const TensorList& t) { return TensorList{fx::scatter_add(t[0], 1, ai, t[1])}; }, {x, src});
}

TEST(ScatterGrad, ScatterReduceAllModes) {
  // Distinct values (no ties for amax/amin), away from zero (prod).
  Tensor x = fx::arange(1, 13, 1, f64()).view({4, 3}) / 7.0 + 0.25;
  Tensor src = fx::arange(1, 16, 1, f64()).view({5, 3}).flip({0}) / 5.0 + 0.1;
  Tensor i = fx::tensor({{0L, 1L, 0L}, {0L, 1L, 2L}, {3L, 3L, 3L}, {0L, 2L, 2L}, {1L, 0L, 0L}});
  for (const char* red : {"sum", "mean", "amax", "amin", "prod"}) {
    for (bool inc : {true, false}) {
      SCOPED_TRACE(std::string(red) + (inc ? " include_self" : " exclude_self"));
      bool second = std::string(red) == "sum" || std::string(red) == "mean" || std::string(red) == "prod";
      check_grads([&](const TensorList& t) { return TensorList{t[0].scatter_reduce(0, i, t[1], red, inc)}; }, {x, src},
                  second);
    }
  }
}

TEST(ScatterGrad, ReduceTiesAndZerosFollowPyTorch) {
  // amax tie: x[0] == 2 == src[0] -> the gradient is shared evenly.
  Tensor x = fx::tensor({2.0, 1.0}, f64()).requires_grad_();
  Tensor src = fx::tensor({2.0, 0.5}, f64()).requires_grad_();
  x.scatter_reduce(0, longs({0, 1}), src, "amax").sum().backward();
  EXPECT_TRUE(tensors_equal(x.grad(), fx::tensor({0.5, 1.0}, f64())));
  EXPECT_TRUE(tensors_equal(src.grad(), fx::tensor({0.5, 0.0}, f64())));
  // prod with one zero: d/dzero = product of the others.
  Tensor y = fx::tensor({3.0}, f64()).requires_grad_();
  Tensor s2 = fx::tensor({0.0, 5.0}, f64()).requires_grad_();
  y.scatter_reduce(0, longs({0, 0}), s2, "prod").sum().backward();
  EXPECT_TRUE(tensors_equal(y.grad(), fx::tensor({0.0}, f64())));
  EXPECT_TRUE(tensors_equal(s2.grad(), fx::tensor({15.0, 0.0}, f64())));
}

}  // namespace
