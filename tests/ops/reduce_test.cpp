// sum / mean / prod / all / any / count_nonzero: semantics (dims, keepdim, dtypes, empty and 0-d
// inputs, layouts), numerics (long float sums, thread-count independence), errors and gradients.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "fluxion/fluxion.h"
#include "support/test_util.h"

namespace fx = fluxion;
using fx::Tensor;
using fx::TensorList;
using fxtest::tensors_close;
using fxtest::tensors_equal;

namespace {

// Restores the thread count when a test changes it.
struct ThreadGuard {
  int prev = fx::get_num_threads();
  ~ThreadGuard() { fx::set_num_threads(prev); }
};

Tensor arange_f(int64_t n, fx::DType dt = fx::kFloat32) { return fx::arange(n, fx::TensorOptions(dt)); }

// Reference sum over `dim` of a 2-d tensor, accumulated in double.
std::vector<double> ref_sum_2d(const Tensor& x, int64_t dim) {
  Tensor c = x.to(fx::kFloat64).contiguous();
  const double* p = c.data_ptr<double>();
  const int64_t R = x.size(0), C = x.size(1);
  std::vector<double> out(static_cast<size_t>(dim == 0 ? C : R), 0.0);
  for (int64_t r = 0; r < R; ++r)
    for (int64_t k = 0; k < C; ++k) out[static_cast<size_t>(dim == 0 ? k : r)] += p[r * C + k];
  return out;
}

Tensor from_vec(const std::vector<double>& v) { return fx::tensor(v); }

TEST(ReduceSum, ValuesDimsKeepdim) {
  Tensor x = arange_f(24).view({2, 3, 4});
  EXPECT_EQ(x.sum().item<float>(), 276.0f);
  EXPECT_EQ(x.sum().dim(), 0);
  EXPECT_TRUE(tensors_equal(x.sum({0}), (arange_f(12) * 2 + 12).view({3, 4})));
  EXPECT_TRUE(tensors_equal(x.sum({-1}), fx::tensor({6.0f, 22.0f, 38.0f, 54.0f, 70.0f, 86.0f}).view({2, 3})));
  EXPECT_EQ(x.sum({0, 2}, true).sizes(), fx::Shape({1, 3, 1}));
  EXPECT_TRUE(tensors_equal(x.sum({2, 0}), fx::tensor({60.0f, 92.0f, 124.0f})));
  EXPECT_TRUE(tensors_equal(x.sum({1}, true), x.sum({-2}).unsqueeze(1)));
  // An empty dim list reduces every dim (PyTorch's sum(dim=[])).
  EXPECT_EQ(x.sum(fx::DimList{}).item<float>(), 276.0f);
}

TEST(ReduceSum, ResultDtypes) {
  Tensor i8 = fx::full({300}, 100, fx::TensorOptions(fx::kInt8));
  Tensor s = i8.sum();
  EXPECT_EQ(s.dtype(), fx::kInt64);
  EXPECT_EQ(s.item<int64_t>(), 30000);  // no int8 overflow
  Tensor b = fx::tensor({true, false, true});
  EXPECT_EQ(b.sum().dtype(), fx::kInt64);
  EXPECT_EQ(b.sum().item<int64_t>(), 2);
  EXPECT_EQ(fx::ones({3}, fx::kFloat16).sum().dtype(), fx::kFloat16);
  EXPECT_EQ(fx::ones({3}, fx::kInt32).sum(fx::kFloat64).dtype(), fx::kFloat64);
  EXPECT_EQ(fx::full({2}, 1.75f).sum(fx::kInt32).item<int32_t>(), 2);  // converted first, as PyTorch
  EXPECT_EQ(fx::ones({2}, fx::kUInt8).prod().dtype(), fx::kInt64);
  // f16 accumulates in float: 2000 * 60 = 120000 overflows f16 but its mean does not.
  Tensor h = fx::full({2000}, 60.0, fx::TensorOptions(fx::kFloat16));
  EXPECT_EQ(h.mean().item<float>(), 60.0f);
  EXPECT_TRUE(std::isinf(h.sum().item<float>()));
}

TEST(ReduceSum, MeanNeedsFloat) {
  Tensor i = fx::tensor({1, 2});
  EXPECT_FX_ERROR(i.mean(), "mean");
  EXPECT_FX_ERROR(fx::tensor({true}).mean({0}), "bool");
  EXPECT_DOUBLE_EQ(i.mean(fx::kFloat64).item<double>(), 1.5);
  EXPECT_EQ(i.mean(fx::kFloat64).dtype(), fx::kFloat64);
}

TEST(ReduceSum, DimErrors) {
  Tensor x = fx::zeros({2, 3});
  EXPECT_FX_ERROR(x.sum({2}), "out of range");
  EXPECT_FX_ERROR(x.sum({-3}), "out of range");
  EXPECT_FX_ERROR(x.sum({0, -2}), "appears multiple times");
  EXPECT_FX_ERROR(x.mean({1, 1}), "mean");
  EXPECT_FX_ERROR(x.prod(5), "prod");
  EXPECT_FX_ERROR(fx::sum(Tensor()), "undefined");
}

TEST(ReduceSum, EmptyAndZeroDim) {
  Tensor e = fx::zeros({0, 3});
  EXPECT_EQ(e.sum().item<float>(), 0.0f);
  EXPECT_TRUE(std::isnan(e.mean().item<float>()));
  EXPECT_EQ(e.prod().item<float>(), 1.0f);
  EXPECT_TRUE(tensors_equal(e.sum({0}), fx::zeros({3})));
  EXPECT_EQ(e.sum({1}).sizes(), fx::Shape({0}));
  Tensor m = e.mean({0});
  EXPECT_TRUE(std::isnan(m[1].item<float>()));
  Tensor z = fx::scalar_tensor(2.5);
  EXPECT_EQ(z.sum().item<float>(), 2.5f);
  EXPECT_EQ(z.sum({0}).dim(), 0);
  EXPECT_EQ(z.sum({-1}, true).dim(), 0);
  EXPECT_EQ(z.prod(0).item<float>(), 2.5f);
  EXPECT_FX_ERROR(z.sum({1}), "out of range");
  EXPECT_TRUE(fx::zeros({0}).all().item<bool>());
  EXPECT_FALSE(fx::zeros({0}).any().item<bool>());
}

TEST(ReduceSum, NonContiguousLayouts) {
  Tensor base = fx::randn({37, 53});
  Tensor t = base.t();  // [53, 37], strides (1, 53)
  EXPECT_FALSE(t.is_contiguous());
  for (int64_t d : {0, 1}) {
    EXPECT_TRUE(tensors_close(t.sum({d}), t.contiguous().sum({d}), 1e-5, 1e-5)) << d;
    EXPECT_TRUE(tensors_close(t.amax({d}), t.contiguous().amax({d}))) << d;
  }
  Tensor sl = base.slice(1, 1, std::nullopt, 3);  // step-3 columns
  EXPECT_TRUE(tensors_close(sl.sum({0}), sl.contiguous().sum({0}), 1e-5, 1e-5));
  EXPECT_TRUE(tensors_close(sl.mean({1}, true), sl.contiguous().mean({1}, true), 1e-5, 1e-6));
  Tensor ex = fx::randn({1, 5}).expand({4, 5});
  EXPECT_TRUE(tensors_close(ex.sum({0}), ex.contiguous().sum({0})));
  EXPECT_TRUE(tensors_close(ex.sum(), ex.contiguous().sum(), 1e-5, 1e-5));
  Tensor p3 = fx::randn({4, 5, 6}).permute({2, 0, 1});
  EXPECT_TRUE(tensors_close(p3.sum({0, 2}), p3.contiguous().sum({0, 2}), 1e-5, 1e-5));
  EXPECT_TRUE(tensors_close(p3.sum({1}), p3.contiguous().sum({1}), 1e-5, 1e-5));
}

// Column mode (reduced dim outer, kept dim unit-stride) and row mode against a double reference,
// across widths that exercise the narrow adjacent-rows path, chunking and tails.
TEST(ReduceSum, ColumnAndRowModesMatchReference) {
  for (int64_t C : {2, 3, 7, 31, 100, 2049, 4100}) {
    const int64_t R = 4099 / C + 3;
    Tensor x = fx::randn({R, C});
    EXPECT_TRUE(tensors_close(x.sum({0}), from_vec(ref_sum_2d(x, 0)).to(fx::kFloat32), 1e-5, 1e-5)) << C;
    EXPECT_TRUE(tensors_close(x.sum({1}), from_vec(ref_sum_2d(x, 1)).to(fx::kFloat32), 1e-5, 1e-5)) << C;
    Tensor xd = x.to(fx::kFloat64);
    EXPECT_TRUE(tensors_close(xd.sum({0}), from_vec(ref_sum_2d(x, 0)), 1e-12, 1e-12)) << C;
  }
}

// Pairwise summation: 16M copies of 0.1f. A naive running float sum ends near 2.1e6 (25% off).
TEST(ReduceSum, LongFloatSumIsAccurate) {
  const int64_t n = int64_t{1} << 24;
  Tensor x = fx::full({n}, 0.1f);
  const double exact = static_cast<double>(n) * static_cast<double>(0.1f);
  const double got = x.sum().item<double>();
  EXPECT_LT(std::abs(got - exact) / exact, 1e-6);
  EXPECT_LT(std::abs(x.mean().item<double>() - 0.1f) / 0.1f, 1e-6);
  // Column mode over 1M rows as well.
  Tensor y = fx::full({int64_t{1} << 20, 4}, 0.1f);
  Tensor s = y.sum({0});
  for (int64_t k = 0; k < 4; ++k) EXPECT_LT(std::abs(s[k].item<double>() - exact / 16) / (exact / 16), 1e-6) << k;
}

// Results do not depend on the thread count (Note [Deterministic tree reduction]).
TEST(ReduceSum, ThreadCountIndependent) {
  ThreadGuard tg;
  Tensor big = fx::randn({1 << 20});
  Tensor wide = fx::randn({64, 8192});
  Tensor tall = fx::randn({200000, 3});
  auto results = [&] {
    return TensorList{big.sum(),           big.mean(),
                      wide.sum({0}),       wide.sum({1}),
                      wide.t().sum({0}),   tall.sum({0}),
                      tall.sum({1}),       wide.var(fx::DimList{0}),
                      wide.norm(),         big.amax(),
                      wide.logsumexp({1}), std::get<1>(wide.max(0)),
                      wide.prod(0),        fx::count_nonzero(tall)};
  };
  fx::set_num_threads(1);
  TensorList one = results();
  fx::set_num_threads(2);
  TensorList two = results();
  ASSERT_EQ(one.size(), two.size());
  for (size_t i = 0; i < one.size(); ++i) EXPECT_TRUE(tensors_equal(one[i], two[i])) << "result " << i;
}

TEST(ReduceSum, NanInfPropagate) {
  Tensor x = fx::tensor({1.0f, NAN, 2.0f});
  EXPECT_TRUE(std::isnan(x.sum().item<float>()));
  EXPECT_TRUE(std::isinf(fx::tensor({1.0f, INFINITY}).sum().item<float>()));
  EXPECT_TRUE(std::isnan(fx::tensor({-INFINITY, INFINITY}).sum().item<float>()));
  EXPECT_TRUE(std::isnan(fx::tensor({0.0f, INFINITY}).prod().item<float>()));
}

TEST(ReduceProd, Values) {
  Tensor x = fx::tensor({1.0f, 2.0f, 3.0f, 4.0f, 0.5f, -1.0f}).view({2, 3});
  EXPECT_FLOAT_EQ(x.prod().item<float>(), -12.0f);
  EXPECT_TRUE(tensors_equal(x.prod(0), fx::tensor({4.0f, 1.0f, -3.0f})));
  EXPECT_TRUE(tensors_equal(x.prod(-1, true), fx::tensor({6.0f, -2.0f}).view({2, 1})));
  EXPECT_EQ(fx::tensor({3, -2, 5}).prod().item<int64_t>(), -30);
  EXPECT_EQ(fx::tensor({true, true}).prod().item<int64_t>(), 1);
}

TEST(ReduceLogical, AllAnyCountNonzero) {
  Tensor x = fx::tensor({0.0f, 1.0f, NAN, 0.0f, 0.0f, 0.0f}).view({2, 3});
  EXPECT_FALSE(x.all().item<bool>());
  EXPECT_TRUE(x.any().item<bool>());
  EXPECT_TRUE(tensors_equal(x.any(1), fx::tensor({true, false})));
  EXPECT_TRUE(tensors_equal(x.all(0, true), fx::tensor({false, false, false}).view({1, 3})));
  EXPECT_TRUE(tensors_equal(fx::count_nonzero(x), fx::scalar_tensor(int64_t{2}, fx::kInt64)));
  EXPECT_TRUE(tensors_equal(x.count_nonzero(fx::DimList{0}), fx::tensor({int64_t{0}, int64_t{1}, int64_t{1}})));
  Tensor u = fx::tensor({1, 2, 0}).to(fx::kUInt8);
  EXPECT_EQ(u.all().dtype(), fx::kUInt8);  // as PyTorch
  EXPECT_EQ(u.any().item<int64_t>(), 1);
  EXPECT_EQ(fx::tensor({1, 2}).all().dtype(), fx::kBool);
  EXPECT_FX_ERROR(x.all(2), "out of range");
}

// ---- gradients ------------------------------------------------------------------------------------

TensorList T1(const Tensor& t) { return TensorList{t}; }

TEST(ReduceGrad, SumExpandsGradient) {
  Tensor x = fx::randn({2, 3}).requires_grad_();
  Tensor y = x.sum({1});
  y.backward(fx::tensor({1.0f, 2.0f}));
  EXPECT_TRUE(tensors_equal(x.grad(), fx::tensor({1.0f, 1.0f, 1.0f, 2.0f, 2.0f, 2.0f}).view({2, 3})));
  Tensor w = fx::randn({4}).requires_grad_();
  w.mean().backward();
  EXPECT_TRUE(tensors_close(w.grad(), fx::full({4}, 0.25f)));
}

TEST(ReduceGrad, GradcheckSumMean) {
  Tensor x = fx::randn({3, 4, 2}, fx::kFloat64);
  for (bool kd : {false, true}) {
    auto f = [kd](const TensorList& in) { return T1(in[0].sum({0, 2}, kd)); };
    EXPECT_TRUE(fx::autograd::gradcheck(f, {x}));
    EXPECT_TRUE(fx::autograd::jvp_vjp_check(f, {x}));
    // sum's VJP is a view of the cotangent; square first so the second-order check sees a
    // function of x (and exercises the VJP of the VJP, expand's and sum's).
    auto f2 = [kd](const TensorList& in) { return T1((in[0] * in[0]).sum({0, 2}, kd)); };
    EXPECT_TRUE(fx::autograd::gradgradcheck(f2, {x}));
    auto g = [kd](const TensorList& in) { return T1(in[0].mean({-1}, kd) * in[0].sum({-1}, kd)); };
    EXPECT_TRUE(fx::autograd::gradcheck(g, {x}));
    EXPECT_TRUE(fx::autograd::gradgradcheck(g, {x}));
    EXPECT_TRUE(fx::autograd::jvp_vjp_check(g, {x}));
  }
  auto all = [](const TensorList& in) { return T1(in[0].sum() * in[0].mean()); };
  EXPECT_TRUE(fx::autograd::gradcheck(all, {x}));
  EXPECT_TRUE(fx::autograd::gradgradcheck(all, {x}));
  EXPECT_TRUE(fx::autograd::jvp_vjp_check(all, {x}));
  // dtype conversion inside the op is differentiable too.
  Tensor xf = fx::randn({3}).requires_grad_();
  xf.sum(fx::kFloat64).backward();
  EXPECT_EQ(xf.grad().dtype(), fx::kFloat32);
  EXPECT_TRUE(tensors_equal(xf.grad(), fx::ones({3})));
}

TEST(ReduceGrad, ProdWithAndWithoutZeros) {
  Tensor nz = fx::rand({3, 4}, fx::kFloat64) + 0.5;
  Tensor one_zero = nz.clone();
  one_zero.index_put_({1, 2}, 0.0);
  Tensor two_zeros = one_zero.clone();
  two_zeros.index_put_({1, 0}, 0.0);
  two_zeros.index_put_({2, 3}, 0.0);
  for (const Tensor& x : {nz, one_zero, two_zeros}) {
    auto fd = [](const TensorList& in) { return T1(in[0].prod(1)); };
    auto fa = [](const TensorList& in) { return T1(in[0].prod()); };
    auto fk = [](const TensorList& in) { return T1(in[0].prod(0, true)); };
    for (const auto& f : {fx::autograd::CheckedFn(fd), fx::autograd::CheckedFn(fa), fx::autograd::CheckedFn(fk)}) {
      EXPECT_TRUE(fx::autograd::gradcheck(f, {x}));
      EXPECT_TRUE(fx::autograd::gradgradcheck(f, {x}));
      EXPECT_TRUE(fx::autograd::jvp_vjp_check(f, {x}));
    }
  }
  // Exact values at a zero: d prod / d x_k is the product of the others.
  Tensor x = fx::tensor({2.0, 0.0, 3.0}).requires_grad_();
  x.prod().backward();
  EXPECT_TRUE(tensors_equal(x.grad(), fx::tensor({0.0, 6.0, 0.0})));
}

}  // namespace
