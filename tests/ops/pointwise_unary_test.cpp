// Unary elementwise ops: accuracy of the vectorised float math (kernels/functors.h) against the
// double versions, IEEE edge cases, dtype rules, layouts, threading, in-place and out= variants.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "fluxion/fluxion.h"
#include "kernels/functors.h"
#include "support/test_util.h"

namespace fx = fluxion;
using fx::Tensor;
using fxtest::tensors_close;
using fxtest::tensors_equal;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

// Largest error of a float32 result against a float64 reference, in units of the float ulp of
// the reference (NaN/Inf must match exactly).
double max_ulp(const Tensor& got32, const Tensor& ref64) {
  Tensor g = got32.to(fx::kFloat64).contiguous(), r = ref64.contiguous();
  const double* pg = g.data_ptr<double>();
  const double* pr = r.data_ptr<double>();
  double worst = 0;
  for (int64_t i = 0; i < g.numel(); ++i) {
    const double want = pr[i], have = pg[i];
    const float wf = static_cast<float>(want);
    if (std::isnan(want) || std::isinf(wf)) {
      if (!(std::isnan(want) ? std::isnan(have) : have == static_cast<double>(wf))) return kInf;
      continue;
    }
    double ulp = std::nextafter(std::fabs(wf), std::numeric_limits<float>::infinity()) - std::fabs(wf);
    worst = std::max(worst, std::fabs(have - want) / ulp);
  }
  return worst;
}

Tensor grid(double lo, double hi, int64_t n) { return fx::linspace(lo, hi, n, fx::kFloat64); }

}  // namespace

TEST(PointwiseUnary, VectorisedFloatMathIsWithinAFewUlp) {
  struct Case {
    const char* name;
    Tensor (*f)(const Tensor&);
    double lo, hi, max_ulp;  // lo > 0: the grid is log-spaced
  };
  const Case cases[] = {
      {"exp", fx::exp, -104, 89, 2},
      {"exp2", fx::exp2, -150, 128, 2},
      {"expm1", fx::expm1, -20, 89, 2},
      {"log", fx::log, 1e-30, 1e30, 2},
      {"log2", fx::log2, 1e-30, 1e30, 2},
      {"log10", fx::log10, 1e-30, 1e30, 2.5},
      {"log1p", fx::log1p, -0.999, 50, 2},
      {"tanh", fx::tanh, -12, 12, 2},
      {"sigmoid", fx::sigmoid, -100, 40, 3},
      {"erf", fx::erf, -5, 5, 3},
      {"erfc", fx::erfc, -3, 9.5, 6},
      {"silu", fx::silu, -30, 30, 4},
      // Trigonometric and hyperbolic functions come from glibc's libmvec (documented <= 4 ulp).
      {"sin", fx::sin, -1000, 1000, 4},
      {"cos", fx::cos, -1000, 1000, 4},
      {"tan", fx::tan, -1.5, 1.5, 4},
      {"asin", fx::asin, -1, 1, 4},
      {"acos", fx::acos, -1, 1, 4},
      {"atan", fx::atan, -100, 100, 4},
      {"sinh", fx::sinh, -88, 88, 4},
      {"cosh", fx::cosh, -88, 88, 4},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Tensor g = c.lo > 0 ? grid(std::log(c.lo), std::log(c.hi), 200001).exp() : grid(c.lo, c.hi, 200001);
    Tensor x64 = g.to(fx::kFloat32).to(fx::kFloat64);  // exactly representable in float
    Tensor small = grid(-1e-3, 1e-3, 20001).to(fx::kFloat32).to(fx::kFloat64);
    for (const Tensor& x : {x64, small}) {
      if (c.lo > 0 && x.is_same(small)) continue;
      const double err = max_ulp(c.f(x.to(fx::kFloat32)), c.f(x));
      EXPECT_LE(err, c.max_ulp);
    }
  }
}

TEST(PointwiseUnary, IeeeEdgeCases) {
  Tensor x = fx::tensor({0.0, -0.0, kInf, -kInf, kNan, 1e-45, -1e-45, 88.8, -103.0, -1.0});
  Tensor xf = x.to(fx::kFloat32);
  auto f32 = [](std::initializer_list<double> v) { return fx::tensor(std::vector<double>(v)).to(fx::kFloat32); };
  EXPECT_TRUE(tensors_close(xf.exp(), f32({1, 1, kInf, 0, kNan, 1, 1, kInf, std::exp(-103.0), std::exp(-1.0)})));
  EXPECT_TRUE(tensors_close(
      xf.log(), f32({-kInf, -kInf, kInf, kNan, kNan, std::log(1.401298464e-45), kNan, std::log(88.8), kNan, kNan}),
      1e-6, 0));
  EXPECT_TRUE(
      tensors_close(xf.tanh(), f32({0, 0, 1, -1, kNan, 1.401298464e-45, -1.401298464e-45, 1, -1, std::tanh(-1.0)})));
  EXPECT_TRUE(tensors_close(
      xf.log1p(), f32({0, 0, kInf, kNan, kNan, 1.401298464e-45, -1.401298464e-45, std::log1p(88.8), kNan, -kInf}), 1e-6,
      0));
  // Denormal results keep their bits: exp(-103) and sigmoid(-100) are below FLT_MIN.
  EXPECT_GT(fx::tensor({-103.0f}).exp().item<float>(), 0.0f);
  EXPECT_NEAR(fx::tensor({-100.0f}).sigmoid().item<double>(), std::exp(-100.0), 3e-45);
  // Signs of zero survive where IEEE says so.
  EXPECT_TRUE(std::signbit(fx::tensor({-0.0f}).expm1().item<float>()));
  EXPECT_TRUE(std::signbit(fx::tensor({-0.0f}).tanh().item<float>()));
  // Exactness on powers of two.
  EXPECT_EQ(fx::tensor({8.0f}).log2().item<float>(), 3.0f);
  EXPECT_EQ(fx::tensor({3.0f}).exp2().item<float>(), 8.0f);
}

TEST(PointwiseUnary, FunctorsDirectly) {
  namespace m = fx::kernels::math;
  EXPECT_EQ(m::pow_int<int64_t>(3, 4), 81);
  EXPECT_EQ(m::pow_int<int64_t>(2, -1), 0);
  EXPECT_EQ(m::pow_int<int64_t>(-1, -3), -1);
  EXPECT_EQ(m::pow_int<int8_t>(2, 7), -128);  // wraps like PyTorch
  EXPECT_EQ(m::div_floor_int<int64_t>(-7, 2), -4);
  EXPECT_EQ(m::div_floor_int<int64_t>(std::numeric_limits<int64_t>::min(), -1), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(m::remainder_int<int32_t>(-7, 3), 2);
  EXPECT_EQ(m::remainder_int<int32_t>(7, -3), -2);
  EXPECT_EQ(m::div_floor_float(-7.0, 2.0), -4.0);
  EXPECT_EQ(m::remainder_float(-7.5, 2.0), 0.5);
  EXPECT_TRUE(std::isnan(m::max_nan(1.0f, NAN)));
  EXPECT_TRUE(std::isnan(m::clamp_nan(1.0f, NAN, 2.0f)));
  EXPECT_EQ(m::clamp_nan(5.0f, 3.0f, 1.0f), 1.0f);  // min > max gives max
}

TEST(PointwiseUnary, DtypeRules) {
  Tensor i = fx::tensor({1, 2, 3});
  EXPECT_EQ(i.exp().dtype(), fx::kFloat32);
  EXPECT_EQ(i.sqrt().dtype(), fx::kFloat32);
  EXPECT_EQ(fx::tensor({true, false}).sigmoid().dtype(), fx::kFloat32);
  EXPECT_EQ(i.abs().dtype(), fx::kInt32);  // C++ int literals make int32 tensors
  EXPECT_EQ(i.neg().dtype(), fx::kInt32);
  EXPECT_EQ(i.floor().dtype(), fx::kInt32);
  EXPECT_EQ(fx::tensor({true}).square().dtype(), fx::kInt64);
  EXPECT_EQ(fx::tensor({1.0f}, fx::kFloat16).exp().dtype(), fx::kFloat16);
  fx::set_default_dtype(fx::kFloat64);
  EXPECT_EQ(i.exp().dtype(), fx::kFloat64);
  fx::set_default_dtype(fx::kFloat32);
  EXPECT_TRUE(tensors_equal(fx::tensor({-3, 0, 4}, fx::kInt8).abs(), fx::tensor({3, 0, 4}, fx::kInt8)));
  EXPECT_TRUE(tensors_equal(fx::tensor({2}, fx::kUInt8).neg(), fx::tensor({254}, fx::kUInt8)));
  EXPECT_TRUE(tensors_equal(fx::tensor({-128}, fx::kInt8).abs(), fx::tensor({-128}, fx::kInt8)));
  EXPECT_FX_ERROR(fx::tensor({true}).neg(), "bool");
  EXPECT_FX_ERROR(fx::tensor({true}).abs(), "bool");
  EXPECT_FX_ERROR(fx::tensor({1, 2}).frac(), "floating-point");
  EXPECT_FX_ERROR(fx::silu(fx::tensor({1, 2})), "floating-point");
  EXPECT_FX_ERROR(fx::gelu(fx::tensor({1.0f}), "fast"), "approximate");
  EXPECT_FX_ERROR(fx::celu(fx::tensor({1.0f}), 0.0), "alpha");
  EXPECT_FX_ERROR(fx::tensor({2}).pow(-1), "negative integer powers");
  EXPECT_FX_ERROR(fx::tensor({1}).round(1), "decimals");
  EXPECT_FX_ERROR(fx::exp(Tensor()), "undefined");
  EXPECT_FX_ERROR(fx::tensor({1.0f}).clamp(std::nullopt, std::nullopt), "at least one");
}

TEST(PointwiseUnary, Activations) {
  Tensor x = fx::tensor({-4.0, -1.0, 0.0, 0.5, 3.0, 7.0});
  EXPECT_TRUE(tensors_close(fx::relu6(x), fx::tensor({0.0, 0.0, 0.0, 0.5, 3.0, 6.0})));
  EXPECT_TRUE(tensors_close(fx::hardtanh(x, -2, 2), fx::tensor({-2.0, -1.0, 0.0, 0.5, 2.0, 2.0})));
  EXPECT_TRUE(tensors_close(fx::leaky_relu(x, 0.1), fx::tensor({-0.4, -0.1, 0.0, 0.5, 3.0, 7.0})));
  EXPECT_TRUE(tensors_close(fx::softsign(x), x / (x.abs() + 1)));
  EXPECT_TRUE(tensors_close(fx::tanhshrink(x), x - x.tanh()));
  EXPECT_TRUE(tensors_close(fx::hardswish(x), x * fx::relu6(x + 3) / 6));
  EXPECT_TRUE(tensors_close(fx::hardsigmoid(x), fx::relu6(x + 3) / 6));
  EXPECT_TRUE(tensors_close(fx::logsigmoid(x), x.sigmoid().log(), 1e-12, 1e-12));
  EXPECT_TRUE(tensors_close(fx::softplus(x), (x.exp() + 1).log(), 1e-12, 1e-12));
  EXPECT_TRUE(tensors_close(fx::mish(x), x * fx::softplus(x).tanh(), 1e-12, 1e-12));
  EXPECT_TRUE(tensors_close(fx::selu(x), fx::elu(x, 1.6732632423543772, 1.0507009873554805), 1e-12, 1e-12));
  EXPECT_TRUE(tensors_close(fx::celu(x, 2.0), fx::elu(x, 2.0, 1.0, 0.5), 1e-12, 1e-12));
  EXPECT_TRUE(tensors_close(fx::gelu(x), x * ((x / std::sqrt(2.0)).erf() + 1) * 0.5, 1e-12, 1e-12));
  // Large inputs stay finite where the naive formulas overflow.
  Tensor big = fx::tensor({-200.0f, 200.0f});
  EXPECT_TRUE(tensors_close(fx::softplus(big), fx::tensor({0.0f, 200.0f})));
  EXPECT_TRUE(tensors_close(fx::logsigmoid(big), fx::tensor({-200.0f, 0.0f})));
  EXPECT_TRUE(tensors_close(fx::mish(big), fx::tensor({0.0f, 200.0f})));
  EXPECT_TRUE(tensors_close(big.sigmoid(), fx::tensor({0.0f, 1.0f})));
}

TEST(PointwiseUnary, HalfTypesComputeInFloatAndRoundOnce) {
  Tensor x = fx::linspace(-6, 6, 1001);
  for (fx::DType dt : {fx::kFloat16, fx::kBFloat16}) {
    Tensor xh = x.to(dt);
    Tensor ref = xh.to(fx::kFloat32);
    EXPECT_TRUE(tensors_equal(xh.exp(), ref.exp().to(dt)));
    EXPECT_TRUE(tensors_equal(xh.tanh(), ref.tanh().to(dt)));
    EXPECT_TRUE(tensors_equal(fx::gelu(xh), fx::gelu(ref).to(dt)));
    EXPECT_TRUE(tensors_equal(xh.t().contiguous().sigmoid(), ref.sigmoid().to(dt)));
  }
}

TEST(PointwiseUnary, NonContiguousInputsAndLayouts) {
  fx::Generator g(3);
  Tensor base = fx::randn({6, 8}, fx::TensorOptions(), &g);
  Tensor t = base.t();  // (8, 6), strides (1, 8)
  Tensor y = t.exp();
  EXPECT_TRUE(tensors_equal(y, t.contiguous().exp()));
  EXPECT_EQ(y.strides(), fx::Shape({1, 8}));  // dense, in the input's memory order (as PyTorch)
  Tensor s = base.slice(1, 1, 8, 3);          // step 3
  EXPECT_TRUE(tensors_equal(s.tanh(), s.contiguous().tanh()));
  EXPECT_TRUE(s.tanh().is_contiguous());
  Tensor e = fx::randn({1, 5}, fx::TensorOptions(), &g).expand({4, 5});
  EXPECT_TRUE(tensors_equal(e.sin(), e.contiguous().sin()));
  Tensor p = fx::randn({2, 3, 4}, fx::TensorOptions(), &g).permute({2, 0, 1});
  EXPECT_TRUE(tensors_equal(p.log1p(), p.contiguous().log1p()));
  // Transposed into a contiguous out= (tiled iteration).
  Tensor big = fx::randn({300, 200}, fx::TensorOptions(), &g);
  Tensor out = fx::empty({200, 300});
  fx::exp_out(out, big.t());
  EXPECT_TRUE(out.is_contiguous());
  EXPECT_TRUE(tensors_equal(out, big.t().contiguous().exp()));
}

TEST(PointwiseUnary, EmptyAndZeroDim) {
  Tensor e = fx::empty({0, 3});
  EXPECT_EQ(e.exp().sizes(), fx::Shape({0, 3}));
  Tensor z = fx::scalar_tensor(2.0);
  EXPECT_EQ(z.sqrt().dim(), 0);
  EXPECT_NEAR(z.sqrt().item<double>(), std::sqrt(2.0), 1e-7);
}

TEST(PointwiseUnary, ThreadedResultEqualsSingleThreaded) {
  fx::Generator g(5);
  Tensor x = fx::randn({1000, 301}, fx::TensorOptions(), &g);
  Tensor xt = x.t();
  const int prev = fx::get_num_threads();
  fx::set_num_threads(1);
  Tensor a = fx::gelu(x), b = xt.exp(), c = fx::erf(xt.contiguous());
  Tensor out1 = fx::empty({301, 1000});
  fx::tanh_out(out1, xt);
  fx::set_num_threads(2);
  EXPECT_TRUE(tensors_equal(fx::gelu(x), a));
  EXPECT_TRUE(tensors_equal(xt.exp(), b));
  EXPECT_TRUE(tensors_equal(fx::erf(xt.contiguous()), c));
  Tensor out2 = fx::empty({301, 1000});
  fx::tanh_out(out2, xt);
  EXPECT_TRUE(tensors_equal(out1, out2));
  fx::set_num_threads(prev);
}

TEST(PointwiseUnary, InPlaceVariants) {
  Tensor x = fx::tensor({1.0f, 4.0f, 9.0f});
  const auto v0 = x._version();
  Tensor& r = x.sqrt_();
  EXPECT_TRUE(r.is_same(x));
  EXPECT_TRUE(tensors_equal(x, fx::tensor({1.0f, 2.0f, 3.0f})));
  EXPECT_GT(x._version(), v0);
  Tensor view = x.slice(0, 1, 3);
  view.neg_();
  EXPECT_TRUE(tensors_equal(x, fx::tensor({1.0f, -2.0f, -3.0f})));
  x.clamp_(-2.5, std::nullopt);
  EXPECT_TRUE(tensors_equal(x, fx::tensor({1.0f, -2.0f, -2.5f})));
  x.pow_(2);
  EXPECT_TRUE(tensors_equal(x, fx::tensor({1.0f, 4.0f, 6.25f})));
  x.round_();
  EXPECT_TRUE(tensors_equal(x, fx::tensor({1.0f, 4.0f, 6.0f})));
  Tensor i = fx::tensor({1, 2});
  EXPECT_FX_ERROR(i.exp_(), "can't be cast");
  EXPECT_FX_ERROR(i.clamp_(0.5), "can't be cast");
  Tensor ex = fx::tensor({1.0f}).expand({3});
  EXPECT_FX_ERROR(ex.exp_(), "single memory location");
}

TEST(PointwiseUnary, OutVariants) {
  Tensor x = fx::tensor({0.0f, 1.0f});
  Tensor out = fx::empty({2});
  Tensor& r = fx::exp_out(out, x);
  EXPECT_TRUE(r.is_same(out));
  EXPECT_TRUE(tensors_close(out, x.exp()));
  Tensor e = fx::empty({0});
  fx::log_out(e, x);
  EXPECT_EQ(e.sizes(), fx::Shape({2}));
  Tensor d = fx::empty({2}, fx::kFloat64);
  fx::sigmoid_out(d, x);  // float result into a double out= is allowed
  EXPECT_TRUE(tensors_close(d, x.sigmoid().to(fx::kFloat64)));
  Tensor wrong = fx::empty({3});
  EXPECT_FX_ERROR(fx::sqrt_out(wrong, x), "sizes");
  Tensor iout = fx::empty({2}, fx::kInt64);
  EXPECT_FX_ERROR(fx::tanh_out(iout, x), "can't be cast");
  Tensor c = fx::empty({2});
  fx::clamp_out(c, fx::tensor({-3.0f, 3.0f}), -1, 1);
  EXPECT_TRUE(tensors_equal(c, fx::tensor({-1.0f, 1.0f})));
  Tensor rg = fx::ones({2}, fx::TensorOptions().requires_grad(true));
  Tensor o2 = fx::empty({2});
  EXPECT_FX_ERROR(fx::exp_out(o2, rg), "automatic differentiation");
}
