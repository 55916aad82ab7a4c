// Integer arithmetic on CUDA against the CPU: int32 elementwise ops, and integer division and
// modulo (floor/trunc division, fmod, remainder; Python's sign rules) on int64 and int32,
// including a zero divisor, which is a clear fluxion::Error on both devices.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "cuda/cuda_test_util.h"

namespace fx = fluxion;
using fxtest::kGpu;
using fxtest::matches_cpu;

namespace {

using Fn2 = std::function<fx::Tensor(const fx::Tensor&, const fx::Tensor&)>;

TEST(CudaInteger, ArithmeticAndDivisionMatchTheCpu) {
  FX_SKIP_WITHOUT_GPU();
  const std::vector<std::pair<std::string, Fn2>> ops = {
      {"add", [](const fx::Tensor& a, const fx::Tensor& b) { return a + b * 3; }},
      {"mul", [](const fx::Tensor& a, const fx::Tensor& b) { return a * b; }},
      {"maximum", [](const fx::Tensor& a, const fx::Tensor& b) { return fx::maximum(a, b); }},
      {"floor_divide", [](const fx::Tensor& a, const fx::Tensor& b) { return fx::floor_divide(a, b); }},
      {"div trunc", [](const fx::Tensor& a, const fx::Tensor& b) { return fx::div(a, b, "trunc"); }},
      {"fmod", [](const fx::Tensor& a, const fx::Tensor& b) { return fx::fmod(a, b); }},
      {"remainder", [](const fx::Tensor& a, const fx::Tensor& b) { return fx::remainder(a, b); }},
      {"remainder by a number", [](const fx::Tensor& a, const fx::Tensor&) { return fx::remainder(a, -7); }},
      {"neg abs", [](const fx::Tensor& a, const fx::Tensor&) { return fx::abs(-a); }},
      {"lt", [](const fx::Tensor& a, const fx::Tensor& b) { return a < b; }},
      {"where", [](const fx::Tensor& a, const fx::Tensor& b) { return fx::where(a > 0, a, b); }},
  };
  for (fx::DType dt : {fx::kInt64, fx::kInt32}) {
    fx::manual_seed(5);
    const fx::Tensor a = fx::randint(-50, 50, {17, 9}).to(dt);
    fx::Tensor b = fx::randint(1, 9, {17, 9}).to(dt);
    b = fx::where(fx::rand({17, 9}) > 0.5, b, -b);  // both signs, never zero
    for (const auto& [name, f] : ops)
      EXPECT_TRUE(matches_cpu(f(a.to(kGpu), b.to(kGpu)), f(a, b))) << name << " " << fx::dtype_name(dt);
    // Broadcast and transposed operands.
    EXPECT_TRUE(matches_cpu(fx::floor_divide(a.to(kGpu).t(), b.to(kGpu).t().slice(0, 0, 1)),
                            fx::floor_divide(a.t(), b.t().slice(0, 0, 1))));
  }
}

TEST(CudaInteger, ZeroDivisorIsAnError) {
  FX_SKIP_WITHOUT_GPU();
  const fx::Tensor a = fx::tensor({7L, -7L, 3L}).to(kGpu), b = fx::tensor({2L, 0L, 1L}).to(kGpu);
  EXPECT_THROW(fx::floor_divide(a, b), fx::Error);
  EXPECT_THROW(fx::fmod(a, b), fx::Error);
  EXPECT_THROW(fx::remainder(a, 0), fx::Error);
  try {
    fx::floor_divide(a, b);
  } catch (const fx::Error& e) {
    EXPECT_NE(std::string(e.what()).find("division by zero"), std::string::npos) << e.what();
  }
}

// uint8 images and int8 data convert on the device (to and from float32/64, int64, int32).
TEST(CudaInteger, Int8AndUInt8Convert) {
  FX_SKIP_WITHOUT_GPU();
  const fx::Tensor img = fx::randint(0, 256, {3, 5, 7}).to(fx::kUInt8);
  EXPECT_TRUE(matches_cpu(img.to(kGpu).to(fx::kFloat32) / 255, img.to(fx::kFloat32) / 255));
  const fx::Tensor i8 = fx::randint(-128, 128, {40}).to(fx::kInt8);
  for (fx::DType wide : {fx::kFloat64, fx::kInt64, fx::kInt32})
    EXPECT_TRUE(matches_cpu(i8.to(kGpu).to(wide).to(fx::kInt8), i8)) << fx::dtype_name(wide);
  EXPECT_TRUE(matches_cpu(fx::full({4}, 200.0).to(kGpu).to(fx::kUInt8), fx::full({4}, 200.0).to(fx::kUInt8)));
  EXPECT_THROW(img.to(kGpu).to(fx::kFloat16), fx::Error);  // not among the four wide types
}

}  // namespace
