// Every CUDA kernel against the CPU result: fill, copy/convert, unary, binary, compare, sum/mean,
// matmul/mm/bmm, on contiguous, non-contiguous (transposed, sliced) and broadcast operands.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "cuda/cuda_test_util.h"

namespace fx = fluxion;
using fxtest::kGpu;
using fxtest::matches_cpu;

namespace {

fx::Tensor rnd(const fx::Shape& s, fx::DType dt = fx::kFloat32, double lo = -3, double hi = 3) {
  return (fx::rand(s) * (hi - lo) + lo).to(dt);
}

// The operands each elementwise test runs on: contiguous, transposed, sliced with a step.
std::vector<std::pair<std::string, fx::Tensor>> layouts(fx::DType dt, double lo = -3, double hi = 3) {
  return {{"contiguous", rnd({37, 53}, dt, lo, hi)},
          {"transposed", rnd({53, 37}, dt, lo, hi).t()},
          {"strided", rnd({37, 106}, dt, lo, hi).slice(1, 0, std::nullopt, 2)},
          {"large", rnd({1 << 18}, dt, lo, hi)}};
}

using UnaryFn = std::function<fx::Tensor(const fx::Tensor&)>;

void check_unary(const std::string& name, const UnaryFn& f, double lo = -3, double hi = 3) {
  for (fx::DType dt : {fx::kFloat32, fx::kFloat64}) {
    for (const auto& [layout, x] : layouts(dt, lo, hi)) {
      EXPECT_TRUE(matches_cpu(f(x.to(kGpu)), f(x))) << name << " " << fx::dtype_name(dt) << " " << layout;
    }
  }
}

TEST(CudaKernels, FillAndZeros) {
  FX_SKIP_WITHOUT_GPU();
  for (fx::DType dt : {fx::kFloat32, fx::kFloat64, fx::kFloat16, fx::kBFloat16, fx::kInt8, fx::kUInt8, fx::kInt32,
                       fx::kInt64, fx::kBool}) {
    const fx::Tensor g = fx::full({5, 7}, 1, fx::TensorOptions(dt).device(kGpu));
    EXPECT_TRUE(fxtest::tensors_equal(g.cpu(), fx::full({5, 7}, 1, fx::TensorOptions(dt)))) << fx::dtype_name(dt);
  }
  fx::Tensor z = fx::zeros({6, 8}, fx::TensorOptions().device(kGpu));
  z.t().slice(0, 0, std::nullopt, 3).fill_(2.5);  // strided fill
  fx::Tensor zc = fx::zeros({6, 8});
  zc.t().slice(0, 0, std::nullopt, 3).fill_(2.5);
  EXPECT_TRUE(matches_cpu(z, zc));
}

TEST(CudaKernels, RangesEqualTheCpu) {
  FX_SKIP_WITHOUT_GPU();
  for (fx::DType dt : {fx::kFloat32, fx::kFloat64, fx::kInt64, fx::kInt32}) {
    const fx::TensorOptions c(dt), g = fx::TensorOptions(dt).device(kGpu);
    EXPECT_TRUE(fxtest::tensors_equal(fx::arange(-5, 17, 3, g).cpu(), fx::arange(-5, 17, 3, c)));
    EXPECT_TRUE(fxtest::tensors_equal(fx::linspace(-2, 9, 23, g).cpu(), fx::linspace(-2, 9, 23, c)));
    EXPECT_TRUE(fxtest::tensors_equal(fx::logspace(0, 3, 7, 2.0, g).cpu(), fx::logspace(0, 3, 7, 2.0, c)));
  }
}

TEST(CudaKernels, CopyAndConvert) {
  FX_SKIP_WITHOUT_GPU();
  const std::vector<fx::DType> dts = {fx::kFloat32, fx::kFloat64, fx::kInt64, fx::kInt32, fx::kBool};
  const fx::Tensor base = rnd({9, 11}, fx::kFloat64, -50, 50).round();
  for (fx::DType from : dts) {
    const fx::Tensor x = base.to(from);
    const fx::Tensor g = x.to(kGpu);
    for (fx::DType to : dts) {
      EXPECT_TRUE(matches_cpu(g.to(to), x.to(to))) << fx::dtype_name(from) << " -> " << fx::dtype_name(to);
      EXPECT_TRUE(matches_cpu(g.t().to(to), x.t().to(to))) << "transposed " << fx::dtype_name(from);
    }
  }
  // Same-dtype strided copies work for every dtype (by element size), and broadcast via stride 0.
  for (fx::DType dt : {fx::kFloat16, fx::kBFloat16, fx::kInt8, fx::kUInt8}) {
    const fx::Tensor x = base.to(dt);
    EXPECT_TRUE(matches_cpu(x.to(kGpu).t().contiguous(), x.t().contiguous())) << fx::dtype_name(dt);
  }
  fx::Tensor dst = fx::empty({4, 9, 11}, fx::TensorOptions(fx::kFloat32).device(kGpu));
  dst.copy_(base.to(kGpu));  // broadcast + convert on the device
  EXPECT_TRUE(matches_cpu(dst, base.to(fx::kFloat32).expand({4, 9, 11}).contiguous()));
  EXPECT_FX_ERROR(base.to(kGpu).to(fx::kFloat16), "not implemented on CUDA");
}

TEST(CudaKernels, UnaryMatchesCpu) {
  FX_SKIP_WITHOUT_GPU();
  check_unary("neg", [](const fx::Tensor& x) { return fx::neg(x); });
  check_unary("abs", [](const fx::Tensor& x) { return fx::abs(x); });
  check_unary("sign", [](const fx::Tensor& x) { return fx::sign(x); });
  check_unary("exp", [](const fx::Tensor& x) { return fx::exp(x); });
  check_unary("exp2", [](const fx::Tensor& x) { return fx::exp2(x); });
  check_unary("expm1", [](const fx::Tensor& x) { return fx::expm1(x); });
  check_unary(
      "log", [](const fx::Tensor& x) { return fx::log(x); }, 0.01, 10);
  check_unary(
      "log2", [](const fx::Tensor& x) { return fx::log2(x); }, 0.01, 10);
  check_unary(
      "log10", [](const fx::Tensor& x) { return fx::log10(x); }, 0.01, 10);
  check_unary(
      "log1p", [](const fx::Tensor& x) { return fx::log1p(x); }, -0.9, 10);
  check_unary(
      "sqrt", [](const fx::Tensor& x) { return fx::sqrt(x); }, 0, 10);
  check_unary(
      "rsqrt", [](const fx::Tensor& x) { return fx::rsqrt(x); }, 0.1, 10);
  check_unary(
      "reciprocal", [](const fx::Tensor& x) { return fx::reciprocal(x); }, 0.1, 10);
  check_unary("square", [](const fx::Tensor& x) { return fx::square(x); });
  check_unary("sin", [](const fx::Tensor& x) { return fx::sin(x); });
  check_unary("cos", [](const fx::Tensor& x) { return fx::cos(x); });
  check_unary(
      "tan", [](const fx::Tensor& x) { return fx::tan(x); }, -1.2, 1.2);
  check_unary(
      "asin", [](const fx::Tensor& x) { return fx::asin(x); }, -0.99, 0.99);
  check_unary(
      "acos", [](const fx::Tensor& x) { return fx::acos(x); }, -0.99, 0.99);
  check_unary("atan", [](const fx::Tensor& x) { return fx::atan(x); });
  check_unary("sinh", [](const fx::Tensor& x) { return fx::sinh(x); });
  check_unary("cosh", [](const fx::Tensor& x) { return fx::cosh(x); });
  check_unary("tanh", [](const fx::Tensor& x) { return fx::tanh(x); });
  check_unary("sigmoid", [](const fx::Tensor& x) { return fx::sigmoid(x); });
  check_unary("relu", [](const fx::Tensor& x) { return fx::relu(x); });
  check_unary("silu", [](const fx::Tensor& x) { return fx::silu(x); });
  check_unary("erf", [](const fx::Tensor& x) { return fx::erf(x); });
  check_unary("erfc", [](const fx::Tensor& x) { return fx::erfc(x); });
  check_unary("floor", [](const fx::Tensor& x) { return fx::floor(x); });
  check_unary("ceil", [](const fx::Tensor& x) { return fx::ceil(x); });
  check_unary("trunc", [](const fx::Tensor& x) { return fx::trunc(x); });
  check_unary("frac", [](const fx::Tensor& x) { return fx::frac(x); });
  check_unary("round", [](const fx::Tensor& x) { return fx::round(x); });
  check_unary("round2", [](const fx::Tensor& x) { return fx::round(x, 2); });
  check_unary(
      "logit", [](const fx::Tensor& x) { return fx::logit(x, 1e-3); }, 0, 1);
  check_unary("leaky_relu", [](const fx::Tensor& x) { return fx::leaky_relu(x, 0.2); });
  check_unary("elu", [](const fx::Tensor& x) { return fx::elu(x, 1.5); });
  check_unary("gelu", [](const fx::Tensor& x) { return fx::gelu(x); });
  check_unary("gelu_tanh", [](const fx::Tensor& x) { return fx::gelu(x, "tanh"); });
  check_unary("softplus", [](const fx::Tensor& x) { return fx::softplus(x, 2.0, 3.0); });
  check_unary("mish", [](const fx::Tensor& x) { return fx::mish(x); });
  check_unary("hardtanh", [](const fx::Tensor& x) { return fx::hardtanh(x, -0.5, 0.7); });
  check_unary("hardsigmoid", [](const fx::Tensor& x) { return fx::hardsigmoid(x); });
  check_unary("hardswish", [](const fx::Tensor& x) { return fx::hardswish(x); });
  check_unary("softsign", [](const fx::Tensor& x) { return fx::softsign(x); });
  check_unary("tanhshrink", [](const fx::Tensor& x) { return fx::tanhshrink(x); });
  check_unary("logsigmoid", [](const fx::Tensor& x) { return fx::logsigmoid(x); });
  check_unary("clamp", [](const fx::Tensor& x) { return fx::clamp(x, -1.0, std::nullopt); });
  check_unary("clamp2", [](const fx::Tensor& x) { return fx::clamp(x, -1.0, 0.5); });
  check_unary("pow2", [](const fx::Tensor& x) { return fx::pow(x, 2); });
  check_unary(
      "pow1.7", [](const fx::Tensor& x) { return fx::pow(x, 1.7); }, 0, 4);
  // Special values: NaN, +-inf, +-0.
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  const fx::Tensor sp = fx::tensor<float>({nan, inf, -inf, 0.0f, -0.0f, 1e-40f, 88.0f, -104.0f});
  for (auto f : std::vector<UnaryFn>{
           [](const fx::Tensor& x) { return fx::exp(x); }, [](const fx::Tensor& x) { return fx::log(x); },
           [](const fx::Tensor& x) { return fx::tanh(x); }, [](const fx::Tensor& x) { return fx::sigmoid(x); },
           [](const fx::Tensor& x) { return fx::relu(x); }, [](const fx::Tensor& x) { return fx::nan_to_num(x); }})
    EXPECT_TRUE(matches_cpu(f(sp.to(kGpu)), f(sp)));
}

TEST(CudaKernels, UnaryIntegerAndBool) {
  FX_SKIP_WITHOUT_GPU();
  const fx::Tensor i = fx::arange(-20, 20, 1, fx::TensorOptions(fx::kInt64)).view({5, 8}).t();
  EXPECT_TRUE(matches_cpu(fx::neg(i.to(kGpu)), fx::neg(i)));
  EXPECT_TRUE(matches_cpu(fx::abs(i.to(kGpu)), fx::abs(i)));
  EXPECT_TRUE(matches_cpu(fx::sign(i.to(kGpu)), fx::sign(i)));
  EXPECT_TRUE(matches_cpu(fx::square(i.to(kGpu)), fx::square(i)));
  EXPECT_TRUE(matches_cpu(fx::clamp(i.to(kGpu), -3, 4), fx::clamp(i, -3, 4)));
  EXPECT_TRUE(matches_cpu(fx::pow(i.to(kGpu), 3), fx::pow(i, 3)));
  EXPECT_TRUE(matches_cpu(fx::bitwise_not(i.to(kGpu)), fx::bitwise_not(i)));
  const fx::Tensor b = fx::gt(i, 0);
  EXPECT_TRUE(matches_cpu(fx::logical_not(b.to(kGpu)), fx::logical_not(b)));
  EXPECT_TRUE(matches_cpu(fx::bitwise_not(b.to(kGpu)), fx::bitwise_not(b)));
}

TEST(CudaKernels, BinaryMatchesCpuWithBroadcastAndNumbers) {
  FX_SKIP_WITHOUT_GPU();
  using BinFn = std::function<fx::Tensor(const fx::Tensor&, const fx::Tensor&)>;
  const std::vector<std::pair<std::string, BinFn>> ops = {
      {"add", [](auto& a, auto& b) { return fx::add(a, b, 0.5); }},
      {"sub", [](auto& a, auto& b) { return fx::sub(a, b); }},
      {"mul", [](auto& a, auto& b) { return a * b; }},
      {"div", [](auto& a, auto& b) { return a / b; }},
      {"div_trunc", [](auto& a, auto& b) { return fx::div(a, b, "trunc"); }},
      {"div_floor", [](auto& a, auto& b) { return fx::div(a, b, "floor"); }},
      {"fmod", [](auto& a, auto& b) { return fx::fmod(a, b); }},
      {"remainder", [](auto& a, auto& b) { return fx::remainder(a, b); }},
      {"maximum", [](auto& a, auto& b) { return fx::maximum(a, b); }},
      {"minimum", [](auto& a, auto& b) { return fx::minimum(a, b); }},
      {"atan2", [](auto& a, auto& b) { return fx::atan2(a, b); }},
      {"pow", [](auto& a, auto& b) { return fx::pow(fx::abs(a), b); }},
      {"lerp", [](auto& a, auto& b) { return fx::lerp(a, b, 0.3); }},
  };
  for (fx::DType dt : {fx::kFloat32, fx::kFloat64}) {
    const fx::Tensor a = rnd({7, 1, 13}, dt), b = rnd({5, 13}, dt, 0.5, 3), bt = rnd({13, 5}, dt, 0.5, 3).t();
    const fx::Tensor big_a = rnd({1 << 17}, dt), big_b = rnd({1 << 17}, dt, 0.5, 3);
    for (const auto& [name, f] : ops) {
      const std::string what = name + " " + fx::dtype_name(dt);
      EXPECT_TRUE(matches_cpu(f(a.to(kGpu), b.to(kGpu)), f(a, b))) << what << " broadcast";
      EXPECT_TRUE(matches_cpu(f(a.to(kGpu), bt.to(kGpu)), f(a, bt))) << what << " transposed";
      EXPECT_TRUE(matches_cpu(f(big_a.to(kGpu), big_b.to(kGpu)), f(big_a, big_b))) << what << " contiguous";
    }
    // Numbers and CPU 0-d tensors as operands.
    const fx::Tensor g = a.to(kGpu);
    EXPECT_TRUE(matches_cpu(g + 2.5, a + 2.5));
    EXPECT_TRUE(matches_cpu(fx::rsub(g, 1.5), fx::rsub(a, 1.5)));
    EXPECT_TRUE(matches_cpu(fx::div(2.0, g), fx::div(2.0, a)));
    EXPECT_TRUE(matches_cpu(g * fx::tensor<double>({3.0}).view({}), a * fx::tensor<double>({3.0}).view({})));
    fx::Tensor inplace = g.clone();
    inplace.mul_(3).add_(g);
    EXPECT_TRUE(matches_cpu(inplace, a * 3 + a));
  }
  const fx::Tensor i = fx::arange(-12, 12, 1, fx::TensorOptions(fx::kInt64)).view({4, 6});
  const fx::Tensor j = fx::arange(1, 7, 1, fx::TensorOptions(fx::kInt64));
  EXPECT_TRUE(matches_cpu(i.to(kGpu) + j.to(kGpu) * 3, i + j * 3));
  EXPECT_TRUE(matches_cpu(fx::maximum(i.to(kGpu), j.to(kGpu)), fx::maximum(i, j)));
  EXPECT_TRUE(matches_cpu(fx::bitwise_and(i.to(kGpu), j.to(kGpu)), fx::bitwise_and(i, j)));
  const fx::Tensor bi = fx::gt(i, 0), bj = fx::lt(j, 4);
  EXPECT_TRUE(matches_cpu(fx::logical_xor(bi.to(kGpu), bj.to(kGpu)), fx::logical_xor(bi, bj)));
}

TEST(CudaKernels, CompareMatchesCpu) {
  FX_SKIP_WITHOUT_GPU();
  for (fx::DType dt : {fx::kFloat32, fx::kFloat64, fx::kInt64}) {
    const fx::Tensor a = rnd({6, 1, 9}, fx::kFloat64, -3, 3).round().to(dt),
                     b = rnd({4, 9}, fx::kFloat64).round().to(dt);
    const fx::Tensor ga = a.to(kGpu), gb = b.to(kGpu);
    EXPECT_TRUE(matches_cpu(fx::eq(ga, gb), fx::eq(a, b)));
    EXPECT_TRUE(matches_cpu(fx::ne(ga, gb), fx::ne(a, b)));
    EXPECT_TRUE(matches_cpu(fx::lt(ga, gb), fx::lt(a, b)));
    EXPECT_TRUE(matches_cpu(fx::le(ga.t(), 1), fx::le(a.t(), 1)));
    EXPECT_TRUE(matches_cpu(fx::gt(ga, 0), fx::gt(a, 0)));
    EXPECT_TRUE(matches_cpu(fx::ge(ga, gb), fx::ge(a, b)));
    EXPECT_TRUE(matches_cpu(fx::logical_and(ga, gb), fx::logical_and(a, b)));
    EXPECT_TRUE(matches_cpu(fx::isclose(ga, gb, 0.1, 0.5), fx::isclose(a, b, 0.1, 0.5)));
  }
  const fx::Tensor x = rnd({100}), y = x + 1e-7;
  EXPECT_TRUE(fx::allclose(x.to(kGpu), y.to(kGpu)));
  EXPECT_FALSE(fx::allclose(x.to(kGpu), (x + 1).to(kGpu)));
}

TEST(CudaKernels, PredicatesWhereAndTernary) {
  FX_SKIP_WITHOUT_GPU();
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  const fx::Tensor sp = fx::tensor<float>({nan, inf, -inf, 0.0f, -2.0f, 3.0f});
  const fx::Tensor g = sp.to(kGpu);
  EXPECT_TRUE(matches_cpu(fx::isnan(g), fx::isnan(sp)));
  EXPECT_TRUE(matches_cpu(fx::isinf(g), fx::isinf(sp)));
  EXPECT_TRUE(matches_cpu(fx::isfinite(g), fx::isfinite(sp)));
  EXPECT_TRUE(matches_cpu(fx::logical_not(g), fx::logical_not(sp)));
  for (fx::DType dt : {fx::kFloat32, fx::kFloat64}) {
    const fx::Tensor a = rnd({6, 1, 9}, dt), b = rnd({4, 9}, dt), c = rnd({9, 4}, dt, 0.5, 2).t();
    const fx::Tensor ga = a.to(kGpu), gb = b.to(kGpu), gc = c.to(kGpu);
    EXPECT_TRUE(matches_cpu(fx::where(fx::gt(ga, gb), ga, gb), fx::where(fx::gt(a, b), a, b)));
    EXPECT_TRUE(matches_cpu(fx::where(fx::gt(ga, 0), ga, 0.5), fx::where(fx::gt(a, 0), a, 0.5)));
    EXPECT_TRUE(matches_cpu(fx::addcmul(ga, gb, gc, 0.5), fx::addcmul(a, b, c, 0.5)));
    EXPECT_TRUE(matches_cpu(fx::addcdiv(ga, gb, gc, 2), fx::addcdiv(a, b, c, 2)));
    EXPECT_TRUE(matches_cpu(fx::lerp(ga, gb, gc), fx::lerp(a, b, c)));
  }
}

TEST(CudaKernels, SumAndMeanMatchCpu) {
  FX_SKIP_WITHOUT_GPU();
  for (fx::DType dt : {fx::kFloat32, fx::kFloat64}) {
    const fx::Tensor x = rnd({6, 50, 70}, dt);
    const fx::Tensor g = x.to(kGpu);
    EXPECT_TRUE(fxtest::tensors_close(g.sum().cpu(), x.sum(), dt == fx::kFloat32 ? 1e-4 : 1e-12, 1e-4));
    EXPECT_TRUE(matches_cpu(g.sum({2}), x.sum({2})));
    EXPECT_TRUE(matches_cpu(g.sum({0}), x.sum({0})));
    EXPECT_TRUE(matches_cpu(g.sum({0, 2}, true), x.sum({0, 2}, true)));
    EXPECT_TRUE(matches_cpu(g.mean({1}), x.mean({1})));
    EXPECT_TRUE(matches_cpu(g.transpose(0, 2).sum({1}), x.transpose(0, 2).sum({1})));
    // Multi-pass: one long row, and a few long rows.
    const fx::Tensor big = rnd({3, 3'000'000}, dt, 0, 1);
    const double tol = dt == fx::kFloat32 ? 1e-4 : 1e-12;
    EXPECT_TRUE(fxtest::tensors_close(big.to(kGpu).sum({1}).cpu(), big.sum({1}), tol, 0));
    EXPECT_TRUE(fxtest::tensors_close(big.to(kGpu).mean().cpu(), big.mean(), tol, 0));
  }
  const fx::Tensor i = fx::arange(0, 1000, 1, fx::TensorOptions(fx::kInt64)).view({10, 100});
  EXPECT_TRUE(matches_cpu(i.to(kGpu).sum({1}), i.sum({1})));
  EXPECT_TRUE(matches_cpu(i.to(fx::kInt32).to(kGpu).sum(), i.to(fx::kInt32).sum()));
  const fx::Tensor b = fx::gt(i, 500);
  EXPECT_TRUE(matches_cpu(b.to(kGpu).sum({0}), b.sum({0})));
}

TEST(CudaKernels, AmaxAndAminMatchCpu) {
  FX_SKIP_WITHOUT_GPU();
  for (fx::DType dt : {fx::kFloat32, fx::kFloat64, fx::kInt64, fx::kInt32}) {
    const fx::Tensor x = rnd({6, 50, 70}, fx::kFloat64, -100, 100).round().to(dt);
    const fx::Tensor g = x.to(kGpu);
    EXPECT_TRUE(matches_cpu(fx::amax(g), fx::amax(x))) << fx::dtype_name(dt);
    EXPECT_TRUE(matches_cpu(fx::amin(g), fx::amin(x))) << fx::dtype_name(dt);
    EXPECT_TRUE(matches_cpu(fx::amax(g, {2}), fx::amax(x, {2})));
    EXPECT_TRUE(matches_cpu(fx::amin(g, {0, 2}, true), fx::amin(x, {0, 2}, true)));
    EXPECT_TRUE(matches_cpu(fx::amax(g.transpose(0, 2), {1}), fx::amax(x.transpose(0, 2), {1})));
    EXPECT_TRUE(matches_cpu(fx::max(g), fx::max(x)));
  }
  const fx::Tensor big = rnd({2, 2'000'000}, fx::kFloat32);
  EXPECT_TRUE(matches_cpu(fx::amax(big.to(kGpu), {1}), fx::amax(big, {1})));
  // NaN propagates, in short and long rows.
  fx::Tensor n = rnd({3, 100000}, fx::kFloat32);
  n.narrow(1, 77777, 1).narrow(0, 1, 1).fill_(std::numeric_limits<float>::quiet_NaN());
  EXPECT_TRUE(matches_cpu(fx::amax(n.to(kGpu), {1}), fx::amax(n, {1})));
  EXPECT_TRUE(matches_cpu(fx::amin(n.t().contiguous().to(kGpu), {0}), fx::amin(n.t().contiguous(), {0})));
}

TEST(CudaKernels, MaxMinAlongADimAndArgmaxMatchCpu) {
  FX_SKIP_WITHOUT_GPU();
  for (fx::DType dt : {fx::kFloat32, fx::kFloat64, fx::kInt64, fx::kInt32}) {
    // Few distinct values, so ties are common: the first index must win on both devices.
    const fx::Tensor x = rnd({5, 40, 300}, fx::kFloat64, -4, 4).round().to(dt);
    const fx::Tensor g = x.to(kGpu);
    for (int64_t d : {0, 1, 2}) {
      auto [gv, gi] = fx::max(g, d);
      auto [cv, ci] = fx::max(x, d);
      EXPECT_TRUE(matches_cpu(gv, cv)) << fx::dtype_name(dt) << " dim " << d;
      EXPECT_TRUE(matches_cpu(gi, ci)) << fx::dtype_name(dt) << " dim " << d;
      auto [hv, hi] = fx::min(g, d, true);
      auto [dv, di] = fx::min(x, d, true);
      EXPECT_TRUE(matches_cpu(hv, dv));
      EXPECT_TRUE(matches_cpu(hi, di));
      EXPECT_TRUE(matches_cpu(fx::argmax(g, d), fx::argmax(x, d)));
    }
    EXPECT_TRUE(matches_cpu(fx::argmin(g), fx::argmin(x)));
  }
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  const fx::Tensor sp =
      fx::tensor<float>(std::vector<float>{1, nan, 3, nan, -inf, -inf, -inf, -inf, 2, 5, 5, 1}, fx::Shape{3, 4});
  EXPECT_TRUE(matches_cpu(fx::argmax(sp.to(kGpu), 1), fx::argmax(sp, 1)));
  EXPECT_TRUE(matches_cpu(fx::argmin(sp.to(kGpu), 1), fx::argmin(sp, 1)));
  const fx::Tensor lng = rnd({2, 500000}, fx::kFloat32);
  EXPECT_TRUE(matches_cpu(fx::argmax(lng.to(kGpu), 1), fx::argmax(lng, 1)));
}

TEST(CudaKernels, SoftmaxAndLogSoftmaxMatchCpu) {
  FX_SKIP_WITHOUT_GPU();
  for (fx::DType dt : {fx::kFloat32, fx::kFloat64}) {
    const fx::Tensor x = rnd({7, 300, 5}, dt, -20, 20);
    const fx::Tensor g = x.to(kGpu);
    for (int64_t d : {0, 1, 2, -1}) {
      EXPECT_TRUE(matches_cpu(fx::softmax(g, d), fx::softmax(x, d))) << "dim " << d;
      EXPECT_TRUE(matches_cpu(fx::log_softmax(g, d), fx::log_softmax(x, d))) << "dim " << d;
    }
    // Non-contiguous input (made contiguous by the op), long rows, and special rows.
    EXPECT_TRUE(matches_cpu(fx::softmax(g.transpose(0, 1), 2), fx::softmax(x.transpose(0, 1), 2)));
    const fx::Tensor lng = rnd({3, 100000}, dt, -5, 5);
    EXPECT_TRUE(matches_cpu(fx::log_softmax(lng.to(kGpu), 1), fx::log_softmax(lng, 1)));
    const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
    const fx::Tensor sp =
        fx::tensor<double>(std::vector<double>{1000, -1000, 0, -inf, -inf, -inf, 1, nan, 2, 3, inf, 4}, fx::Shape{4, 3})
            .to(dt);
    EXPECT_TRUE(matches_cpu(fx::softmax(sp.to(kGpu), 1), fx::softmax(sp, 1)));
    EXPECT_TRUE(matches_cpu(fx::log_softmax(sp.to(kGpu), 1), fx::log_softmax(sp, 1)));
    EXPECT_TRUE(matches_cpu(fx::softmax(sp.to(kGpu), 0), fx::softmax(sp, 0)));
  }
}

TEST(CudaKernels, MatmulMatchesCpu) {
  FX_SKIP_WITHOUT_GPU();
  ASSERT_FALSE(fx::cuda::allow_tf32());
  for (fx::DType dt : {fx::kFloat32, fx::kFloat64}) {
    const double rtol = dt == fx::kFloat32 ? 1e-4 : 1e-12;
    auto close = [&](const fx::Tensor& g, const fx::Tensor& c) {
      return fxtest::tensors_close(g.cpu(), c, rtol, rtol);
    };
    const fx::Tensor a = rnd({33, 65}, dt), b = rnd({65, 17}, dt);
    EXPECT_TRUE(close(fx::mm(a.to(kGpu), b.to(kGpu)), fx::mm(a, b)));
    // Transposed operands (no copy), a transposed-and-sliced one (packed), vectors.
    const fx::Tensor at = rnd({65, 33}, dt).t(), bt = rnd({17, 65}, dt).t();
    EXPECT_TRUE(close(fx::mm(at.to(kGpu), bt.to(kGpu)), fx::mm(at, bt)));
    const fx::Tensor as = rnd({33, 130}, dt).slice(1, 0, std::nullopt, 2);
    EXPECT_TRUE(close(fx::mm(as.to(kGpu), b.to(kGpu)), fx::mm(as, b)));
    const fx::Tensor v = rnd({65}, dt);
    EXPECT_TRUE(close(fx::matmul(a.to(kGpu), v.to(kGpu)), fx::matmul(a, v)));
    EXPECT_TRUE(close(fx::matmul(v.to(kGpu), b.to(kGpu)), fx::matmul(v, b)));
    // Batched, broadcast batch dims, bmm.
    const fx::Tensor x = rnd({4, 3, 8, 16}, dt), w = rnd({3, 16, 5}, dt);
    EXPECT_TRUE(close(fx::matmul(x.to(kGpu), w.to(kGpu)), fx::matmul(x, w)));
    EXPECT_TRUE(close(fx::matmul(x.to(kGpu).transpose(0, 1), w.to(kGpu).unsqueeze(1)),
                      fx::matmul(x.transpose(0, 1), w.unsqueeze(1))));
    const fx::Tensor p = rnd({10, 7, 9}, dt), q = rnd({10, 9, 4}, dt);
    EXPECT_TRUE(close(fx::bmm(p.to(kGpu), q.to(kGpu)), fx::bmm(p, q)));
    EXPECT_TRUE(close(fx::bmm(q.to(kGpu).transpose(1, 2), p.to(kGpu).transpose(1, 2)),
                      fx::bmm(q.transpose(1, 2), p.transpose(1, 2))));
    // k == 0: zeros.
    const fx::Tensor e = fx::empty({3, 0}, fx::TensorOptions(dt));
    EXPECT_TRUE(close(fx::mm(e.to(kGpu), fx::empty({0, 4}, fx::TensorOptions(dt).device(kGpu))),
                      fx::zeros({3, 4}, fx::TensorOptions(dt))));
  }
}

TEST(CudaKernels, MatmulGradientsOnTheDevice) {
  FX_SKIP_WITHOUT_GPU();
  const fx::Tensor a = rnd({5, 6}, fx::kFloat64), b = rnd({6, 3}, fx::kFloat64);
  fx::Tensor ga = a.to(kGpu).detach().requires_grad_(), gb = b.to(kGpu).detach().requires_grad_();
  fx::Tensor ca = a.clone().requires_grad_(), cb = b.clone().requires_grad_();
  (fx::mm(ga, gb) * 2).sum().backward();
  (fx::mm(ca, cb) * 2).sum().backward();
  EXPECT_TRUE(matches_cpu(ga.grad(), ca.grad()));
  EXPECT_TRUE(matches_cpu(gb.grad(), cb.grad()));
}

TEST(CudaKernels, MixingDevicesIsAClearError) {
  FX_SKIP_WITHOUT_GPU();
  const fx::Tensor c = fx::ones({3}), g = fx::ones({3}, fx::TensorOptions().device(kGpu));
  EXPECT_FX_ERROR(c + g, "cuda:0");
  EXPECT_FX_ERROR(g + c, "cpu");
  EXPECT_FX_ERROR(fx::mm(c.view({1, 3}), g.view({3, 1})), "device");
  EXPECT_FX_ERROR(fx::eq(g, c), "same device");
  // A CPU 0-d tensor is a number and mixes freely (as PyTorch).
  EXPECT_TRUE(matches_cpu(g * fx::full({}, 2.0f), c * 2.0f));
}

TEST(CudaKernels, UnsupportedDtypeNamesTheKernel) {
  FX_SKIP_WITHOUT_GPU();
  const fx::Tensor h = fx::ones({4}, fx::TensorOptions(fx::kFloat16).device(kGpu));
  EXPECT_FX_ERROR(fx::exp(h), "CUDA");  // "unary_kernel: no CUDA kernel for dtype float16" or a conversion error
}

}  // namespace
